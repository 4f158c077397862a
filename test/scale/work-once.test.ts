/**
 * Work handed out once, by the database alone (decision 0013): three workers on one
 * PostgreSQL database lease content jobs with `for update skip locked`; NATS only wakes them.
 * Every job is leased exactly once (no job in two workers' hands, none handed round again),
 * every item ends done once, and leases are renewed on a timer, not at every commit. Real NATS and PostgreSQL; skips, saying so, when either is unreachable (unless
 * RASD_REQUIRE_*=1).
 */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { closeServices, openServices, startWorkers, type Services } from "../../src/server/services.js";
import type { Job } from "../../src/storage/ports/index.js";
import { postgresDatabase, postgresSkip, type TestDatabase } from "../support/databases.js";
import { NATS_URL, deleteStreams, natsSkip } from "../support/nats.js";
import { json, startTestService, type TestService } from "../support/service.js";

const skip = (await natsSkip()) || (await postgresSkip());
const PREFIX = `rasdonce${process.pid}`;
let db: TestDatabase;
let api: TestService;
const workers: Services[] = [];

before(async () => {
  if (skip) return;
  db = await postgresDatabase();
  const env = { RASD_NATS_URL: NATS_URL, RASD_NATS_PREFIX: PREFIX };
  api = await startTestService({ db, workers: false, env });
  for (let i = 0; i < 3; i++)
    workers.push(await openServices(loadConfig({ db: db.url }, env), { defaultMetrics: false }));
});

after(async () => {
  if (skip) return;
  for (const w of workers) await closeServices(w);
  await api.close();
  await db.drop();
  await deleteStreams(`${PREFIX.toUpperCase()}_SIGNALS`);
});

test("three workers: every content job leased once, by one worker, every item done once", { skip }, async () => {
  /** Content job id → the workers that leased it, in order. */
  const leasedBy = new Map<number, number[]>();
  const byWorker = [0, 0, 0];
  let renewals = 0;
  workers.forEach((w, n) => {
    const note = (jobs: readonly Job[]): void => {
      for (const j of jobs) {
        if (j.kind !== "content") continue;
        leasedBy.set(j.id, [...(leasedBy.get(j.id) ?? []), n]);
        byWorker[n]! += 1;
      }
    };
    const lease = w.jobs.lease.bind(w.jobs);
    w.jobs.lease = async (r) => {
      const jobs = await lease(r);
      note(jobs);
      return jobs;
    };
    // The next batch is leased in the transaction that commits the last one.
    const commit = w.actions.commitResults.bind(w.actions);
    w.actions.commitResults = async (batch) => {
      const out = await commit(batch);
      note(out.leased);
      return out;
    };
    const renew = w.jobs.renew.bind(w.jobs);
    w.jobs.renew = (ids, owner, leaseMs) => {
      renewals++;
      return renew(ids, owner, leaseMs);
    };
  });
  for (const w of workers) await startWorkers(w, true);
  const ids: number[] = [];
  for (let b = 0; b < 12; b++) {
    const items = Array.from({ length: 250 }, (_, i) => ({
      idempotency_key: `once-${b}-${i}`,
      text: `post ${b} ${i}`,
    }));
    const r = await api.call(api.keys.a.submitter, { method: "POST", url: "/v1/content/batch", payload: { items } });
    assert.equal(r.statusCode, 202, r.body);
    for (const it of json<{ items: { id: number }[] }>(r).items) ids.push(it.id);
  }
  await api.drain(60_000);
  const items = await api.s.content.getItems(ids);
  assert.equal(items.length, 3000);
  for (const item of items) assert.equal(item.status, "done", `item ${item.id}`);
  process.stderr.write(
    `work once: ${ids.length} items; content jobs leased per worker ${byWorker.join(", ")}; ${renewals} renewals\n`,
  );
  assert.equal(leasedBy.size, ids.length, "every item's job was leased");
  const twice = [...leasedBy].filter(([, owners]) => owners.length > 1);
  assert.deepEqual(twice, [], "no job leased twice");
  // Renewed on a timer (a quarter of the 10 s lease), not per commit: a batch of text rarely
  // lives long enough for one even on a loaded machine.
  assert.ok(renewals <= 12, `${renewals} renewals`);
  assert.deepEqual(await api.s.jobs.counts(), {}, "no job left");
});
