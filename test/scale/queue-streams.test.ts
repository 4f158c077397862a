/**
 * Stream replicas are configurable (RASD_NATS_REPLICAS, default 1) and applied to the
 * streams rasd creates; a server that refuses them is reported with the setting to change.
 * And work is no longer handed out through JetStream (decision 0013): a worker process
 * creates no work stream, only the signal-change stream. Real NATS (a single server).
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { ensureStream } from "../../src/bus/streams.js";
import { SignalBus } from "../../src/bus/signal-bus.js";
import { loadConfig } from "../../src/config/config.js";
import { isRasdError } from "../../src/core/errors.js";
import { NATS_URL, deleteStreams, natsSkip } from "../support/nats.js";

const skip = await natsSkip();

test("RASD_NATS_REPLICAS is read, 1 by default, at most 5", () => {
  assert.equal(loadConfig({}, {}).natsReplicas, 1);
  assert.equal(loadConfig({}, { RASD_NATS_REPLICAS: "3" }).natsReplicas, 3);
  assert.throws(() => loadConfig({}, { RASD_NATS_REPLICAS: "7" }));
});

test(
  "the signal stream is made with the configured replicas, updated when they differ; a refusal names the setting",
  { skip },
  async () => {
    const prefix = `rasdrepl${process.pid}`;
    const name = `${prefix.toUpperCase()}_SIGNALS`;
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    const bus = SignalBus.open(NATS_URL, prefix, { replicas: 1 });
    try {
      await bus.link.ready;
      let info = await jsm.streams.info(name).catch(() => undefined);
      for (let i = 0; !info && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 50));
        info = await jsm.streams.info(name).catch(() => undefined);
      }
      assert.equal(info?.config.num_replicas, 1);
      // No work stream: work comes from the database.
      await assert.rejects(jsm.streams.info(`${prefix.toUpperCase()}_WORK`));
      // A stream whose replicas differ from the setting is updated on start (a single server
      // records the change; a cluster also places the replicas).
      await ensureStream(jsm, { name, subjects: [`${prefix}.signals.changed`], num_replicas: 3 });
      assert.equal((await jsm.streams.info(name)).config.num_replicas, 3, "updated");
      // A single server cannot create a stream with 3 replicas: the error names it and the setting.
      const other = `${prefix.toUpperCase()}_OTHER`;
      await assert.rejects(
        ensureStream(jsm, { name: other, subjects: [`${prefix}.other`], num_replicas: 3 }),
        (error: unknown) =>
          isRasdError(error) &&
          error.code === "nats.stream" &&
          error.message.includes(other) &&
          error.message.includes("RASD_NATS_REPLICAS") &&
          error.message.includes("non-clustered"),
      );
    } finally {
      await bus.close();
      await nc.close();
      await deleteStreams(name);
    }
  },
);
