/**
 * The labelling queue's store (ports/labels.ts) and the stance estimate built on it, on
 * SQLite and PostgreSQL: strata counted by posted time, a stratified draw that tops up and
 * never draws an item twice, labels per member, and /measure/stance's figures from them.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Org } from "../../src/core/model.js";
import { LabelService } from "../../src/services/labels.js";
import { MeasurementService } from "../../src/services/measurement.js";
import { openStores } from "../../src/storage/open.js";
import type { HistoricItem, Stores } from "../../src/storage/ports/index.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);

function labelsContract(name: string, makeDatabase: () => Promise<TestDatabase>, skip: string | false): void {
  describe(`labelling queue: ${name}`, { skip }, () => {
    let database: TestDatabase;
    let s: Stores;
    let org: Org;
    let other: Org;
    let personId: number;
    const truth = new Map<number, "pro" | "anti" | "neutral">();

    function item(
      o: Org,
      i: number,
      label: string,
      lang: string,
      postedAt: number | null,
      receivedAt: number,
    ): HistoricItem {
      return {
        orgId: o.id,
        personId,
        idempotencyKey: `${o.id}-${i}`,
        kind: "text",
        contentId: `c-${i}`,
        authorId: "a",
        postedAt,
        text: `text ${i}`,
        platform: "Posts",
        country: "",
        receivedAt,
        hashedAt: receivedAt,
        matchedAt: receivedAt,
        classifiedAt: receivedAt,
        actedAt: null,
        classification: {
          model: "m1",
          label,
          score: 0.9,
          pPro: 0.3,
          pAnti: 0.3,
          pNeutral: 0.4,
          lang,
          behaviour: null,
          classifiedAt: receivedAt,
        },
      };
    }

    before(async () => {
      if (skip) return;
      database = await makeDatabase();
      s = await openStores(database.url);
      org = await s.signals.createOrg("Platform", "platform");
      other = await s.signals.createOrg("Other", "ngo");
      personId = (await s.access.createPerson(org.id, "rev", "reviewer")).id;
      // June: 200 items predicted neutral (10% truly pro), 40 predicted pro (75% truly pro), Arabic;
      // posted in June but received in July for 20 of them (their period is June).
      const items: HistoricItem[] = [];
      const truths: ("pro" | "anti" | "neutral")[] = [];
      for (let i = 0; i < 240; i++) {
        const predicted = i < 200 ? "neutral" : "pro";
        truths.push(
          i < 200 ? (i % 10 === 0 ? "pro" : i % 10 === 1 ? "anti" : "neutral") : i % 4 === 0 ? "neutral" : "pro",
        );
        const posted = T0 + (i % 28) * DAY;
        items.push(item(org, i, predicted, "ar", posted, i < 20 ? T0 + 40 * DAY : posted + 1000));
      }
      const ids = await s.content.importHistory(items);
      ids.forEach((id, i) => truth.set(id, truths[i]!));
      await s.content.importHistory([item(other, 1, "pro", "en", null, T0 + DAY)]);
    });
    after(async () => {
      if (skip) return;
      await s.close();
      await database.drop();
    });

    it("counts strata by posted time (received when not given), with items already drawn", async () => {
      const june = { from: T0, to: T0 + 30 * DAY };
      const strata = await s.labels.strata(june);
      const sum = (label: string) => strata.filter((r) => r.label === label).reduce((a, r) => a + r.items, 0);
      assert.equal(sum("neutral"), 200, "items received in July but posted in June count in June");
      assert.equal(sum("pro"), 41);
      assert.equal(
        strata.reduce((a, r) => a + r.drawn, 0),
        0,
      );
      assert.deepEqual(new Set(strata.map((r) => r.platform)), new Set(["Posts"]));
      assert.equal(
        (await s.labels.strata({ ...june, orgId: other.id })).reduce((a, r) => a + r.items, 0),
        1,
      );
    });

    it("draws a stratified sample per period, tops it up, never twice the same item; labels stay with their member", async () => {
      const service = new LabelService(s.labels);
      const request = {
        orgId: org.id,
        by: personId,
        from: T0,
        to: T0 + 30 * DAY,
        interval: "month" as const,
        perPeriod: 60,
        now: T0 + 45 * DAY,
      };
      const [first] = await service.draw(request);
      assert.equal(first!.added, 60);
      assert.equal(first!.strata, 2);
      const again = await service.draw(request);
      assert.equal(again[0]!.added, 0, "a second draw of the same size adds nothing");
      const more = await service.draw({ ...request, perPeriod: 100 });
      assert.equal(more[0]!.added, 40);
      const open = await service.list(org.id, "open", 500);
      assert.equal(open.length, 100);
      assert.equal(new Set(open.map((t) => t.itemId)).size, 100);
      const byPredicted = (p: string) => open.filter((t) => t.predicted === p).length;
      assert.ok(
        byPredicted("pro") >= 25,
        `square-root allocation gives the small stratum more than its share: ${byPredicted("pro")}`,
      );
      assert.equal((await service.list(other.id, "open", 10)).length, 0);
      await assert.rejects(service.label(other.id, open[0]!.id, "pro", "", personId, T0), /no labelling task/);
      // Label every drawn item with its truth.
      for (const t of open) await service.label(org.id, t.id, truth.get(t.itemId)!, "", personId, T0 + 50 * DAY);
      assert.equal((await service.list(org.id, "open", 10)).length, 0);
      const labelled = await s.labels.labelled({ from: T0, to: T0 + 30 * DAY });
      assert.equal(labelled.length, 100);
      assert.ok(labelled.every((r) => r.stance === truth.get(r.itemId)));
      const of = await s.labels.labelsOf(open.slice(0, 3).map((t) => t.itemId));
      assert.equal(of.size, 3);
    });

    it("the stance estimate uses the labels: it covers the true shares; the unlabelled member's stratum is model-only", async () => {
      const m = new MeasurementService(s.measures, undefined, s.labels);
      const r = (await m.stance({ from: T0, to: T0 + 30 * DAY }, "month"))!;
      const p = r.periods[0]!;
      assert.equal(p.items, 241);
      assert.equal(p.labelled, 100);
      assert.equal(p.validated, false, "the other member's item has no label");
      assert.equal(p.modelOnlyItems, 1);
      const trueShare = (c: string) => [...truth.values()].filter((x) => x === c).length / 241;
      for (const c of ["pro", "anti"] as const) {
        const e = p[c]!;
        assert.ok(e.low <= trueShare(c) && trueShare(c) <= e.high, `${c}: ${JSON.stringify(e)} vs ${trueShare(c)}`);
      }
      assert.ok(p.ratio && p.ratio.kind === "two-sided", JSON.stringify(p.ratio));
      assert.ok(p.labelsToHalveWidth! > 0);
      // Only the labelled member: validated.
      const own = (await m.stance({ from: T0, to: T0 + 30 * DAY, orgId: org.id }, "month"))!;
      assert.equal(own.periods[0]!.validated, true);
    });
  });
}

labelsContract("SQLite", () => Promise.resolve(sqliteDatabase()), false);
labelsContract("PostgreSQL", postgresDatabase, await postgresSkip());
