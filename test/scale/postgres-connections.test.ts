/**
 * Dropped PostgreSQL connections (what a restart or failover does) must not crash a process
 * nor lose or double anything: a whole service on a throw-away PostgreSQL database takes
 * items while every one of its backends is killed with `pg_terminate_backend` again and
 * again. The process lives on, every accepted item ends done with exactly one action, and
 * readiness says "not ready" while the database refuses connections and "ready" after.
 * Real PostgreSQL; skips, saying so, when it is unreachable (unless RASD_REQUIRE_POSTGRES=1).
 */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { POSTGRES_ADMIN_URL, postgresDatabase, postgresSkip, type TestDatabase } from "../support/databases.js";
import { json, startTestService, type TestService } from "../support/service.js";

const skip = await postgresSkip();
let db: TestDatabase;
let svc: TestService;
let admin: pg.Client;
let dbName = "";

before(async () => {
  if (skip) return;
  db = await postgresDatabase();
  dbName = new URL(db.url).pathname.slice(1);
  // A short lease bounds how long a job whose release was lost with its connection waits.
  svc = await startTestService({ db, env: { RASD_LEASE_SECONDS: "3" } });
  admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
});

after(async () => {
  if (skip) return;
  await admin.query(`alter database ${dbName} allow_connections true`).catch(() => undefined);
  await svc.close();
  await admin.end();
  await db.drop();
});

/** Kills every backend of the test database; returns how many. */
async function killBackends(): Promise<number> {
  const r = await admin.query(
    "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
    [dbName],
  );
  return r.rowCount ?? 0;
}

test("every backend killed again and again while items flow: nothing crashes, lost or doubled", { skip }, async () => {
  const { s, keys } = svc;
  const bank = await s.banks.createBank({ orgId: svc.orgs.a.id, name: "links", tlp: "GREEN" });
  await s.banks.addSignals(bank.id, [{ line: 1, raw: { type: "domain", value: "justpaste.it" } }]);
  await s.rules.create(svc.orgs.a.id, {
    name: "flag",
    conditions: {},
    actions: [{ type: "decision", decision: "remove" }],
  });

  let kills = 0;
  let killing = true;
  const killer = (async () => {
    while (killing) {
      kills += await killBackends();
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  // 30 batches of 50; a batch whose request met a dying connection is sent again with the
  // same idempotency keys (what a client does with a 5xx), so it is accepted once.
  const accepted = new Map<number, boolean>(); // id → should match
  let failedRequests = 0;
  for (let b = 0; b < 30; b++) {
    const items = Array.from({ length: 50 }, (_, i) => ({
      idempotency_key: `drop-${b}-${i}`,
      url: i % 2 ? `https://justpaste.it/${b}-${i}` : `https://example.org/${b}-${i}`,
    }));
    for (let tries = 0; ; tries++) {
      const r = await svc.call(keys.a.submitter, { method: "POST", url: "/v1/content/batch", payload: { items } });
      if (r.statusCode === 202) {
        json<{ items: { id: number }[] }>(r).items.forEach((it, i) => accepted.set(it.id, i % 2 === 1));
        break;
      }
      failedRequests++;
      assert.ok(r.statusCode >= 500 && tries < 20, `batch ${b}: HTTP ${r.statusCode} ${r.body}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 60));
  }
  await new Promise((r) => setTimeout(r, 500));
  killing = false;
  await killer;
  assert.ok(kills >= 20, `only ${kills} backends were killed`);

  await svc.drain(60_000);
  assert.equal(accepted.size, 1500);
  const actions = await s.actions.actionsOf([...accepted.keys()]);
  const perItem = new Map<number, number>();
  for (const a of actions) perItem.set(a.itemId, (perItem.get(a.itemId) ?? 0) + 1);
  const items = await s.content.getItems([...accepted.keys()]);
  assert.equal(items.length, accepted.size);
  for (const item of items) {
    assert.equal(item.status, "done", `item ${item.id}`);
    assert.equal(perItem.get(item.id) ?? 0, accepted.get(item.id) ? 1 : 0, `actions of item ${item.id}`);
  }
  process.stderr.write(
    `postgres drop test: ${accepted.size} items, ${kills} backends killed, ${failedRequests} requests sent again\n`,
  );
});

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
