/** The same service on PostgreSQL: accept, lease, hash – match – act, webhooks, idempotency. */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { postgresDatabase, postgresSkip, type TestDatabase } from "../support/databases.js";
import { startReceiver, type Receiver } from "../support/receiver.js";
import { json, startTestService, type TestService } from "../support/service.js";

const skip = await postgresSkip();
let t: TestService;
let db: TestDatabase;
let hook: Receiver;

before(async () => {
  if (skip) return;
  db = await postgresDatabase();
  hook = await startReceiver();
  t = await startTestService({ db });
});

after(async () => {
  if (skip) return;
  await t.close();
  await hook.close();
  await db.drop();
});

test("hash – match – act on PostgreSQL", { skip }, async () => {
  const bank = json<{ id: number }>(
    await t.call(t.keys.a.curator, { method: "POST", url: "/v1/banks", payload: { name: "links" } }),
  );
  await t.call(t.keys.a.curator, {
    method: "POST",
    url: `/v1/banks/${bank.id}/signals`,
    payload: { signals: [{ type: "domain", value: "justpaste.it" }] },
  });
  const rule = await t.call(t.keys.a.admin, {
    method: "POST",
    url: "/v1/rules",
    payload: { name: "hook", conditions: { signal_types: ["domain"] }, actions: [{ type: "webhook", url: hook.url }] },
  });
  assert.equal(rule.statusCode, 201, rule.body);
  const ids: number[] = [];
  for (let i = 0; i < 50; i++) {
    const r = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      payload: { url: i % 2 ? `https://justpaste.it/x${i}` : `https://example.org/${i}` },
      headers: { "idempotency-key": `pg-${i}` },
    });
    assert.equal(r.statusCode, 202, r.body);
    ids.push(json<{ id: number }>(r).id);
  }
  const replay = await t.call(t.keys.a.submitter, {
    method: "POST",
    url: "/v1/content",
    payload: { url: "https://example.org/0" },
    headers: { "idempotency-key": "pg-0" },
  });
  assert.equal(json<{ id: number; replay: boolean }>(replay).id, ids[0]);
  await t.drain();
  await hook.waitFor(25);
  for (const [i, id] of ids.entries()) {
    const item = json<{ status: string; actions: { status: string }[] }>(
      await t.call(t.keys.a.reader, { method: "GET", url: `/v1/content/${id}` }),
    );
    assert.equal(item.status, "done");
    assert.deepEqual(
      item.actions.map((a) => a.status),
      i % 2 ? ["delivered"] : [],
    );
  }
});
