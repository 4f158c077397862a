/**
 * The change feed's long poll (GET /v1/changes?wait=): an up-to-date caller is answered as soon
 * as a change it may see is committed, not after the wait; with nothing new it answers an empty
 * page when the wait is over; a wait over the limit is a 400.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { startTestService, type TestService } from "../support/service.js";

describe("GET /v1/changes?wait=", () => {
  let t: TestService;
  let base = "";
  let bank = 0;

  before(async () => {
    t = await startTestService({ workers: false });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    bank = (await t.s.banks.createBank({ orgId: t.orgs.a.id, name: "waited", tlp: "GREEN" })).id;
  });
  after(async () => {
    await t?.close();
  });

  const changes = async (key: string, query: string) => {
    const r = await fetch(`${base}/v1/changes?${query}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: r.status, json: (await r.json()) as { changes: { signal: { value: string } }[]; cursor: number } };
  };

  test("answers when the change comes, or empty when the wait is over", async () => {
    const start = await changes(t.keys.b.reader, "cursor=0");
    const cursor = start.json.cursor;
    // Nothing new: an empty page after about the wait.
    let t0 = Date.now();
    const idle = await changes(t.keys.b.reader, `cursor=${cursor}&wait=1`);
    const idleMs = Date.now() - t0;
    assert.equal(idle.status, 200);
    assert.deepEqual(idle.json.changes, []);
    assert.ok(idleMs >= 900, `answered after ${idleMs} ms, before the wait`);

    // A change 300 ms into a 10 s wait: answered with it, long before 10 s.
    t0 = Date.now();
    const waiting = changes(t.keys.b.reader, `cursor=${cursor}&wait=10`);
    setTimeout(() => {
      void t.s.banks.addSignals(bank, [{ line: 1, raw: { type: "md5", value: "9".repeat(32) } }]);
    }, 300);
    const woken = await waiting;
    const wokenMs = Date.now() - t0;
    assert.equal(woken.json.changes.length, 1);
    assert.equal(woken.json.changes[0]!.signal.value, "9".repeat(32));
    assert.ok(wokenMs < 3000, `the change took ${wokenMs} ms to arrive`);

    // A change the caller may not see does not end its wait with a change.
    const strict = (await t.s.banks.createBank({ orgId: t.orgs.a.id, name: "not-for-b", tlp: "AMBER+STRICT" })).id;
    const now = woken.json.cursor;
    setTimeout(() => {
      void t.s.banks.addSignals(strict, [{ line: 1, raw: { type: "md5", value: "8".repeat(32) } }]);
    }, 200);
    const unseen = await changes(t.keys.b.reader, `cursor=${now}&wait=1`);
    assert.deepEqual(unseen.json.changes, []);
    assert.ok(unseen.json.cursor >= now);

    assert.equal((await changes(t.keys.b.reader, `cursor=${now}&wait=26`)).status, 400);
  });
});
