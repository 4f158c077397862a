/**
 * Re-uploads and who decided removals, through the API and in the transparency report
 * (issue 16): exact copies and copies matching the same banked signal are one content; a
 * copy after removal is a reappearance; a removal a person decided in review is human, one on
 * a hash match with nobody deciding is automated, the rest the member's own process.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse } from "csv-parse/sync";
import { reuploadFigures } from "../../src/kernels/quantify/index.js";
import { COPY_COLUMNS, reportCsv } from "../../src/report/csv.js";
import { buildReport } from "../../src/services/report.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { json, startTestService, type TestService } from "../support/service.js";

const pgSkip = await postgresSkip();
const BACKENDS: [string, string | false, () => Promise<TestDatabase>][] = [
  ["SQLite", false, () => Promise.resolve(sqliteDatabase())],
  ["PostgreSQL", pgSkip, postgresDatabase],
];

const LONG = "The same long statement, sent again on another platform later today";

interface Measurement {
  reuploads: {
    items: number;
    repeatedContents: number;
    reuploads: number;
    acrossPlatforms: number;
    afterRemoval: number;
    matchedKnown: number;
    afterRemovalActedAutomatically: number;
    timeToReupload: { count: number };
    byPlatform: { platform: string; reuploads: number; fromOtherPlatforms: number; afterRemoval: number }[];
    largest: { firstItemId: number; copies: number; platforms: number }[];
  };
  decisions: {
    removals: { items: number; human: number; automated: number; memberProcess: number };
    matching: { reviewed: number; confirmed: number; precision: number | null; interval: unknown };
  };
  definitions: Record<string, string>;
}

for (const [backend, skip, makeDb] of BACKENDS)
  describe(`re-uploads and automated vs human decisions (${backend})`, { skip }, () => {
    let t: TestService;
    let db: TestDatabase;
    let key = 0;
    const item: Record<string, number> = {};

    const submit = async (body: Record<string, unknown>) => {
      const r = await t.call(t.keys.a.submitter, {
        method: "POST",
        url: "/v1/content",
        payload: body,
        headers: { "idempotency-key": `r-${++key}` },
      });
      assert.equal(r.statusCode, 202, r.body);
      return json<{ id: number }>(r).id;
    };
    const removed = async (id: number, basis: string) => {
      const r = await t.call(t.keys.a.submitter, {
        method: "POST",
        url: `/v1/content/${id}/outcomes`,
        payload: { kind: "removed", basis },
      });
      assert.equal(r.statusCode, 201, r.body);
    };
    const measure = async (query = "") => {
      const r = await t.call(t.keys.a.admin, { method: "GET", url: `/v1/measure/reuploads${query}` });
      assert.equal(r.statusCode, 200, r.body);
      return json<Measurement>(r);
    };

    before(async () => {
      db = await makeDb();
      t = await startTestService({ db });
      const bank = json<{ id: number }>(
        await t.call(t.keys.a.curator, { method: "POST", url: "/v1/banks", payload: { name: "known", tlp: "AMBER" } }),
      ).id;
      const added = await t.call(t.keys.a.curator, {
        method: "POST",
        url: `/v1/banks/${bank}/signals`,
        payload: { signals: [{ type: "url", value: "https://justpaste.it/release-1", labels: { entity: ["isis"] } }] },
      });
      assert.equal(added.statusCode, 200, added.body);
      const rule = await t.call(t.keys.a.admin, {
        method: "POST",
        url: "/v1/rules",
        payload: { name: "review matches", conditions: { entity: ["isis"] }, actions: [{ type: "review" }] },
      });
      assert.equal(rule.statusCode, 201, rule.body);

      item.first = await submit({ url: "https://justpaste.it/release-1" });
      item.text1 = await submit({ text: LONG });
      item.text2 = await submit({ text: `${LONG.toUpperCase()}!!`, platform: "Shorts" });
      item.short1 = await submit({ text: "ok thanks" });
      item.short2 = await submit({ text: "ok thanks" });
      item.plain1 = await submit({ url: "https://example.org/page" });
      item.plain2 = await submit({ url: "https://example.org/page" });
      await t.drain();

      // A person decides the first copy in review, then the platform removes it.
      const reviews = json<{ reviews: { id: number; item_id: number }[] }>(
        await t.call(t.keys.a.reviewer, { method: "GET", url: "/v1/reviews?limit=50" }),
      ).reviews;
      const entry = reviews.find((r) => r.item_id === item.first)!;
      assert.ok(entry, "the matched item is queued for review");
      const decided = await t.call(t.keys.a.reviewer, {
        method: "POST",
        url: `/v1/reviews/${entry.id}/decision`,
        payload: { decision: "violating", labels: { entity: ["isis"] }, reasons: "a known release" },
      });
      assert.equal(decided.statusCode, 200, decided.body);
      await removed(item.first, "hash_match");
      await removed(item.text1, "terms_of_service");

      // After the removal the same release comes back on another platform: matched on receipt.
      await new Promise((r) => setTimeout(r, 5));
      item.again = await submit({ url: "https://justpaste.it/release-1", platform: "Shorts" });
      await t.drain();
      await removed(item.again, "hash_match");
    });

    after(async () => {
      await t?.close();
      await db?.drop();
    });

    test("copies of one content are counted once as original and then as re-uploads", async () => {
      const m = (await measure()).reuploads;
      assert.equal(m.items, 8);
      assert.equal(m.repeatedContents, 3, "the release, the long text and the plain URL; not the short text");
      assert.equal(m.reuploads, 3);
      assert.equal(m.acrossPlatforms, 2, "the text and the release came back on Shorts");
      assert.equal(m.afterRemoval, 1, "only the release came back after its first copy was removed");
      assert.equal(m.matchedKnown, 1);
      assert.equal(m.afterRemovalActedAutomatically, 1);
      assert.equal(m.timeToReupload.count, 3);
      const shorts = m.byPlatform.find((p) => p.platform === "Shorts")!;
      assert.deepEqual([shorts.reuploads, shorts.fromOtherPlatforms, shorts.afterRemoval], [2, 2, 1]);
      assert.deepEqual(
        m.largest.map((g) => g.copies),
        [2, 2, 2],
      );
    });

    test("who decided each removal, and the matching's precision as people judged it", async () => {
      const d = (await measure()).decisions;
      assert.deepEqual(d.removals, { items: 3, human: 1, automated: 1, memberProcess: 1 });
      assert.equal(d.matching.reviewed, 1);
      assert.equal(d.matching.confirmed, 1);
      assert.equal(d.matching.precision, 1);
    });

    test("another member sees none of it; the coalition scope hides platforms from non-operators", async () => {
      const other = await t.call(t.keys.b.admin, { method: "GET", url: "/v1/measure/reuploads" });
      assert.equal(json<Measurement>(other).reuploads.items, 0);
      const coalition = await t.call(t.keys.b.admin, { method: "GET", url: "/v1/measure/reuploads?scope=coalition" });
      const c = json<Measurement>(coalition);
      assert.equal(c.reuploads.reuploads, 3);
      assert.deepEqual(c.reuploads.byPlatform, []);
      assert.deepEqual(c.reuploads.largest, []);
      assert.equal((await t.call(t.keys.a.submitter, { method: "GET", url: "/v1/measure/reuploads" })).statusCode, 403);
    });

    test("the report carries the figures, in Art. 7(3)(b) and in report.csv", async () => {
      const now = Date.now();
      const report = await buildReport(
        { measures: t.s.stores.measures, rules: t.s.stores.rules, labels: t.s.stores.labels },
        t.s.measurement,
        { from: now - 3_600_000, to: now + 1000, org: { id: t.orgs.a.id, name: t.orgs.a.name } },
      );
      assert.equal(report.reuploads.reuploads, 3);
      assert.deepEqual(report.decisions.removals, { items: 3, human: 1, automated: 1, memberProcess: 1 });
      const b = report.art7.find((r) => r.point === "7(3)(b)")!;
      assert.equal(b.figures.reuploadsAfterRemoval, 1);
      assert.equal(b.figures.removalsDecidedAutomatically, 1);
      assert.equal(b.figures.removalsDecidedByPeople, 1);
      const csv = reportCsv(report).summary;
      assert.match(csv, /\r\nreuploads\.afterRemoval,1\r\n/);
      assert.match(csv, /\r\ndecisions\.removals\.human,1\r\n/);
      assert.match(csv, /\r\nreuploads\.platform\[Shorts\]\.fromOtherPlatforms,2\r\n/);

      // Anyone can recompute the re-upload figures from copies.csv alone.
      const rows = parse(reportCsv(report).copies, { columns: true }) as Record<string, string>[];
      assert.deepEqual(Object.keys(rows[0]!), [...COPY_COLUMNS]);
      const ms = (v: string | undefined) => (v ? Date.parse(v) : null);
      const recomputed = reuploadFigures(
        rows.map((r) => ({
          itemId: Number(r.item_id),
          platform: r.platform!,
          receivedAt: ms(r.received_at)!,
          keys: [`original:${r.original_item_id}`],
          matchedKnown: r.matched_known === "true",
          actedAt: ms(r.acted_at),
          removedAt: ms(r.removed_at),
        })),
      );
      assert.deepEqual(recomputed, report.reuploads);
    });
  });
