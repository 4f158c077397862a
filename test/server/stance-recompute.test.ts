/**
 * Every stance figure of the transparency report recomputes from the two tables shipped beside
 * it: stance-strata.csv (classified items counted by stratum) and stance-labels.csv (the labelled
 * sample). The demo's history is measured, the report written as CSV, the CSV read back as any
 * reader would (formula marks taken off), and `stanceFigures` gives the report's figures exactly.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import { unneutralise } from "../../src/kernels/csv.js";
import { reportCsv } from "../../src/report/csv.js";
import { loadDemoHistory } from "../../src/server/demo-history.js";
import { stanceFigures } from "../../src/services/measurement.js";
import { buildReport } from "../../src/services/report.js";
import type { LabelStance, LabelStratumCount, LabelledRecord } from "../../src/storage/ports/labels.js";
import { sqliteDatabase } from "../support/databases.js";
import { startTestService, type TestService } from "../support/service.js";

const DAY = 86_400_000;

function rows(csv: string): Record<string, string>[] {
  const records = parse(csv, { columns: true }) as Record<string, string>[];
  return records.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, unneutralise(v)])));
}

describe("the report's stance figures recompute from its CSV", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ db: sqliteDatabase(), workers: false });
    await loadDemoHistory(t.s, t.orgs.a.id, t.people.a.submitter, 40, 12);
  });
  after(async () => {
    await t.close();
  });

  it("stance-strata.csv and stance-labels.csv give every period's shares, intervals and ratio", async () => {
    const to = Date.now() + DAY;
    const from = to - 50 * DAY;
    const report = await buildReport(t.s.stores, t.s.measurement, { from, to });
    assert.ok(report.stance, "the demo has classified items");
    assert.ok(report.records.stance.labelled.length > 0, "and a labelled sample");
    const csv = reportCsv(report);
    const strata: LabelStratumCount[] = rows(csv.stanceStrata).map((r) => ({
      hour: Number(r.hour),
      platform: r.platform!,
      lang: r.lang!,
      label: r.predicted!,
      model: r.model!,
      items: Number(r.items),
      drawn: Number(r.drawn),
    }));
    const labelled: LabelledRecord[] = rows(csv.stanceLabels).map((r) => ({
      itemId: Number(r.item_id),
      at: Date.parse(r.at!),
      platform: r.platform!,
      lang: r.lang!,
      label: r.predicted!,
      model: r.model!,
      stance: r.stance as LabelStance,
    }));
    const again = stanceFigures({ from, to }, "month", report.stance.model, strata, labelled);
    assert.deepEqual(again, report.stance);
    assert.ok(report.stance.periods.some((p) => p.labelled > 0 && p.pro !== null));
  });
});
