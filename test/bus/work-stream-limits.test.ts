/**
 * The JetStream work stream is bounded (WORK_STREAM_LIMITS, discard new), and a stream made
 * without limits by an older version is given them when a work queue connects.
 * Needs NATS (skips, saying so, unless RASD_REQUIRE_NATS=1).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstreamManager, RetentionPolicy, type StreamConfig } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { WORK_STREAM_LIMITS, WorkQueue } from "../../src/bus/work-queue.js";
import { NATS_URL, deleteStreams, natsSkip } from "../support/nats.js";

const skip = await natsSkip();

async function streamConfig(name: string): Promise<StreamConfig> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    const until = Date.now() + 10_000;
    for (;;) {
      const info = await jsm.streams.info(name).catch(() => undefined);
      if (info?.config.max_msgs === WORK_STREAM_LIMITS.max_msgs || Date.now() > until) {
        assert.ok(info, `no stream ${name}`);
        return info.config;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await nc.close();
  }
}

function assertLimits(c: StreamConfig): void {
  assert.equal(c.max_msgs, WORK_STREAM_LIMITS.max_msgs);
  assert.equal(c.max_bytes, WORK_STREAM_LIMITS.max_bytes);
  assert.equal(c.max_age, WORK_STREAM_LIMITS.max_age);
  assert.equal(c.discard, WORK_STREAM_LIMITS.discard);
  assert.equal(c.retention, RetentionPolicy.Workqueue);
}

test("a new work stream is made with limits", { skip }, async () => {
  const prefix = `limits${process.pid}a`;
  const queue = WorkQueue.open(NATS_URL, prefix, 5000);
  try {
    assertLimits(await streamConfig(`${prefix.toUpperCase()}_WORK`));
  } finally {
    await queue.close();
    await deleteStreams(`${prefix.toUpperCase()}_WORK`);
  }
});

test("a work stream an older version made without limits is given them", { skip }, async () => {
  const prefix = `limits${process.pid}b`;
  const name = `${prefix.toUpperCase()}_WORK`;
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects: [`${prefix}.work.content`], retention: RetentionPolicy.Workqueue });
  assert.equal((await jsm.streams.info(name)).config.max_msgs, -1);
  await nc.close();
  const queue = WorkQueue.open(NATS_URL, prefix, 5000);
  try {
    assertLimits(await streamConfig(name));
  } finally {
    await queue.close();
    await deleteStreams(name);
  }
});
