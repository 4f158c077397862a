/**
 * Links jobs woken over NATS (decision 0041), on PostgreSQL and the real NATS: the process
 * whose content worker commits an item's "links" job publishes a hint on
 * `<prefix>.work.links`, and another process's links worker — idle, its database poll an hour
 * away — leases and runs the job on hearing it. The other process takes no content jobs here,
 * so nothing in it but the hint can have woken its links worker. Skips, saying so, when NATS
 * or PostgreSQL is unreachable (unless RASD_REQUIRE_*=1).
 */

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { after, before, test } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { loadConfig } from "../../src/config/config.js";
import { closeServices, openServices, startWorkers, type Services } from "../../src/server/services.js";
import { postgresDatabase, postgresSkip, type TestDatabase } from "../support/databases.js";
import { answer, loopbackResolver, startLinkHost, type LinkHost } from "../support/link-hosts.js";
import { NATS_URL, deleteStreams, natsSkip } from "../support/nats.js";
import { json, startTestService, type TestService } from "../support/service.js";
import { untilValue } from "../support/faults.js";

const skip = (await natsSkip()) || (await postgresSkip());
const PREFIX = `rasdlinks${process.pid}`;
const HOUR_MS = 3_600_000;

let db: TestDatabase;
let api: TestService;
let worker: Services;
let files: LinkHost;
let short: LinkHost;
let nc: NatsConnection;

before(async () => {
  if (skip) return;
  files = await startLinkHost("files.test", answer(200));
  short = await startLinkHost("short.test", (req: IncomingMessage, res: ServerResponse) =>
    answer(301, { location: `http://files.test:${files.port}/release.mp4` })(req, res),
  );
  const list = join(mkdtempSync(join(tmpdir(), "rasd-shorteners-")), "shorteners.txt");
  writeFileSync(list, "short.test\n");
  const env = {
    RASD_NATS_URL: NATS_URL,
    RASD_NATS_PREFIX: PREFIX,
    RASD_LINK_ALLOW_PRIVATE: "1",
    RASD_SHORTENERS: list,
  };
  const linkResolve = loopbackResolver(["files.test", "short.test"]);
  db = await postgresDatabase();
  api = await startTestService({ db, workers: false, env, linkResolve });
  worker = await openServices(loadConfig({ db: db.url }, env), { defaultMetrics: false, linkResolve });
  nc = await connect({ servers: NATS_URL });
});

after(async () => {
  if (skip) return;
  await nc.close();
  await closeServices(worker);
  await api.close();
  await db.drop();
  await deleteStreams(`${PREFIX.toUpperCase()}_SIGNALS`);
  await files.close();
  await short.close();
});

test(
  "a links job committed in one process is run by another's idle links worker on the NATS hint",
  { skip },
  async () => {
    // The worker process takes links jobs only (its content worker is left nothing).
    const leasedLinks: number[] = [];
    const lease = worker.jobs.lease.bind(worker.jobs);
    worker.jobs.lease = async (r) => {
      if (r.kind === "content") return [];
      const jobs = await lease(r);
      for (const j of jobs) leasedLinks.push(j.refId);
      return jobs;
    };
    const hints: number[] = [];
    const sub = nc.subscribe(`${PREFIX}.work.links`, {
      callback: () => {
        hints.push(Date.now());
      },
    });
    await nc.flush();
    await untilValue("both processes on NATS", () =>
      worker.work?.state === "connected" && api.s.work?.state === "connected" ? true : undefined,
    );
    const rule = await api.call(api.keys.a.admin, {
      method: "POST",
      url: "/v1/rules",
      payload: { name: "urls", conditions: { signal_types: ["url"] }, actions: [{ type: "review" }] },
    });
    assert.equal(rule.statusCode, 201, rule.body);
    const bank = json<{ id: number }>(
      await api.call(api.keys.c.curator, { method: "POST", url: "/v1/banks", payload: { name: "rel", tlp: "GREEN" } }),
    );
    const hop = `http://files.test:${files.port}/release.mp4`;
    const add = await api.call(api.keys.c.curator, {
      method: "POST",
      url: `/v1/banks/${bank.id}/signals`,
      payload: { signals: [{ type: "url", value: hop }] },
    });
    assert.equal(add.statusCode, 200, add.body);
    await startWorkers(worker, true);
    // Idle, the worker's links loop would look in the database only an hour from now.
    worker.pipeline.setPollMs(HOUR_MS);
    // Its matcher has the banked URL (a stale index makes the links step put its jobs back).
    await untilValue("the worker's matcher to have the banked URL", () =>
      worker.matcher.fresh && worker.matcher.matchUrl(hop).matches.length === 1 ? true : undefined,
    );
    // A wake now, so that the loop's next wait is the hour-long one (a wake while it works changes nothing).
    worker.pipeline.wakeLinks();
    await new Promise((r) => setTimeout(r, 200));

    const r = await api.call(api.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      headers: { "idempotency-key": "wake-1" },
      payload: { url: `http://short.test:${short.port}/x` },
    });
    assert.equal(r.statusCode, 202, r.body);
    const id = json<{ id: number }>(r).id;
    // The API process's content step (its links worker is not running).
    await untilValue("the content step", async () => {
      await api.s.pipeline.runOnce();
      return (await api.s.content.getItems([id]))[0]?.status === "received" ? undefined : true;
    });
    const linked = await untilValue("the other process to follow the item's links", async () => {
      const [item] = await api.s.content.getItems([id]);
      return item && (JSON.parse(item.hashes) as { links?: unknown }).links ? item : undefined;
    });
    assert.deepEqual(leasedLinks, [id]);
    assert.ok(hints.length >= 1, "a links hint was published");
    const matches = JSON.parse(linked.matches) as { signalId: number }[];
    assert.equal(matches.length, 1);
    sub.unsubscribe();
  },
);
