/**
 * Dropped PostgreSQL connections (what a restart or failover does) must not crash a process
 * nor lose, double or misjudge anything: an API process and a worker process (two service
 * instances on one throw-away PostgreSQL database, no NATS: the worker follows signal
 * changes by polling) take items while every backend of the database is killed with
 * `pg_terminate_backend` again and again. Signals are added just before some items and
 * retracted just before others. The processes live on; every accepted item ends done; each
 * item submitted after an add matches it, with exactly one webhook, received; nothing is
 * matched or sent for a retracted signal; and the time from the last kill until a new item
 * is matched end to end is printed and bounded. Readiness says "not ready" while the
 * database refuses connections and "ready" after.
 * Real PostgreSQL; skips, saying so, when it is unreachable (unless RASD_REQUIRE_POSTGRES=1).
 */

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { loadConfig } from "../../src/config/config.js";
import { closeServices, openServices, startWorkers, type Services } from "../../src/server/services.js";
import { POSTGRES_ADMIN_URL, postgresDatabase, postgresSkip, type TestDatabase } from "../support/databases.js";
import { Probe, probeBank, until, type Submit } from "../support/faults.js";
import { startReceiver, type Receiver } from "../support/receiver.js";
import { json, startTestService, type TestService } from "../support/service.js";

const skip = await postgresSkip();
let db: TestDatabase;
let svc: TestService;
let worker: Services;
let hook: Receiver;
let admin: pg.Client;
let dbName = "";

before(async () => {
  if (skip) return;
  db = await postgresDatabase();
  dbName = new URL(db.url).pathname.slice(1);
  hook = await startReceiver();
  // A short lease bounds how long a job whose release was lost with its connection waits.
  const env = {
    RASD_LEASE_SECONDS: "3",
    RASD_SECRET_KEY: randomBytes(32).toString("base64"),
    RASD_WEBHOOK_ALLOW_PRIVATE: "1",
  };
  svc = await startTestService({ db, workers: false, env });
  worker = await openServices(loadConfig({ db: db.url }, env), { defaultMetrics: false, backoffBaseMs: 20 });
  await startWorkers(worker, true);
  admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
});

after(async () => {
  if (skip) return;
  await admin.query(`alter database ${dbName} allow_connections true`).catch(() => undefined);
  await closeServices(worker);
  await svc.close();
  await hook.close();
  await admin.end();
  await db.drop();
});

let lastKillAt = 0;
/** Kills every backend of the test database; returns how many. */
async function killBackends(): Promise<number> {
  const r = await admin.query(
    "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
    [dbName],
  );
  if (r.rowCount) lastKillAt = performance.now();
  return r.rowCount ?? 0;
}

test(
  "every backend killed again and again while items flow: nothing crashes, lost, doubled or misjudged",
  { skip },
  async () => {
    const { s, keys } = svc;
    const bank = await probeBank(svc, "links", hook.url, 5);
    // A batch whose request met a dying connection is sent again with the same idempotency
    // keys (what a client does with a 5xx), so it is accepted once.
    let failedRequests = 0;
    const submit: Submit = async (batch) => {
      const items = batch.map((b) => ({ idempotency_key: b.key, url: b.url }));
      for (let tries = 0; ; tries++) {
        const r = await svc.call(keys.a.submitter, { method: "POST", url: "/v1/content/batch", payload: { items } });
        if (r.statusCode === 202) return json<{ items: { id: number }[] }>(r).items.map((it) => it.id);
        failedRequests++;
        assert.ok(r.statusCode >= 500 && tries < 40, `HTTP ${r.statusCode} ${r.body}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    };
    const probe = new Probe(s, bank.id, submit, "drop");
    await probe.prepare(12);
    await until("the worker indexes the prepared signals", () => worker.matcher.sizes.domain >= 12);

    let kills = 0;
    let killing = true;
    const killer = (async () => {
      while (killing) {
        kills += await killBackends();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    for (let round = 0; round < 12; round++) {
      await probe.addThenSubmit(10);
      await probe.retractThenSubmit(10);
      await probe.plain(40);
      await new Promise((r) => setTimeout(r, 60));
    }
    await new Promise((r) => setTimeout(r, 500));
    killing = false;
    await killer;
    assert.ok(kills >= 20, `only ${kills} backends were killed`);

    // Recovery: from the last kill until an item matching a signal added after it is done
    // (bounded by the 3 s lease: a job whose release died with its connection waits for it).
    const [late] = await probe.addThenSubmit(1);
    await until(
      "an item submitted after the last kill is done",
      async () => {
        const [item] = await s.content.getItems([late!]);
        return item?.status === "done";
      },
      30_000,
    );
    const recoveryMs = performance.now() - lastKillAt;

    await svc.drain(60_000);
    const r = await probe.check(s, hook);
    assert.ok(r.items >= 12 * 60 && r.matched >= 121);
    process.stderr.write(
      `postgres drop test: ${r.items} items (${r.matched} matched), ${kills} backends killed, ` +
        `${failedRequests} requests sent again, ${r.repeats} webhook repeats (same delivery id); ` +
        `recovered ${recoveryMs.toFixed(0)} ms after the last kill\n`,
    );
    assert.ok(recoveryMs < 10_000, `recovery took ${recoveryMs.toFixed(0)} ms`);
  },
);

test("readiness says the database is unreachable while it refuses connections, and ready after", { skip }, async () => {
  // Anonymous callers see readiness only; the feed's and database's state in a 200 go to the operator.
  const ready = async (key?: string): Promise<{ code: number; body: Record<string, unknown> }> => {
    const r = await svc.call(key, { method: "GET", url: "/status", headers: { accept: "application/json" } });
    return { code: r.statusCode, body: json(r) };
  };
  assert.equal((await ready()).code, 200);
  await admin.query(`alter database ${dbName} allow_connections false`);
  await killBackends();
  const down = await ready();
  assert.equal(down.code, 503);
  assert.equal(down.body.status, "unavailable");
  assert.equal(down.body.database, "unreachable");
  assert.match(String(down.body.message), /database/);
  await admin.query(`alter database ${dbName} allow_connections true`);
  const until = Date.now() + 10_000;
  let up = await ready();
  while (up.code !== 200 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    up = await ready();
  }
  assert.equal(up.code, 200, JSON.stringify(up.body));
  assert.equal((await ready(svc.keys.a.operator)).body.database, "ok");
});
