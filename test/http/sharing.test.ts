/**
 * TLP sharing end to end, through the API. Organisation B marks one bank with each marking
 * (CLEAR, GREEN, AMBER shared with A, AMBER shared with C only, AMBER+STRICT, RED naming A's
 * admin, and one with no marking at all), each holding one text signal. Then, for people of
 * A, B and C in different roles, every way of reaching a bank — listing, reading it, reading
 * its signals, matching a value, submitting content and reading the item's matches — must
 * agree with the table in src/core/sharing.ts. Changing a bank stays with its organisation,
 * and the audit log says who created what, from where.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { can, type Role } from "../../src/core/roles.js";
import { canSeeBank } from "../../src/core/sharing.js";
import { json, startTestService, type TestService } from "../support/service.js";

const BANK_KEYS = ["clear", "green", "amberA", "amberC", "strict", "red", "unmarked"] as const;
type BankKey = (typeof BANK_KEYS)[number];

/** What B asks for when creating each bank (the unmarked one sends no `tlp`). */
const MARKINGS: Record<BankKey, { tlp?: string; shareWith?: "a" | "c"; name: string }> = {
  clear: { name: "b-clear", tlp: "CLEAR" },
  green: { name: "b-green", tlp: "GREEN" },
  amberA: { name: "b-amber-a", tlp: "AMBER", shareWith: "a" },
  amberC: { name: "b-amber-c", tlp: "AMBER", shareWith: "c" },
  strict: { name: "b-strict", tlp: "AMBER+STRICT" },
  red: { name: "b-red", tlp: "RED" },
  unmarked: { name: "b-unmarked" },
};

/** One distinct text per bank, far from each other (no cross matches). */
const TEXTS: Record<BankKey, string> = {
  clear:
    "volunteers gathered near the harbour at sunrise to repaint the old lighthouse before the winter storms arrived",
  green:
    "the orchestra rehearsed a forgotten symphony inside an abandoned cathedral while pigeons circled broken stained glass",
  amberA:
    "farmers in the northern valley traded heirloom barley seeds for copper tools during the annual autumn market festival",
  amberC:
    "astronomers recorded a faint comet crossing the southern sky and published their measurements in a quarterly bulletin",
  strict:
    "a caravan of merchants crossed the salt desert carrying indigo cloth saffron and carved ivory chess pieces for sale",
  red: "engineers tested an experimental submarine beneath arctic ice measuring currents temperature and the songs of whales",
  unmarked:
    "bakers in the mountain village baked rye loaves flavoured with caraway honey and wild thyme every friday morning",
};

const VIEWERS = [
  "a.admin",
  "a.curator",
  "a.submitter",
  "a.reader",
  "c.admin",
  "c.submitter",
  "c.reader",
  "b.admin",
  "b.curator",
  "b.reader",
] as const;
type ViewerName = (typeof VIEWERS)[number];

/**
 * Who sees what — the table of src/core/sharing.ts applied to these banks. A's admin is the
 * person named on the RED bank; being an admin of another organisation grants nothing.
 */
const SEES: Record<ViewerName, readonly BankKey[]> = {
  "a.admin": ["clear", "green", "amberA", "red"],
  "a.curator": ["clear", "green", "amberA"],
  "a.submitter": ["clear", "green", "amberA"],
  "a.reader": ["clear", "green", "amberA"],
  "c.admin": ["clear", "green", "amberC"],
  "c.submitter": ["clear", "green", "amberC"],
  "c.reader": ["clear", "green", "amberC"],
  // The owning organisation sees all its banks, except RED: only its admins and named people.
  "b.admin": BANK_KEYS,
  "b.curator": ["clear", "green", "amberA", "amberC", "strict", "unmarked"],
  "b.reader": ["clear", "green", "amberA", "amberC", "strict", "unmarked"],
};

interface BankView {
  id: number;
  org_id: number;
  name: string;
  tlp: string;
  share_with_org_ids?: number[];
  reader_person_ids?: number[];
}

interface StoredMatch {
  bankId: number;
  bankName: string;
  signalId: number;
}

describe("sharing: TLP markings through the API", () => {
  let t: TestService;
  const banks = {} as Record<BankKey, BankView>;
  const signals = {} as Record<BankKey, number>;

  const viewer = (name: ViewerName) => {
    const [org, role] = name.split(".") as ["a" | "b" | "c", Role];
    return { name, role, key: t.keys[org][role], personId: t.people[org][role], orgId: t.orgs[org].id };
  };
  const get = (who: ViewerName, url: string) => t.call(viewer(who).key, { method: "GET", url });
  const send = (who: ViewerName, method: "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
    t.call(viewer(who).key, {
      method,
      url,
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
  const ourIds = () => new Set(BANK_KEYS.map((k) => banks[k].id));
  const keyOf = (id: number): BankKey | undefined => BANK_KEYS.find((k) => banks[k].id === id);
  /** Our banks among a list of bank ids, by key, sorted. */
  const keysOf = (ids: readonly number[]): BankKey[] =>
    [...new Set(ids.filter((id) => ourIds().has(id)).map((id) => keyOf(id)!))].sort();
  const expected = (who: ViewerName): BankKey[] => [...SEES[who]].sort();
  const show = (r: LightMyRequestResponse) => `${r.statusCode} ${r.body.slice(0, 300)}`;

  before(async () => {
    t = await startTestService();
    for (const k of BANK_KEYS) {
      const m = MARKINGS[k];
      const r = await send("b.admin", "POST", "/v1/banks", {
        name: m.name,
        ...(m.tlp ? { tlp: m.tlp } : {}),
        ...(m.shareWith ? { share_with_org_ids: [t.orgs[m.shareWith].id] } : {}),
        ...(k === "red" ? { reader_person_ids: [t.people.a.admin] } : {}),
      });
      assert.equal(r.statusCode, 201, `creating ${m.name}: ${show(r)}`);
      banks[k] = json<BankView>(r);
      const added = await send("b.admin", "POST", `/v1/banks/${banks[k].id}/signals`, {
        signals: [{ type: "text", value: TEXTS[k] }],
      });
      assert.equal(added.statusCode, 200, `adding a signal to ${m.name}: ${show(added)}`);
      assert.equal(json<{ created: number }>(added).created, 1);
      const [signal] = await t.s.store.listSignals(banks[k].id);
      assert.ok(signal, `the signal of ${m.name}`);
      signals[k] = signal.id;
    }
  });
  after(async () => {
    await t?.close();
  });

  it("each marking is stored as asked; no marking means AMBER+STRICT; the RED creator stays a reader", () => {
    assert.deepEqual(Object.fromEntries(BANK_KEYS.map((k) => [k, banks[k].tlp])), {
      clear: "CLEAR",
      green: "GREEN",
      amberA: "AMBER",
      amberC: "AMBER",
      strict: "AMBER+STRICT",
      red: "RED",
      unmarked: "AMBER+STRICT",
    });
    assert.deepEqual(banks.amberA.share_with_org_ids, [t.orgs.a.id]);
    assert.deepEqual(banks.amberC.share_with_org_ids, [t.orgs.c.id]);
    assert.deepEqual([...banks.red.reader_person_ids!].sort(), [t.people.a.admin, t.people.b.admin].sort());
    for (const k of BANK_KEYS) assert.equal(banks[k].org_id, t.orgs.b.id);
  });

  it("the expected table agrees with canSeeBank in src/core/sharing.ts", async () => {
    t.s.access.invalidate();
    for (const who of VIEWERS) {
      const v = viewer(who);
      const seen: BankKey[] = [];
      for (const k of BANK_KEYS) {
        const bank = await t.s.store.getBank(banks[k].id);
        assert.ok(bank);
        if (canSeeBank(v, bank, await t.s.access.sharingOf(bank.id))) seen.push(k);
      }
      assert.deepEqual(seen.sort(), expected(who), `${who}: the test's table disagrees with core/sharing.ts`);
    }
  });

  it("GET /v1/banks and GET /v1/banks/:id show each viewer exactly the banks it may see", async () => {
    for (const who of VIEWERS) {
      const list = await get(who, "/v1/banks");
      assert.equal(list.statusCode, 200, `${who}: ${show(list)}`);
      const listed = json<{ banks: BankView[] }>(list).banks;
      assert.deepEqual(keysOf(listed.map((b) => b.id)), expected(who), `${who}: GET /v1/banks`);
      for (const k of BANK_KEYS) {
        const one = await get(who, `/v1/banks/${banks[k].id}`);
        const visible = SEES[who].includes(k);
        assert.equal(one.statusCode, visible ? 200 : 404, `${who}: GET /v1/banks/:${k} → ${show(one)}`);
        if (!visible) assert.ok(!one.body.includes(MARKINGS[k].name), `${who}: the 404 names the bank`);
      }
      // Who else may see a bank is its owner's business only.
      const own = viewer(who).orgId === t.orgs.b.id;
      for (const b of listed.filter((x) => ourIds().has(x.id))) {
        assert.equal("share_with_org_ids" in b, own, `${who}: share_with_org_ids of ${b.name}`);
        assert.equal("reader_person_ids" in b, own, `${who}: reader_person_ids of ${b.name}`);
      }
    }
  });

  it("GET /v1/banks/:id/signals and GET /v1/signals/:id follow the same table (403 without signal.read)", async () => {
    for (const who of VIEWERS) {
      const allowed = can(viewer(who).role, "signal.read");
      for (const k of BANK_KEYS) {
        const visible = SEES[who].includes(k);
        const want = !allowed ? 403 : visible ? 200 : 404;
        const list = await get(who, `/v1/banks/${banks[k].id}/signals`);
        assert.equal(list.statusCode, want, `${who}: GET /v1/banks/:${k}/signals → ${show(list)}`);
        const one = await get(who, `/v1/signals/${signals[k]}`);
        assert.equal(one.statusCode, want, `${who}: GET /v1/signals/:${k} → ${show(one)}`);
        if (want === 200) {
          assert.deepEqual(
            json<{ signals: { value: string }[] }>(list).signals.map((s) => s.value),
            [TEXTS[k]],
          );
          assert.equal(json<{ value: string }>(one).value, TEXTS[k]);
        } else {
          assert.ok(!list.body.includes(TEXTS[k]) && !one.body.includes(TEXTS[k]), `${who}: ${k}'s signal leaked`);
        }
      }
    }
  });

  it("POST /v1/match matches only the banks the caller may see (403 without match.lookup)", async () => {
    for (const who of VIEWERS) {
      const allowed = can(viewer(who).role, "match.lookup");
      for (const k of BANK_KEYS) {
        const r = await send(who, "POST", "/v1/match", { type: "text", value: TEXTS[k] });
        if (!allowed) {
          assert.equal(r.statusCode, 403, `${who}: POST /v1/match → ${show(r)}`);
          continue;
        }
        assert.equal(r.statusCode, 200, `${who}: POST /v1/match → ${show(r)}`);
        const found = keysOf(json<{ matches: { bankId: number }[] }>(r).matches.map((m) => m.bankId));
        assert.deepEqual(found, SEES[who].includes(k) ? [k] : [], `${who}: matching ${k}'s text`);
      }
    }
  });

  it("POST /v1/content: a submitted text matches only the banks its submitter may see", async () => {
    const submitters = VIEWERS.filter((who) => can(viewer(who).role, "content.submit"));
    assert.deepEqual(submitters, ["a.admin", "a.submitter", "c.admin", "c.submitter", "b.admin"]);
    const items = new Map<string, number>();
    for (const who of VIEWERS) {
      for (const k of BANK_KEYS) {
        const r = await t.call(viewer(who).key, {
          method: "POST",
          url: "/v1/content",
          headers: { "idempotency-key": `sharing-${who}-${k}` },
          payload: { text: TEXTS[k] },
        });
        if (!submitters.includes(who)) {
          assert.equal(r.statusCode, 403, `${who}: POST /v1/content → ${show(r)}`);
          continue;
        }
        assert.equal(r.statusCode, 202, `${who}: POST /v1/content → ${show(r)}`);
        items.set(`${who}/${k}`, json<{ id: number }>(r).id);
      }
    }
    await t.drain();
    for (const who of submitters)
      for (const k of BANK_KEYS) {
        const r = await get(who, `/v1/content/${items.get(`${who}/${k}`)!}`);
        assert.equal(r.statusCode, 200, `${who}: GET /v1/content/:id → ${show(r)}`);
        const item = json<{ status: string; matches: StoredMatch[] }>(r);
        assert.equal(item.status, "done", `${who}/${k}: ${show(r)}`);
        assert.deepEqual(
          keysOf(item.matches.map((m) => m.bankId)),
          SEES[who].includes(k) ? [k] : [],
          `${who}: the item with ${k}'s text`,
        );
      }

    // Matches are filtered again for whoever reads the item: A's reader is not named on the
    // RED bank, so the match A's admin got there is not shown to them — nor the bank's name.
    const redItem = await get("a.reader", `/v1/content/${items.get("a.admin/red")!}`);
    assert.equal(redItem.statusCode, 200);
    assert.deepEqual(json<{ matches: StoredMatch[] }>(redItem).matches, []);
    assert.ok(!redItem.body.includes(MARKINGS.red.name), "A's reader sees the RED bank's name");
    const greenItem = await get("a.reader", `/v1/content/${items.get("a.admin/green")!}`);
    assert.deepEqual(keysOf(json<{ matches: StoredMatch[] }>(greenItem).matches.map((m) => m.bankId)), ["green"]);
    const listing = await get("a.reader", "/v1/content?limit=500");
    assert.equal(listing.statusCode, 200);
    assert.ok(!listing.body.includes(MARKINGS.red.name), "GET /v1/content shows A's reader the RED bank");
    const all = json<{ items: { matches: StoredMatch[] }[] }>(listing).items.flatMap((i) => i.matches);
    assert.deepEqual(keysOf(all.map((m) => m.bankId)), ["amberA", "clear", "green"]);
    // And items of one organisation are never another's.
    const foreign = await get("c.reader", `/v1/content/${items.get("a.admin/green")!}`);
    assert.equal(foreign.statusCode, 404);
  });

  it("another organisation cannot change B's banks, even those it sees; B's own non-admins cannot touch RED", async () => {
    const before = await Promise.all(
      BANK_KEYS.map(async (k) => ({
        bank: await t.s.store.getBank(banks[k].id),
        signals: await t.s.store.listSignals(banks[k].id, { includeRetracted: true }),
      })),
    );
    const attempts = (bank: BankKey) =>
      [
        ["PATCH", `/v1/banks/${banks[bank].id}`, { description: "hijacked", tlp: "CLEAR" }],
        ["DELETE", `/v1/banks/${banks[bank].id}`, undefined],
        [
          "POST",
          `/v1/banks/${banks[bank].id}/signals`,
          { signals: [{ type: "text", value: "planted by a stranger" }] },
        ],
        ["DELETE", `/v1/signals/${signals[bank]}`, undefined],
      ] as const;
    const cases: [ViewerName, BankKey, number][] = [
      // Visible but not theirs: 403.
      ["a.admin", "green", 403],
      ["a.curator", "green", 403],
      ["c.admin", "green", 403],
      ["a.curator", "clear", 403],
      ["a.curator", "amberA", 403],
      ["c.admin", "amberC", 403],
      ["a.admin", "red", 403],
      // Not visible at all: 404, as if it did not exist.
      ["a.admin", "strict", 404],
      ["a.curator", "amberC", 404],
      ["c.admin", "red", 404],
      ["c.admin", "unmarked", 404],
      // RED is for named people and the owning organisation's admins: B's curator does not see it.
      ["b.curator", "red", 404],
    ];
    for (const [who, bank, status] of cases)
      for (const [method, url, payload] of attempts(bank)) {
        const r = await send(who, method, url, payload);
        assert.equal(r.statusCode, status, `${who}: ${method} ${url} (${bank}) → ${show(r)}`);
      }
    const afterwards = await Promise.all(
      BANK_KEYS.map(async (k) => ({
        bank: await t.s.store.getBank(banks[k].id),
        signals: await t.s.store.listSignals(banks[k].id, { includeRetracted: true }),
      })),
    );
    assert.deepEqual(afterwards, before, "a refused change changed a bank or its signals");
    // Control: B's curator may change B's banks it can see.
    const own = await send("b.curator", "PATCH", `/v1/banks/${banks.unmarked.id}`, { description: "curated" });
    assert.equal(own.statusCode, 200, show(own));
  });

  it("the audit log records each bank's creation with actor and source", async () => {
    const r = await get("b.admin", "/v1/audit?limit=1000");
    assert.equal(r.statusCode, 200, show(r));
    const entries = json<{
      entries: {
        action: string;
        target: string;
        actor: string;
        source: string;
        orgId: number;
        personId: number;
        at: string;
        detail: Record<string, unknown>;
      }[];
    }>(r).entries;
    for (const k of BANK_KEYS) {
      const created = entries.filter((e) => e.action === "bank.create" && e.target === `bank:${banks[k].id}`);
      assert.equal(created.length, 1, `one bank.create entry for ${MARKINGS[k].name}`);
      const e = created[0]!;
      assert.equal(e.actor, "b-admin (admin, Government B)");
      assert.equal(e.source, "127.0.0.1");
      assert.equal(e.orgId, t.orgs.b.id);
      assert.equal(e.personId, t.people.b.admin);
      assert.deepEqual(e.detail, { name: MARKINGS[k].name, tlp: banks[k].tlp });
      assert.ok(!Number.isNaN(Date.parse(e.at)), `at: ${e.at}`);
      const added = entries.filter((x) => x.action === "signal.add" && x.target === `bank:${banks[k].id}`);
      assert.equal(added.length, 1, `one signal.add entry for ${MARKINGS[k].name}`);
      assert.equal(added[0]!.detail.created, 1);
    }
    // Refused attempts by others changed nothing, so B's log shows nothing from them.
    assert.ok(entries.every((e) => e.orgId === t.orgs.b.id && e.actor.endsWith(", Government B)")));
    // The log is B's: A's admin does not see B's entries, and B's curator may not read it.
    const other = await get("a.admin", "/v1/audit?limit=1000");
    assert.equal(other.statusCode, 200);
    const targets = new Set(BANK_KEYS.map((k) => `bank:${banks[k].id}`));
    assert.ok(json<{ entries: { target: string }[] }>(other).entries.every((e) => !targets.has(e.target)));
    assert.equal((await get("b.curator", "/v1/audit")).statusCode, 403);
  });

  it("the HMA-compatible routes follow the same table: /c/banks, /c/bank/:name, /m/lookup, /m/raw_lookup", async () => {
    // B's banks keep their names for B; another organisation knows them by a name carrying B.
    const foreign = (k: BankKey) => `GOVERNMENT_B__${MARKINGS[k].name.toUpperCase().replace(/-/g, "_")}`;
    const hma = (who: ViewerName, k: BankKey) => (who.startsWith("b.") ? MARKINGS[k].name : foreign(k));
    const names = new Map(BANK_KEYS.flatMap((k) => [[MARKINGS[k].name, k] as const, [foreign(k), k] as const]));
    const byName = (list: readonly string[]): BankKey[] =>
      [...new Set(list.filter((n) => names.has(n)).map((n) => names.get(n)!))].sort();
    // HMA names bank content by its own ids (a content holds a signal; issue 17): each bank's
    // content id as a viewer that sees the bank finds it.
    const contents = {} as Record<BankKey, number>;
    for (const k of BANK_KEYS) {
      const who = VIEWERS.find((v) => SEES[v].includes(k) && can(viewer(v).role, "match.lookup"))!;
      const raw = await get(who, `/m/raw_lookup?signal_type=text&signal=${encodeURIComponent(TEXTS[k])}`);
      const ids = json<{ matches: number[] }>(raw).matches;
      assert.equal(ids.length, 1, `${k}: one content holds its text (${show(raw)})`);
      contents[k] = ids[0]!;
    }
    for (const who of VIEWERS) {
      const list = await get(who, "/c/banks");
      assert.equal(list.statusCode, 200, `${who}: GET /c/banks → ${show(list)}`);
      assert.deepEqual(byName(json<{ name: string }[]>(list).map((b) => b.name)), expected(who), `${who}: /c/banks`);
      for (const k of BANK_KEYS) {
        const one = await get(who, `/c/bank/${hma(who, k)}`);
        assert.equal(one.statusCode, SEES[who].includes(k) ? 200 : 404, `${who}: GET /c/bank/${hma(who, k)}`);
        const signal = await get(who, `/c/bank/${hma(who, k)}/content/${contents[k]}?include_signals=true`);
        const want = !can(viewer(who).role, "signal.read") ? 403 : SEES[who].includes(k) ? 200 : 404;
        assert.equal(signal.statusCode, want, `${who}: GET /c/bank/${hma(who, k)}/content/:id → ${show(signal)}`);
        if (want !== 200) assert.ok(!signal.body.includes(TEXTS[k]), `${who}: ${k}'s signal leaked`);
        if (!can(viewer(who).role, "match.lookup")) continue;
        const q = `signal_type=text&signal=${encodeURIComponent(TEXTS[k])}`;
        const lookup = await get(who, `/m/lookup?${q}`);
        assert.equal(lookup.statusCode, 200, `${who}: GET /m/lookup → ${show(lookup)}`);
        assert.deepEqual(byName(Object.keys(json(lookup))), SEES[who].includes(k) ? [k] : [], `${who}: /m/lookup ${k}`);
        const raw = await get(who, `/m/raw_lookup?${q}`);
        assert.equal(raw.statusCode, 200, `${who}: GET /m/raw_lookup → ${show(raw)}`);
        assert.deepEqual(
          json<{ matches: number[] }>(raw).matches.filter((id) => Object.values(contents).includes(id)),
          SEES[who].includes(k) ? [contents[k]] : [],
          `${who}: /m/raw_lookup ${k}`,
        );
      }
    }
    // Changing through HMA is reserved to the owner too: 403 where visible, and an invisible
    // bank answers as one that does not exist (DELETE: HMA's "Done") — and survives.
    const before = await Promise.all(BANK_KEYS.map((k) => t.s.store.getBank(banks[k].id)));
    for (const who of ["a.admin", "a.curator", "c.admin"] as const) {
      const r1 = await t.call(viewer(who).key, {
        method: "PUT",
        url: `/c/bank/${hma(who, "green")}`,
        payload: { enabled_ratio: 0 },
      });
      assert.equal(r1.statusCode, 403, `${who}: PUT /c/bank/b-green → ${show(r1)}`);
      const r2 = await send(who, "POST", `/c/bank/${hma(who, "green")}/signal`, { text: "planted by a stranger" });
      assert.equal(r2.statusCode, 403, `${who}: POST /c/bank/b-green/signal → ${show(r2)}`);
      const r3 = await send(who, "DELETE", `/c/bank/${hma(who, "green")}/content/${signals.green}`);
      assert.equal(r3.statusCode, 403, `${who}: DELETE /c/bank/b-green/content/:id → ${show(r3)}`);
      const r4 = await send(who, "DELETE", `/c/bank/${hma(who, "green")}`);
      assert.equal(r4.statusCode, 403, `${who}: DELETE /c/bank/b-green → ${show(r4)}`);
      const r5 = await send(who, "DELETE", `/c/bank/${hma(who, "strict")}`);
      const none = await send(who, "DELETE", "/c/bank/NO_SUCH_BANK");
      assert.deepEqual([r5.statusCode, r5.body], [none.statusCode, none.body], `${who}: DELETE /c/bank/b-strict`);
    }
    assert.deepEqual(await Promise.all(BANK_KEYS.map((k) => t.s.store.getBank(banks[k].id))), before);
    assert.equal((await t.s.store.getSignal(signals.green))?.status, "active");
  });

  it("a change of marking takes effect at once, and the sharing group survives it", async () => {
    const id = banks.amberA.id;
    const narrowed = await send("b.admin", "PATCH", `/v1/banks/${id}`, { tlp: "AMBER+STRICT" });
    assert.equal(narrowed.statusCode, 200, show(narrowed));
    assert.equal((await get("a.curator", `/v1/banks/${id}`)).statusCode, 404);
    const listed = json<{ banks: BankView[] }>(await get("a.curator", "/v1/banks")).banks.map((b) => b.id);
    assert.ok(!listed.includes(id));
    const m = await send("a.curator", "POST", "/v1/match", { type: "text", value: TEXTS.amberA });
    assert.deepEqual(json<{ matches: unknown[] }>(m).matches, []);

    const widened = await send("b.admin", "PATCH", `/v1/banks/${id}`, { tlp: "AMBER" });
    assert.equal(widened.statusCode, 200, show(widened));
    assert.deepEqual(json<BankView>(widened).share_with_org_ids, [t.orgs.a.id]);
    assert.equal((await get("a.curator", `/v1/banks/${id}`)).statusCode, 200);
    assert.equal((await get("c.reader", `/v1/banks/${id}`)).statusCode, 404);
    const m2 = await send("a.curator", "POST", "/v1/match", { type: "text", value: TEXTS.amberA });
    assert.deepEqual(keysOf(json<{ matches: { bankId: number }[] }>(m2).matches.map((x) => x.bankId)), ["amberA"]);
  });

  // Refused requests change nothing (these were bugs once: the sharing lists were checked only
  // after the bank was written, and an admin could mint a key as a colleague named on a RED bank).
  it("a PATCH refused for an unknown share_with_org_ids id does not widen the marking", async () => {
    const id = banks.strict.id;
    const r = await send("b.admin", "PATCH", `/v1/banks/${id}`, { tlp: "GREEN", share_with_org_ids: [999_999] });
    assert.equal(r.statusCode, 400, show(r));
    // The caller was told no; the bank must still be AMBER+STRICT and invisible to A.
    const seen = await get("a.reader", `/v1/banks/${id}`);
    const tlp = (await t.s.store.getBank(id))?.tlp;
    // Put it back whatever happened, so that nothing else depends on this test's outcome.
    if (tlp !== "AMBER+STRICT") await send("b.admin", "PATCH", `/v1/banks/${id}`, { tlp: "AMBER+STRICT" });
    assert.equal(tlp, "AMBER+STRICT", "LEAK: the refused PATCH marked B's AMBER+STRICT bank GREEN");
    assert.equal(seen.statusCode, 404, `LEAK: A's reader sees B's AMBER+STRICT bank: ${show(seen)}`);
  });

  it("a POST /v1/banks refused for an unknown id in its sharing lists does not create the bank", async () => {
    const r = await send("b.admin", "POST", "/v1/banks", {
      name: "b-half-made",
      tlp: "AMBER",
      share_with_org_ids: [999_999],
    });
    assert.equal(r.statusCode, 400, show(r));
    const made = await t.s.store.getBankByName(t.orgs.b.id, "b-half-made");
    assert.equal(made, undefined, "the refused request created the bank anyway (and did not audit it)");
    const retry = await send("b.admin", "POST", "/v1/banks", { name: "b-half-made", tlp: "AMBER" });
    assert.equal(retry.statusCode, 201, `the corrected retry must succeed: ${show(retry)}`);
  });
  it("an admin of the named person's organisation cannot borrow their RED access by minting a key", async () => {
    const other = await t.s.access.createKey(t.orgs.a, "admin", "a-admin-2");
    const red = `/v1/banks/${banks.red.id}/signals`;
    // Not named on the RED bank: it does not exist for them.
    assert.equal((await t.call(other.token, { method: "GET", url: red })).statusCode, 404);
    // So they issue themselves a key as the named person, A's admin...
    const minted = await t.call(other.token, {
      method: "POST",
      url: "/v1/keys",
      payload: { person: "a-admin", role: "admin" },
    });
    const borrowed = minted.statusCode === 201 ? json<{ key: string }>(minted).key : undefined;
    const seen = borrowed ? await t.call(borrowed, { method: "GET", url: red }) : undefined;
    assert.ok(
      !seen || seen.statusCode === 404,
      `LEAK: a-admin-2 minted a key for a-admin (${show(minted)}) and read B's RED bank: ${seen ? show(seen) : ""}`,
    );
  });
});
