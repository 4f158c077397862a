/**
 * Counter-messaging over HTTP (issue 20): the library's workflow (a curator drafts, only the
 * owner's admin or reviewer approves), keyword sets, POST /v1/redirect finding the narrative
 * by keywords (Arabic-normalised), banked matches and the classifier with its reasons, TLP on
 * what is served, signed events (bad signature → 401 naming why; a duplicate → duplicate:true),
 * the public tracking link, and campaign figures recomputed from the recorded events.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { webhookHeaders } from "../../src/kernels/webhook/signature.js";
import { proportion } from "../../src/kernels/quantify/index.js";
import { json, startTestService, type TestService } from "../support/service.js";

interface Item {
  id: number;
  status: string;
  narratives: string[];
}
interface Redirect {
  lang: string | null;
  narratives: { narrative: string; score: number }[];
  reasons: { source: string; narrative: string | null; detail: string; weight: number }[];
  items: { item: Item; narrative: string; token: string; trackingUrl: string }[];
}

describe("counter-messaging over HTTP", () => {
  let t: TestService;
  let arCaliphate: Item;
  let arCaliphate2: Item;
  let enBelonging: Item;
  let otherStrict: Item;
  let secret: string;

  const add = async (key: string, body: Record<string, unknown>) => {
    const r = await t.call(key, { method: "POST", url: "/v1/counter/items", payload: body });
    assert.equal(r.statusCode, 201, r.body);
    return json<Item>(r);
  };
  const approve = async (key: string, id: number) => {
    const r = await t.call(key, { method: "POST", url: `/v1/counter/items/${id}/approve` });
    assert.equal(r.statusCode, 200, r.body);
    return json<Item>(r);
  };
  const redirect = async (key: string, body: Record<string, unknown>) => {
    const r = await t.call(key, { method: "POST", url: "/v1/redirect", payload: body });
    assert.equal(r.statusCode, 200, r.body);
    return json<Redirect>(r);
  };
  const sendEvents = (key: string, events: unknown[], sign = secret, ts = Math.floor(Date.now() / 1000)) => {
    const body = JSON.stringify({ events });
    return t.call(key, {
      method: "POST",
      url: "/v1/redirect/events",
      payload: body,
      headers: { "content-type": "application/json", ...webhookHeaders(sign, `batch-${Math.random()}`, ts, body) },
    });
  };

  before(async () => {
    t = await startTestService({ workers: false });
    const a = t.keys.a;
    arCaliphate = await add(a.curator, {
      kind: "video",
      title: "شهادات العائدين",
      url: "https://example.org/v/returnees",
      narratives: ["caliphate-utopia"],
      lang: "ar",
      tlp: "CLEAR",
      audience: "searchers for travel",
    });
    arCaliphate2 = await add(a.curator, {
      kind: "text",
      title: "الحياة تحت التنظيم",
      body: "ما لا يقولونه عن الحياة هناك",
      narratives: ["caliphate-utopia", "belonging"],
      lang: "ar",
      tlp: "AMBER+STRICT",
    });
    enBelonging = await add(a.curator, {
      kind: "url",
      title: "You belong here",
      url: "https://example.org/belong",
      narratives: ["belonging", "recruitment"],
      lang: "en",
      tlp: "GREEN",
    });
    otherStrict = await add(t.keys.b.curator, {
      kind: "url",
      title: "B's own",
      url: "https://example.org/b",
      narratives: ["caliphate-utopia"],
      lang: "ar",
      tlp: "AMBER+STRICT",
    });
    const kw = await t.call(a.curator, {
      method: "POST",
      url: "/v1/counter/keywords",
      payload: { narrative: "caliphate-utopia", phrases: ["الخلافة", "hijra to the caliphate"] },
    });
    assert.equal(kw.statusCode, 201, kw.body);
    await t.call(a.curator, {
      method: "POST",
      url: "/v1/counter/keywords",
      payload: { narrative: "belonging", phrases: ["brotherhood", "join the brothers"] },
    });
    const s = await t.call(a.admin, { method: "POST", url: "/v1/redirect/secret" });
    assert.equal(s.statusCode, 201, s.body);
    secret = json<{ secret: string }>(s).secret;
  });
  after(() => t.close());

  test("drafts are served by no redirect; only the owner's admin or reviewer approves", async () => {
    const before = await redirect(t.keys.a.submitter, { query: "كيف الهجرة إلى الخلافة" });
    assert.equal(before.items.length, 0, "nothing approved yet");
    const byCurator = await t.call(t.keys.a.curator, {
      method: "POST",
      url: `/v1/counter/items/${arCaliphate.id}/approve`,
    });
    assert.equal(byCurator.statusCode, 403, "a curator drafts but does not approve");
    const byOther = await t.call(t.keys.b.admin, {
      method: "POST",
      url: `/v1/counter/items/${arCaliphate.id}/approve`,
    });
    assert.equal(byOther.statusCode, 404, "another member cannot see A's draft");
    assert.equal((await approve(t.keys.a.reviewer, arCaliphate.id)).status, "approved");
    await approve(t.keys.a.admin, arCaliphate2.id);
    await approve(t.keys.a.admin, enBelonging.id);
    await approve(t.keys.b.admin, otherStrict.id);
    const again = await t.call(t.keys.a.admin, { method: "POST", url: `/v1/counter/items/${arCaliphate.id}/approve` });
    assert.equal(again.statusCode, 409);
    assert.match(json<{ error: { message: string } }>(again).error.message, /approved: it cannot become approved/);
  });

  test("the redirect finds the narrative by Arabic-normalised keywords and serves approved items in the language", async () => {
    // "والخلافه": a proclitic و and ة written as ه still find the keyword "الخلافة".
    const r = await redirect(t.keys.a.submitter, { query: "طريق الهجره والخلافه", lang: "ar" });
    assert.equal(r.lang, "ar");
    assert.ok(
      r.reasons.some((x) => x.source === "keyword" && x.narrative === "caliphate-utopia" && x.detail === "الخلافة"),
    );
    const ids = r.items.map((x) => x.item.id);
    assert.ok(ids.includes(arCaliphate.id) && ids.includes(arCaliphate2.id), JSON.stringify(ids));
    assert.ok(!ids.includes(otherStrict.id), "another member's AMBER+STRICT item is never served to A");
    assert.ok(!ids.includes(enBelonging.id), "English items are not served for an Arabic query");
    assert.ok(r.items.every((x) => x.trackingUrl === `/v1/redirect/go/${x.token}`));
    // B is served its own AMBER+STRICT item and A's CLEAR item, never A's AMBER+STRICT one.
    const rb = await redirect(t.keys.b.curator, { query: "الخلافة", lang: "ar" });
    const idsB = rb.items.map((x) => x.item.id).sort();
    assert.deepEqual(idsB, [arCaliphate.id, otherStrict.id].sort());
  });

  test("banked content the caller may see gives its behaviour labels as narratives", async () => {
    const bank = await t.s.banks.createBank({ orgId: t.orgs.a.id, name: "recruitment-bank" });
    t.s.access.invalidate();
    const text =
      "come and join us in the land of honour brothers the gates are open for every young man who wants a life of purpose";
    await t.s.banks.addSignals(bank.id, [{ line: 1, raw: { type: "text", value: text, behaviour: ["recruitment"] } }]);
    const r = await redirect(t.keys.a.submitter, { text, lang: "en" });
    const bankReason = r.reasons.find((x) => x.source === "bank");
    assert.ok(bankReason, JSON.stringify(r.reasons));
    assert.equal(bankReason.narrative, "recruitment");
    assert.deepEqual(
      r.items.map((x) => x.item.id),
      [enBelonging.id],
    );
    // C cannot see A's AMBER+STRICT bank: no bank reason for it.
    const rc = await redirect(t.keys.c.admin, { text, lang: "en" });
    assert.ok(!rc.reasons.some((x) => x.source === "bank"));
  });

  test("bad input: nothing to look up, an unknown hash type", async () => {
    const empty = await t.call(t.keys.a.submitter, { method: "POST", url: "/v1/redirect", payload: {} });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /give a query, or a post's text, url or mediaHash/);
    const hash = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/redirect",
      payload: { mediaHash: "sha1:ab" },
    });
    assert.equal(hash.statusCode, 400);
    assert.match(json<{ error: { message: string } }>(hash).error.message, /unknown hash type "sha1"/);
    const kind = await t.call(t.keys.a.curator, {
      method: "POST",
      url: "/v1/counter/items",
      payload: { kind: "video", title: "x", narratives: ["victimhood"], lang: "en" },
    });
    assert.equal(kind.statusCode, 400);
    assert.match(kind.body, /a video item needs the URL/);
  });

  test("events: signed per member, precise 401s, de-duplicated by id; figures recompute from them", async () => {
    const served = await redirect(t.keys.a.submitter, { query: "الخلافة", lang: "ar" });
    const token = served.items.find((x) => x.item.id === arCaliphate.id)!.token;
    const events = [
      { id: "e1", kind: "impression", token },
      { id: "e2", kind: "click", token },
      { id: "e3", kind: "watch", token, watchSeconds: 42 },
    ];
    const unsigned = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/redirect/events",
      payload: { events },
    });
    assert.equal(unsigned.statusCode, 401);
    assert.match(unsigned.body, /missing headers webhook-id, webhook-timestamp, webhook-signature/);
    const wrong = await sendEvents(t.keys.a.submitter, events, `whsec_${Buffer.alloc(32, 7).toString("base64")}`);
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /does not match the body under your organisation's event secret/);
    const stale = await sendEvents(t.keys.a.submitter, events, secret, Math.floor(Date.now() / 1000) - 3600);
    assert.equal(stale.statusCode, 401);
    assert.match(stale.body, /from the server's clock/);
    const noSecret = await sendEvents(t.keys.b.curator, events);
    assert.equal(noSecret.statusCode, 401);
    assert.match(noSecret.body, /has no event secret yet/);

    const ok = await sendEvents(t.keys.a.submitter, events);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(json(ok), {
      results: events.map((e) => ({ id: e.id, duplicate: false })),
      recorded: 3,
      duplicates: 0,
      duplicate: false,
    });
    const dup = await sendEvents(t.keys.a.submitter, events.slice(0, 1));
    assert.equal(dup.statusCode, 200);
    assert.equal(json<{ duplicate: boolean }>(dup).duplicate, true);

    const forged = await sendEvents(t.keys.a.submitter, [
      { id: "e9", kind: "click", token: `${token.slice(0, -2)}xx` },
    ]);
    assert.equal(forged.statusCode, 400);
    assert.match(forged.body, /events\[0\]\.token: the signature does not match/);
    const noSeconds = await sendEvents(t.keys.a.submitter, [{ id: "e10", kind: "watch", token }]);
    assert.equal(noSeconds.statusCode, 400);
    assert.match(noSeconds.body, /events\[0\]\.watchSeconds/);

    // Nine more impressions of the same item, one clicked; and the tracking link followed.
    const more = [];
    for (let i = 0; i < 9; i++) {
      const r = await redirect(t.keys.a.submitter, { query: "الخلافة", lang: "ar" });
      const tok = r.items.find((x) => x.item.id === arCaliphate.id)!.token;
      more.push({ id: `m${i}`, kind: "impression", token: tok });
      if (i === 0) more.push({ id: `m${i}c`, kind: "click", token: tok });
      if (i < 3) more.push({ id: `m${i}w`, kind: "watch", token: tok, watchSeconds: 10 + i });
    }
    assert.equal((await sendEvents(t.keys.a.submitter, more)).statusCode, 200);
    const follow = await t.call(undefined, {
      method: "GET",
      url: served.items.find((x) => x.item.id === arCaliphate.id)!.trackingUrl,
    });
    assert.equal(follow.statusCode, 303);
    assert.equal(follow.headers.location, "https://example.org/v/returnees");
    const bogus = await t.call(undefined, { method: "GET", url: "/v1/redirect/go/abc.def" });
    assert.equal(bogus.statusCode, 400);

    const figures = await t.call(t.keys.a.reader, {
      method: "GET",
      url: `/v1/measure/counter?by=item&item=${arCaliphate.id}`,
    });
    assert.equal(figures.statusCode, 200, figures.body);
    const row = json<{
      rows: {
        key: string;
        impressions: number;
        clicks: number;
        views: number;
        watchSeconds: number;
        ctr: { rate: number; low: number; high: number };
        meanWatch: { mean: number; n: number };
      }[];
    }>(figures).rows[0]!;
    // 10 impressions, 2 clicked (the first: by event and by link, once), 4 views: 42, 10, 11, 12 s.
    assert.equal(row.impressions, 10);
    assert.equal(row.clicks, 2);
    assert.equal(row.views, 4);
    assert.equal(row.watchSeconds, 75);
    assert.equal(row.meanWatch.mean, 75 / 4);
    const w = proportion(2, 10);
    assert.deepEqual(row.ctr, { rate: 0.2, low: w.low, high: w.high });
    // B sees none of A's figures.
    const forB = json<{ rows: unknown[] }>(await t.call(t.keys.b.admin, { method: "GET", url: "/v1/measure/counter" }));
    assert.equal(forB.rows.length, 0);
  });

  test("comparison of two items on the same narrative; items on none in common are refused", async () => {
    const r = await t.call(t.keys.a.reader, {
      method: "GET",
      url: `/v1/measure/counter/compare?a=${arCaliphate.id}&b=${arCaliphate2.id}`,
    });
    assert.equal(r.statusCode, 200, r.body);
    const c = json<{ narratives: string[]; ctr: { pValue: number; difference: number; method: string } }>(r);
    assert.deepEqual(c.narratives, ["caliphate-utopia"]);
    assert.equal(c.ctr.difference, 0.2);
    assert.ok(c.ctr.pValue > 0 && c.ctr.pValue <= 1);
    const none = await t.call(t.keys.a.reader, {
      method: "GET",
      url: `/v1/measure/counter/compare?a=${arCaliphate.id}&b=${enBelonging.id}`,
    });
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /answer no narrative in common/);
  });

  test("retired items are no longer served", async () => {
    const r = await t.call(t.keys.a.reviewer, { method: "POST", url: `/v1/counter/items/${arCaliphate.id}/retire` });
    assert.equal(r.statusCode, 200, r.body);
    const after = await redirect(t.keys.a.submitter, { query: "الخلافة", lang: "ar" });
    assert.ok(!after.items.some((x) => x.item.id === arCaliphate.id));
  });
});
