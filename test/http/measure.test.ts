/**
 * Measuring through the API: reported outcomes (and their order rules), takedown figures
 * computed from them, text classified in the pipeline driving rules and review priority,
 * prevalence per period with intervals, and the transparency report built from the same
 * records.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { reportCsv } from "../../src/report/csv.js";
import { reportHtml } from "../../src/report/html.js";
import { buildReport } from "../../src/services/report.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { json, startTestService, type TestService } from "../support/service.js";
import { rawDb } from "../support/raw-db.js";

const pgSkip = await postgresSkip();
const BACKENDS: [string, string | false, () => Promise<TestDatabase>][] = [
  ["SQLite", false, () => Promise.resolve(sqliteDatabase())],
  ["PostgreSQL", pgSkip, postgresDatabase],
];

const HOUR = 3_600_000;
const MIN = 60_000;

interface Figures {
  items: number;
  matched: number;
  actioned: number;
  removed: number;
  shareRemoved: number | null;
  withinHourShare: number | null;
  ordersReceived: number;
  ordersWithinHourShare: number | null;
  restored: number;
  timeToRemoval: { count: number; p50: number | null; max: number | null };
}

for (const [backend, skip, makeDb] of BACKENDS)
  describe(`outcomes, takedown figures and the transparency report (${backend})`, { skip }, () => {
    let t: TestService;
    let db: TestDatabase;
    let bankId: number;
    let key = 0;
    const ids: number[] = [];
    const T0 = Date.parse("2026-03-02T08:00:00Z");

    const submit = async (body: Record<string, unknown>, who = t.keys.a.submitter) => {
      const r = await t.call(who, {
        method: "POST",
        url: "/v1/content",
        payload: body,
        headers: { "idempotency-key": `m-${++key}` },
      });
      assert.equal(r.statusCode, 202, r.body);
      return json<{ id: number }>(r).id;
    };
    const outcome = (id: number, body: Record<string, unknown>, who = t.keys.a.submitter) =>
      t.call(who, { method: "POST", url: `/v1/content/${id}/outcomes`, payload: body });

    before(async () => {
      db = await makeDb();
      t = await startTestService({ db });
      const bank = await t.call(t.keys.a.curator, {
        method: "POST",
        url: "/v1/banks",
        payload: { name: "release-links", tlp: "AMBER" },
      });
      bankId = json<{ id: number }>(bank).id;
      const added = await t.call(t.keys.a.curator, {
        method: "POST",
        url: `/v1/banks/${bankId}/signals`,
        payload: {
          signals: [1, 2, 3, 4].map((n) => ({
            type: "url",
            value: `https://justpaste.it/release-${n}`,
            labels: { entity: ["isis"] },
          })),
        },
      });
      assert.equal(added.statusCode, 200, added.body);
      const rule = await t.call(t.keys.a.admin, {
        method: "POST",
        url: "/v1/rules",
        payload: {
          name: "flag",
          conditions: { entity: ["isis"] },
          actions: [{ type: "decision", decision: "remove" }],
        },
      });
      assert.equal(rule.statusCode, 201, rule.body);
      for (const n of [1, 2, 3, 4])
        ids.push(await submit({ url: `https://justpaste.it/release-${n}`, platform: n === 4 ? "Shorts" : "" }));
      await submit({ url: "https://example.org/harmless" }); // not matched: out of scope
      await t.drain();
      // Received at T0 (an hour ago or more), so that outcomes can follow at realistic times.
      await sql`update content_items set received_at = ${T0}, acted_at = case when acted_at is null then null else cast(${T0 + 200} as bigint) end where org_id = ${t.orgs.a.id}`.execute(
        rawDb(t.s),
      );
    });

    after(async () => {
      await t?.close();
      await db?.drop();
    });

    test("outcomes must follow what they answer, with a precise error", async () => {
      const [a] = ids;
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ kind: "restored", reason: "complaint" }, /^restored: the item was not removed or disabled/],
        [{ kind: "not_actioned", reason: "manifest_error" }, /^not_actioned: only a removal order/],
        [{ kind: "removal_order" }, /^removal_order: name the competent authority/],
        [{ kind: "removed" }, /^removed: basis must be one of removal_order, referral/],
        [{ kind: "removed", basis: "removal_order" }, /no removal order was recorded/],
        [{ kind: "complaint_upheld" }, /no complaint was recorded/],
        [{ kind: "removed", basis: "hash_match", at: Date.now() + HOUR }, /^at: in the future/],
        [{ kind: "deleted" }, /kind/],
      ];
      for (const [body, message] of cases) {
        const r = await outcome(a!, body);
        assert.equal(r.statusCode, 400, `${JSON.stringify(body)} → ${r.body}`);
        assert.match(json<{ error: { message: string } }>(r).error.message, message);
      }
      // Another member cannot report on this item, nor can a reader.
      assert.equal((await outcome(a!, { kind: "complaint" }, t.keys.b.submitter)).statusCode, 404);
      assert.equal((await outcome(a!, { kind: "complaint" }, t.keys.a.reader)).statusCode, 403);
    });

    test("takedown figures are counts and percentiles over the reported outcomes", async () => {
      const [a, b, c, d] = ids as [number, number, number, number];
      const at = (ms: number) => new Date(ms).toISOString();
      const ok = async (id: number, body: Record<string, unknown>) => {
        const r = await outcome(id, body);
        assert.equal(r.statusCode, 201, r.body);
      };
      // a: an order 5 min after receipt, removed 10 min after the order (within the hour).
      await ok(a, { kind: "removal_order", authority: "Internet Referral Unit", at: at(T0 + 5 * MIN) });
      await ok(a, { kind: "removed", basis: "removal_order", at: at(T0 + 15 * MIN) });
      // b: removed by the platform's own hash matching two hours after receipt.
      await ok(b, { kind: "removed", basis: "hash_match", at: at(T0 + 2 * HOUR) });
      // c: an order not acted on (manifest error).
      await ok(c, { kind: "removal_order", authority: "Internet Referral Unit", at: at(T0 + 10 * MIN) });
      await ok(c, { kind: "not_actioned", reason: "manifest_error", at: at(T0 + 20 * MIN) });
      // d: disabled 30 min after receipt, complaint upheld, restored.
      await ok(d, { kind: "disabled", basis: "terms_of_service", at: at(T0 + 30 * MIN) });
      await ok(d, { kind: "complaint", at: at(T0 + 3 * HOUR) });
      await ok(d, { kind: "complaint_upheld", at: at(T0 + 4 * HOUR) });
      await ok(d, { kind: "restored", reason: "complaint", at: at(T0 + 4 * HOUR + MIN) });

      const item = json<{ outcomes: { kind: string }[]; platform: string }>(
        await t.call(t.keys.a.reader, { method: "GET", url: `/v1/content/${d}` }),
      );
      assert.deepEqual(
        item.outcomes.map((o) => o.kind),
        ["disabled", "complaint", "complaint_upheld", "restored"],
      );
      assert.equal(item.platform, "Shorts");

      const r = await t.call(t.keys.a.reader, {
        method: "GET",
        url: `/v1/measure/takedown?from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z`,
      });
      assert.equal(r.statusCode, 200, r.body);
      const got = json<{
        overall: Figures;
        byPlatform: ({ platform: string } & Figures)[];
        byBank: ({ bankId: number } & Figures)[];
      }>(r);
      const o = got.overall;
      assert.equal(o.items, 4);
      assert.equal(o.matched, 4);
      assert.equal(o.actioned, 4);
      assert.equal(o.removed, 3);
      assert.equal(o.shareRemoved, 3 / 4);
      // Removals within an hour of their order (a) or of receipt (d), not b: 2 of 3.
      assert.equal(o.withinHourShare, 2 / 3);
      assert.equal(o.ordersReceived, 2);
      assert.equal(o.ordersWithinHourShare, 1 / 2);
      assert.equal(o.restored, 1);
      assert.equal(o.timeToRemoval.count, 3);
      assert.equal(o.timeToRemoval.p50, 30 * MIN);
      assert.equal(o.timeToRemoval.max, 2 * HOUR);
      assert.deepEqual(got.byPlatform.map((p) => [p.platform, p.items]).sort(), [
        [t.orgs.a.name, 3],
        ["Shorts", 1],
      ]);
      assert.deepEqual(
        got.byBank.map((x) => [x.bankId, x.items]),
        [[bankId, 4]],
      );
      // Another member's own view has none of these items; a submitter may not read figures.
      const other = json<{ overall: Figures }>(
        await t.call(t.keys.b.reader, {
          method: "GET",
          url: `/v1/measure/takedown?from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z`,
        }),
      );
      assert.equal(other.overall.items, 0);
      // The coalition scope: another member's reader (or admin) gets the aggregate, no member
      // named; the coalition's operator gets the figures per platform (issue 15, item 10).
      const coalitionUrl = `/v1/measure/takedown?scope=coalition&from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z`;
      for (const key of [t.keys.b.reader, t.keys.b.admin]) {
        const agg = json<{ overall: Figures; byPlatform: unknown[] }>(
          await t.call(key, { method: "GET", url: coalitionUrl }),
        );
        assert.equal(agg.overall.items, 4);
        assert.deepEqual(agg.byPlatform, []);
      }
      const named = json<{ byPlatform: { platform: string; items: number }[] }>(
        await t.call(t.keys.b.operator, { method: "GET", url: coalitionUrl }),
      );
      assert.deepEqual(named.byPlatform.map((p) => [p.platform, p.items]).sort(), [
        [t.orgs.a.name, 3],
        ["Shorts", 1],
      ]);
      assert.equal((await t.call(t.keys.a.submitter, { method: "GET", url: "/v1/measure/takedown" })).statusCode, 403);
      const bad = await t.call(t.keys.a.reader, {
        method: "GET",
        url: `/v1/measure/takedown?from=2026-03-03T00:00:00Z&to=2026-03-01T00:00:00Z`,
      });
      assert.equal(bad.statusCode, 400);
    });

    test("the transparency report counts the same records and exports them", async () => {
      const report = await buildReport(t.s.stores, t.s.measurement, {
        from: Date.parse("2026-03-01T00:00:00Z"),
        to: Date.parse("2026-03-03T00:00:00Z"),
        org: { id: t.orgs.a.id, name: t.orgs.a.name },
      });
      assert.deepEqual(report.removalOrders, {
        received: 2,
        metWithinOneHour: 1,
        notActioned: 1,
        notActionedByReason: { manifest_error: 1 },
      });
      assert.deepEqual(report.removals, {
        removed: 2,
        disabled: 1,
        byBasis: { removal_order: 1, hash_match: 1, terms_of_service: 1 },
      });
      assert.deepEqual(report.complaints, { received: 1, upheld: 1, rejected: 0, pending: 0 });
      assert.deepEqual(report.restorations, { total: 1, afterComplaint: 1, byReason: { complaint: 1 } });
      assert.equal(report.measures.rules.length, 1);
      assert.equal(report.records.items.length, 4);
      assert.equal(report.records.outcomes.length, 9);
      const csv = reportCsv(report);
      assert.equal(csv.items.trim().split("\r\n").length, 5);
      assert.equal(csv.outcomes.trim().split("\r\n").length, 10);
      assert.match(csv.summary, /^removalOrders\.received,2\r$/m);
      const html = reportHtml(report);
      assert.match(html, /<svg /);
      assert.match(html, /Removal orders received<\/th><td>2</);
      assert.doesNotMatch(html, /<script/i);
      // Another member's report holds none of it.
      const other = await buildReport(t.s.stores, t.s.measurement, {
        from: Date.parse("2026-03-01T00:00:00Z"),
        to: Date.parse("2026-03-03T00:00:00Z"),
        org: { id: t.orgs.b.id, name: t.orgs.b.name },
      });
      assert.equal(other.records.outcomes.length, 0);
      assert.equal(other.removalOrders.received, 0);
    });
  });

for (const [backend, skip, makeDb] of BACKENDS)
  describe(`stance in the pipeline (${backend})`, { skip }, () => {
    let t: TestService;
    let db: TestDatabase;
    let key = 0;
    const PRO_EN =
      "Join the soldiers of the Khilafah, make hijrah to the Islamic State now, the mujahideen are waiting for you brothers";
    const ANTI_AR = "داعش عصابة إرهابية مجرمة لا تمثل الإسلام ولا المسلمين، قتلوا الأبرياء ودمروا المدن";

    before(async () => {
      db = await makeDb();
      t = await startTestService({ db });
      const rule = await t.call(t.keys.a.admin, {
        method: "POST",
        url: "/v1/rules",
        payload: {
          name: "pro-to-review",
          conditions: { stance: ["pro"], min_stance_score: 0.5 },
          actions: [{ type: "review" }],
        },
      });
      assert.equal(rule.statusCode, 201, rule.body);
      assert.deepEqual(json<{ conditions: unknown }>(rule).conditions, { stance: ["pro"], min_stance_score: 0.5 });
      // A second rule asking for review of the same items: still one entry per item.
      const second = await t.call(t.keys.a.admin, {
        method: "POST",
        url: "/v1/rules",
        payload: {
          name: "very-pro-to-review",
          conditions: { stance: ["pro"], min_stance_score: 0.6 },
          actions: [{ type: "review" }],
        },
      });
      assert.equal(second.statusCode, 201, second.body);
    });

    after(async () => {
      await t?.close();
      await db?.drop();
    });

    const submit = async (body: Record<string, unknown>) => {
      const r = await t.call(t.keys.a.submitter, {
        method: "POST",
        url: "/v1/content",
        payload: body,
        headers: { "idempotency-key": `s-${++key}` },
      });
      assert.equal(r.statusCode, 202, r.body);
      return json<{ id: number }>(r).id;
    };

    test("text is classified, stored with the model version, and a stance rule sends pro text to review first", async () => {
      const pro = await submit({ text: PRO_EN, country: "GB" });
      const anti = await submit({ text: ANTI_AR, country: "IQ" });
      const caption = await submit({ url: "https://example.org/watch?v=1", text: PRO_EN });
      await t.drain();
      const view = async (id: number) =>
        json<{
          stance?: { label: string; score: number; lang: string; model: string };
          timestamps: { classified_at: string | null };
        }>(await t.call(t.keys.a.reader, { method: "GET", url: `/v1/content/${id}` }));
      const p = await view(pro);
      assert.equal(p.stance?.label, "pro", JSON.stringify(p));
      assert.equal(p.stance?.lang, "en");
      assert.equal(p.stance?.model, t.s.classifier.version);
      assert.ok(p.timestamps.classified_at);
      const a = await view(anti);
      assert.notEqual(a.stance?.label, "pro", JSON.stringify(a));
      assert.equal(a.stance?.lang, "ar");
      assert.equal((await view(caption)).stance?.label, "pro");

      const reviews = json<{ reviews: { item_id: number; priority: number }[] }>(
        await t.call(t.keys.a.reviewer, { method: "GET", url: "/v1/reviews" }),
      ).reviews;
      const reviewed = reviews.map((r) => r.item_id).sort();
      assert.deepEqual(reviewed, [pro, caption].sort());
      assert.ok(
        reviews.every((r) => r.priority > 0.5 && r.priority <= 1),
        JSON.stringify(reviews),
      );
    });

    test("prevalence per day with intervals, filtered by country and language", async () => {
      const day = new Date().toISOString().slice(0, 10);
      const r = await t.call(t.keys.a.reader, {
        method: "GET",
        url: `/v1/measure/stance?from=${day}T00:00:00Z&to=${day}T23:59:59Z&interval=day`,
      });
      assert.equal(r.statusCode, 200, r.body);
      const m = json<{
        model: string;
        periods: { items: number; pro: { estimate: number; low: number; high: number } | null }[];
        overall: { items: number };
      }>(r);
      assert.equal(m.model, t.s.classifier.version);
      assert.equal(m.periods.length, 1);
      assert.equal(m.overall.items, 3);
      const p = m.periods[0]!.pro!;
      assert.ok(p.low <= p.estimate && p.estimate <= p.high, JSON.stringify(p));
      const iq = json<{ overall: { items: number } }>(
        await t.call(t.keys.a.reader, { method: "GET", url: `/v1/measure/stance?from=${day}T00:00:00Z&country=IQ` }),
      );
      assert.equal(iq.overall.items, 1);
      const ar = json<{ overall: { items: number } }>(
        await t.call(t.keys.a.reader, { method: "GET", url: `/v1/measure/stance?from=${day}T00:00:00Z&lang=ar` }),
      );
      assert.equal(ar.overall.items, 1);
      const many = await t.call(t.keys.a.reader, {
        method: "GET",
        url: `/v1/measure/stance?from=1970-01-01T00:00:00Z&interval=day`,
      });
      assert.equal(many.statusCode, 400);
    });
  });
