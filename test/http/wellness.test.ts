/**
 * Review wellness and the analyst's routes (issue 18, decision 0028): a person's review
 * preferences, the organisation's daily limit enforced on claims, the exposure counter; a
 * signal owner's view of its signals' hits and members' decisions (counts, no content); the
 * transparency report downloaded; the measure routes' bank, language and scope filters.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { json, startTestService, type TestService } from "../support/service.js";

const B_TEXT = "the caravan of the faithful leaves at dawn from the old market square join them before the gates close";

describe("review wellness, signal hits and reports", () => {
  let t: TestService;
  let bank = 0;
  let reviews: { id: number; item_id: number }[] = [];

  before(async () => {
    t = await startTestService();
    const post = async (key: string, url: string, payload: unknown, headers: Record<string, string> = {}) => {
      const r = await t.call(key, { method: "POST", url, payload: payload as Record<string, unknown>, headers });
      assert.ok(r.statusCode < 300, `${url}: ${r.statusCode} ${r.body}`);
      return json<{ id: number }>(r);
    };
    bank = (await post(t.keys.b.admin, "/v1/banks", { name: "b-green", tlp: "GREEN" })).id;
    await post(t.keys.b.curator, `/v1/banks/${bank}/signals`, {
      signals: [{ type: "text", value: B_TEXT, labels: { entity: ["isis"], behaviour: ["recruitment"] } }],
    });
    await post(t.keys.a.admin, "/v1/rules", { name: "review-all", conditions: {}, actions: [{ type: "review" }] });
    for (let i = 0; i < 4; i++)
      await post(t.keys.a.submitter, "/v1/content", { text: `${B_TEXT} ${i}` }, { "idempotency-key": `t${i}` });
    await t.drain();
    reviews = json<{ reviews: { id: number; item_id: number }[] }>(
      await t.call(t.keys.a.reviewer, { method: "GET", url: "/v1/reviews?limit=100" }),
    ).reviews;
    assert.equal(reviews.length, 4);
  });
  after(() => t.close());

  const get = (key: string, url: string) => t.call(key, { method: "GET", url });
  const put = (key: string, url: string, payload: Record<string, unknown>) =>
    t.call(key, { method: "PUT", url, payload });
  const claim = (key: string, id: number) => t.call(key, { method: "POST", url: `/v1/reviews/${id}/claim` });

  it("keeps each person's preferences on the server, safe by default, with precise errors", async () => {
    const first = json<{ preferences: Record<string, unknown> }>(await get(t.keys.a.reviewer, "/v1/reviews/wellness"));
    assert.deepEqual(first.preferences, {
      blur: 24,
      greyscale: true,
      break_minutes: 30,
      break_items: 40,
      audio: false,
      saved: false,
    });
    const saved = await put(t.keys.a.reviewer, "/v1/reviews/preferences", { blur: 8, break_items: 5 });
    assert.equal(saved.statusCode, 200, saved.body);
    const again = json<{ preferences: Record<string, unknown> }>(await get(t.keys.a.reviewer, "/v1/reviews/wellness"));
    assert.deepEqual(again.preferences, {
      blur: 8,
      greyscale: true,
      break_minutes: 30,
      break_items: 5,
      audio: false,
      saved: true,
    });
    // Another person's preferences are their own.
    const other = json<{ preferences: { blur: number } }>(await get(t.keys.a.admin, "/v1/reviews/wellness"));
    assert.equal(other.preferences.blur, 24);
    const tooStrong = await put(t.keys.a.reviewer, "/v1/reviews/preferences", { blur: 65 });
    assert.equal(tooStrong.statusCode, 400);
    assert.match(tooStrong.body, /blur/);
    const unknown = await put(t.keys.a.reviewer, "/v1/reviews/preferences", { volume: 3 });
    assert.equal(unknown.statusCode, 400);
    assert.match(json<{ error: { message: string } }>(unknown).error.message, /unknown field "volume"/);
    // A submitter has no review screen.
    assert.equal((await get(t.keys.a.submitter, "/v1/reviews/wellness")).statusCode, 403);
  });

  it("enforces the organisation's daily limit on claims; only an admin sets it", async () => {
    assert.equal((await put(t.keys.a.reviewer, "/v1/reviews/daily-limit", { daily_limit: 2 })).statusCode, 403);
    assert.equal((await put(t.keys.a.admin, "/v1/reviews/daily-limit", { daily_limit: 0 })).statusCode, 400);
    const set = await put(t.keys.a.admin, "/v1/reviews/daily-limit", { daily_limit: 2 });
    assert.equal(set.statusCode, 200, set.body);
    assert.equal(json<{ daily_limit: number }>(set).daily_limit, 2);
    const [r1, r2, r3] = reviews;
    assert.equal((await claim(t.keys.a.reviewer, r1!.id)).statusCode, 200);
    assert.equal((await claim(t.keys.a.reviewer, r2!.id)).statusCode, 200);
    const refused = await claim(t.keys.a.reviewer, r3!.id);
    assert.equal(refused.statusCode, 429, refused.body);
    const error = json<{ error: { code: string; message: string } }>(refused).error;
    assert.equal(error.code, "review.daily_limit");
    assert.match(error.message, /opened 2 of 2 items today/);
    // Renewing a claim on an entry already opened today is not a new exposure.
    assert.equal((await claim(t.keys.a.reviewer, r1!.id)).statusCode, 200);
    const exposure = json<{ exposure: { seen_today: number; daily_limit: number; remaining: number } }>(
      await get(t.keys.a.reviewer, "/v1/reviews/wellness"),
    ).exposure;
    assert.deepEqual(
      { seen: exposure.seen_today, limit: exposure.daily_limit, left: exposure.remaining },
      { seen: 2, limit: 2, left: 0 },
    );
    // Another person of the organisation has their own count.
    assert.equal((await claim(t.keys.a.admin, r3!.id)).statusCode, 200);
    await t.call(t.keys.a.admin, { method: "DELETE", url: `/v1/reviews/${r3!.id}/claim` });
    // Lifted: the reviewer carries on.
    assert.equal((await put(t.keys.a.admin, "/v1/reviews/daily-limit", { daily_limit: null })).statusCode, 200);
    assert.equal((await claim(t.keys.a.reviewer, r3!.id)).statusCode, 200);
    const audit = json<{ entries: { action: string }[] }>(await get(t.keys.a.admin, "/v1/audit?limit=50"));
    assert.ok(
      audit.entries.some((e) => e.action === "review.daily_limit"),
      "setting the limit is audited",
    );
  });

  it("shows a signal owner how often its signals hit, by member, and what members decided — counts only", async () => {
    const [r1] = reviews;
    const decided = await t.call(t.keys.a.reviewer, {
      method: "POST",
      url: `/v1/reviews/${r1!.id}/decision`,
      payload: { decision: "violating", labels: { entity: ["isis"] }, reasons: "recruitment call" },
    });
    assert.equal(decided.statusCode, 200, decided.body);
    const r = await get(t.keys.b.curator, "/v1/measure/signal-hits");
    assert.equal(r.statusCode, 200, r.body);
    const h = json<{
      items: number;
      undecided: number;
      decisions: Record<string, number>;
      by_member: { member: string; items: number; decisions: Record<string, number> }[];
      by_signal: { items: number; members: number }[];
      banks: { name: string }[];
    }>(r);
    assert.equal(h.items, 4);
    assert.equal(h.decisions.violating, 1);
    assert.equal(h.undecided, 3);
    assert.deepEqual(
      h.by_member.map((m) => [m.member, m.items, m.decisions.violating]),
      [["Platform A", 4, 1]],
    );
    assert.deepEqual(
      h.by_signal.map((s) => [s.items, s.members]),
      [[4, 1]],
    );
    assert.doesNotMatch(r.body, /caravan|recruitment call/, "no item text, no member's reasons");
    // Another organisation's banks are not the caller's to ask about; it owns none.
    assert.equal((await get(t.keys.a.curator, `/v1/measure/signal-hits?bank=${bank}`)).statusCode, 404);
    assert.equal(json<{ items: number }>(await get(t.keys.a.curator, "/v1/measure/signal-hits")).items, 0);
  });

  it("downloads the transparency report as JSON, CSV and HTML; the coalition's only for the operator", async () => {
    const j = await get(t.keys.a.reader, "/v1/reports/transparency");
    assert.equal(j.statusCode, 200, j.body);
    assert.match(String(j.headers["content-disposition"]), /^attachment; filename="transparency-report-org\d+-/);
    const report = JSON.parse(j.body) as { organisation: string; period: { from: string; to: string } };
    assert.equal(report.organisation, "Platform A");
    assert.ok(!("records" in report));
    const csv = await get(t.keys.a.reader, "/v1/reports/transparency?format=csv");
    assert.match(String(csv.headers["content-type"]), /text\/csv/);
    assert.match(csv.body, /^figure,value/);
    const html = await get(t.keys.a.reader, "/v1/reports/transparency?format=html");
    assert.match(html.body, /<html/);
    assert.match(String(html.headers["content-security-policy"]), /sandbox/);
    assert.equal((await get(t.keys.a.admin, "/v1/reports/transparency?scope=coalition")).statusCode, 403);
    assert.equal((await get(t.keys.a.operator, "/v1/reports/transparency?scope=coalition")).statusCode, 200);
    const back = await get(
      t.keys.a.reader,
      "/v1/reports/transparency?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
    );
    assert.equal(back.statusCode, 400);
    assert.match(back.body, /from must be before to/);
  });

  it("filters the measure routes by bank, language and scope", async () => {
    const all = json<{ overall: { matched: number } }>(await get(t.keys.a.reader, "/v1/measure/takedown"));
    assert.equal(all.overall.matched, 4);
    const inBank = json<{ overall: { matched: number } }>(
      await get(t.keys.a.reader, `/v1/measure/takedown?bank=${bank}`),
    );
    assert.equal(inBank.overall.matched, 4);
    assert.equal((await get(t.keys.a.reader, "/v1/measure/takedown?bank=99999")).statusCode, 404);
    const ar = json<{ overall: { matched: number } }>(await get(t.keys.a.reader, "/v1/measure/takedown?lang=ar"));
    assert.equal(ar.overall.matched, 0, "the English texts are not in Arabic");
    const org = await get(t.keys.c.reader, "/v1/measure/stance?scope=org&interval=week");
    assert.equal(org.statusCode, 200, org.body);
    assert.equal(json<{ overall: { items: number } }>(org).overall.items, 0, "NGO C submitted nothing");
    const coalition = json<{ overall: { items: number } }>(
      await get(t.keys.c.reader, "/v1/measure/stance?interval=week"),
    );
    assert.ok(coalition.overall.items >= 4, "the coalition's classified items, Platform A's included");
  });
});
