/**
 * The change feed (GET /v1/changes) as a mirror uses it: a poller follows the cursor and keeps
 * the last state of every signal it is shown. Its copy must equal the truth of the banks it may
 * see — additions, opinions, retractions, a deleted bank's tombstones — and never hold a signal
 * of a bank it may not see; paging, resuming and writes racing the poller skip nothing.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ChangesResponse, SignalView } from "../../src/http/schemas/index.js";
import { json, startTestService, type TestService } from "../support/service.js";

let t: TestService;
before(async () => {
  t = await startTestService({ workers: false });
});
after(async () => {
  await t?.close();
});

async function createBank(key: string, name: string, tlp: string): Promise<number> {
  const r = await t.call(key, { method: "POST", url: "/v1/banks", payload: { name, tlp } });
  assert.equal(r.statusCode, 201, r.body);
  return json<{ id: number }>(r).id;
}

async function addDomains(key: string, bank: number, hosts: readonly string[]): Promise<void> {
  const r = await t.call(key, {
    method: "POST",
    url: `/v1/banks/${bank}/signals`,
    payload: { signals: hosts.map((value) => ({ type: "domain", value })) },
  });
  assert.equal(r.statusCode, 200, r.body);
}

async function changes(key: string, query: string): Promise<ChangesResponse> {
  const r = await t.call(key, { method: "GET", url: `/v1/changes?${query}` });
  assert.equal(r.statusCode, 200, r.body);
  return json<ChangesResponse>(r);
}

/** A mirror: the last state of each signal it was shown, and where it stopped. */
class Mirror {
  readonly signals = new Map<number, SignalView>();
  readonly opinions = new Map<number, ChangesResponse["changes"][number]["opinions"]>();
  cursor = 0;
  pages = 0;
  constructor(
    readonly key: string,
    readonly limit = 500,
  ) {}
  async catchUp(): Promise<ChangesResponse> {
    for (;;) {
      const page = await changes(this.key, `cursor=${this.cursor}&limit=${this.limit}`);
      this.pages++;
      let last = this.cursor;
      for (const c of page.changes) {
        assert.ok(c.seq > last, `changes in order: ${c.seq} after ${last}`);
        last = c.seq;
        this.signals.set(c.signal.id, c.signal);
        this.opinions.set(c.signal.id, c.opinions);
      }
      assert.ok(page.cursor >= this.cursor, "the cursor never goes back");
      this.cursor = page.cursor;
      if (!page.more) return page;
    }
  }
  active(): string[] {
    return [...this.signals.values()]
      .filter((s) => s.status === "active")
      .map((s) => s.value)
      .sort();
  }
}

describe("GET /v1/changes", () => {
  let green: number;
  let strict: number;
  let amberA: number;

  before(async () => {
    green = await createBank(t.keys.b.curator, "feed-green", "GREEN");
    strict = await createBank(t.keys.b.curator, "feed-strict", "AMBER+STRICT");
    amberA = await createBank(t.keys.b.curator, "feed-amber-c", "AMBER");
    await t.call(t.keys.b.admin, {
      method: "PATCH",
      url: `/v1/banks/${amberA}`,
      payload: { share_with_org_ids: [t.orgs.c.id] },
    });
    await addDomains(t.keys.b.curator, green, ["g1.example", "g2.example", "g3.example"]);
    await addDomains(t.keys.b.curator, strict, ["s1.example", "s2.example"]);
    await addDomains(t.keys.b.curator, amberA, ["c1.example"]);
  });

  it("shows each caller only the banks it may see, and says which banks it follows", async () => {
    const a = new Mirror(t.keys.a.reader);
    const page = await a.catchUp();
    assert.deepEqual(a.active(), ["g1.example", "g2.example", "g3.example"]);
    assert.ok(!page.banks.some((b) => b.id === strict || b.id === amberA), "no AMBER+STRICT, no AMBER not shared");
    assert.ok(page.banks.some((b) => b.id === green && !b.deleted));

    const c = new Mirror(t.keys.c.reader);
    await c.catchUp();
    assert.deepEqual(c.active(), ["c1.example", "g1.example", "g2.example", "g3.example"]);

    const b = new Mirror(t.keys.b.reader);
    await b.catchUp();
    assert.deepEqual(b.active(), ["c1.example", "g1.example", "g2.example", "g3.example", "s1.example", "s2.example"]);
  });

  it("a mirror learns of opinions, retractions and a deleted bank's tombstones by resuming", async () => {
    const mirror = new Mirror(t.keys.a.reader, 2);
    await mirror.catchUp();
    const idOf = (value: string) => [...mirror.signals.values()].find((s) => s.value === value)!.id;

    const op = await t.call(t.keys.a.curator, {
      method: "POST",
      url: `/v1/signals/${idOf("g2.example")}/opinions`,
      payload: { kind: "dispute", note: "a news site" },
    });
    assert.equal(op.statusCode, 200, op.body);
    const del = await t.call(t.keys.b.curator, { method: "DELETE", url: `/v1/signals/${idOf("g1.example")}` });
    assert.equal(del.statusCode, 200, del.body);

    const before = mirror.cursor;
    await mirror.catchUp();
    assert.ok(mirror.cursor > before);
    assert.deepEqual(mirror.active(), ["g2.example", "g3.example"]);
    assert.equal(mirror.signals.get(idOf("g1.example"))!.status, "retracted");
    assert.deepEqual(
      mirror.opinions.get(idOf("g2.example"))!.map((o) => [o.org_id, o.kind, o.note]),
      [[t.orgs.a.id, "dispute", "a news site"]],
    );

    // Nothing new: the same cursor comes back with no changes.
    const idle = await changes(t.keys.a.reader, `cursor=${mirror.cursor}`);
    assert.deepEqual(idle.changes, []);
    assert.equal(idle.cursor, mirror.cursor);
    assert.equal(idle.more, false);

    // Changes to a bank the caller cannot see move the cursor on but show nothing.
    await addDomains(t.keys.b.curator, strict, ["s3.example"]);
    const hidden = await changes(t.keys.a.reader, `cursor=${mirror.cursor}`);
    assert.deepEqual(hidden.changes, []);
    assert.ok(hidden.cursor > mirror.cursor, "the cursor passes changes the caller may not see");

    const gone = await t.call(t.keys.b.curator, { method: "DELETE", url: `/v1/banks/${green}` });
    assert.equal(gone.statusCode, 204, gone.body);
    const last = await mirror.catchUp();
    assert.deepEqual(mirror.active(), [], "every signal of the deleted bank arrives as a tombstone");
    assert.ok(
      last.banks.some((b) => b.id === green && b.deleted),
      "the deleted bank is listed as deleted",
    );
    assert.ok(mirror.pages > 3, "a limit of 2 took several pages");
  });

  it("paging with any limit, and writes racing the poller, skip nothing", async () => {
    const bank = await createBank(t.keys.a.curator, "feed-race", "GREEN");
    const mirror = new Mirror(t.keys.c.reader, 7);
    await mirror.catchUp();
    const hosts = Array.from({ length: 120 }, (_, i) => `race-${i}.example`);
    const writer = (async () => {
      for (let i = 0; i < hosts.length; i += 5) await addDomains(t.keys.a.curator, bank, hosts.slice(i, i + 5));
    })();
    let polls = 0;
    let done = false;
    void writer.then(() => (done = true));
    while (!done) {
      await mirror.catchUp();
      polls++;
      // A poller waits between polls (and the in-process writer needs the event loop's turn).
      await new Promise((r) => setTimeout(r, 1));
    }
    await writer;
    await mirror.catchUp();
    const inBank = [...mirror.signals.values()].filter((s) => s.bank_id === bank && s.status === "active");
    assert.equal(inBank.length, hosts.length, `all ${hosts.length} signals arrived over ${polls} polls`);

    const whole = new Mirror(t.keys.c.reader, 5000);
    await whole.catchUp();
    assert.deepEqual(whole.active(), mirror.active(), "one big page and many small ones end the same");
  });

  it("one bank's changes from the beginning (a bank that became visible later)", async () => {
    const page = await changes(t.keys.c.reader, `bank_id=${amberA}`);
    assert.deepEqual(
      page.changes.map((c) => c.signal.value),
      ["c1.example"],
    );
    assert.deepEqual(
      page.banks.map((b) => b.id),
      [amberA],
    );
  });

  it("refuses what it cannot answer, and strangers", async () => {
    const hidden = await t.call(t.keys.a.reader, { method: "GET", url: `/v1/changes?bank_id=${strict}` });
    assert.equal(hidden.statusCode, 404, "a bank the caller may not see does not exist for it");
    const bad = await t.call(t.keys.a.reader, { method: "GET", url: "/v1/changes?cursor=-1" });
    assert.equal(bad.statusCode, 400);
    const tooMany = await t.call(t.keys.a.reader, { method: "GET", url: "/v1/changes?limit=100000" });
    assert.equal(tooMany.statusCode, 400);
    const anonymous = await t.call(undefined, { method: "GET", url: "/v1/changes" });
    assert.equal(anonymous.statusCode, 401);
  });
});
