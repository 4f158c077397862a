/** The transparency report as CSV: the figures (one per line) and the records behind them. Pure. */

import { csvRow } from "../kernels/csv.js";
import type { StanceInputs } from "../services/measurement.js";
import type { TransparencyReport } from "../services/report.js";

/** Text cells neutralised against formulas (`kernels/csv.ts`); numbers as they are. */
function csvLines(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map(csvRow).join("\r\n") + "\r\n";
}

/**
 * Every figure of the report's JSON as `figure,value` rows (nested names joined by dots);
 * a figure that has no value is written `null`, never left out.
 */
function figureRows(report: TransparencyReport): [string, number | string][] {
  const out: [string, number | string][] = [];
  const walk = (prefix: string, v: unknown) => {
    if (v === undefined) return;
    if (v === null) out.push([prefix, "null"]);
    else if (typeof v === "boolean") out.push([prefix, String(v)]);
    else if (typeof v === "number" || typeof v === "string") out.push([prefix, v]);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(`${prefix}[${i}]`, x));
    else if (typeof v === "object")
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(prefix ? `${prefix}.${k}` : k, x);
  };
  walk("removalOrders", report.removalOrders);
  walk("removals", report.removals);
  walk("complaints", report.complaints);
  walk("reviewProceedings", report.reviewProceedings);
  walk("restorations", report.restorations);
  walk("measures", {
    rules: report.measures.rules.length,
    banksUsed: report.measures.banksUsed,
    activeSignals: report.measures.activeSignals,
    classifier: report.measures.classifier,
  });
  for (const row of report.art7) walk(`art7[${row.point}]`, row.figures);
  walk("automatedTools", report.automatedTools);
  walk("decisions", report.decisions);
  walk("reuploads", { ...report.reuploads, byPlatform: undefined, largest: undefined });
  report.reuploads.byPlatform.forEach((p) => walk(`reuploads.platform[${p.platform}]`, { ...p, platform: undefined }));
  walk("takedown.overall", report.takedown.overall);
  report.takedown.byPlatform.forEach((p) => walk(`takedown.platform[${p.platform}]`, { ...p, platform: undefined }));
  report.takedown.byBank.forEach((b) =>
    walk(`takedown.bank[${b.bankId}]`, { ...b, bankId: undefined, bankName: b.bankName }),
  );
  report.takedown.byLanguage.forEach((x) => walk(`takedown.language[${x.lang}]`, { ...x, lang: undefined }));
  report.takedown.byContentType.forEach((x) => walk(`takedown.contentType[${x.kind}]`, { ...x, kind: undefined }));
  report.takedown.byBehaviour.forEach((x) =>
    walk(`takedown.behaviour[${x.behaviour}]`, { ...x, behaviour: undefined }),
  );
  if (report.stance) {
    walk("stance.overall", report.stance.overall);
    report.stance.periods.forEach((p) => walk(`stance.month[${p.start.slice(0, 7)}]`, p));
    walk("stance.otherModelItems", report.stance.otherModelItems);
  } else out.push(["stance", "null"]);
  return out;
}

export function reportCsv(report: TransparencyReport): {
  summary: string;
  items: string;
  outcomes: string;
  stanceStrata: string;
  stanceLabels: string;
  copies: string;
} {
  return {
    summary: csvLines(["figure", "value"], figureRows(report)),
    copies: copiesCsv(report.records.copies),
    ...recordsCsv(report.records),
    ...stanceCsv(report.records.stance),
  };
}

/**
 * What the stance figures are computed from: stance-strata.csv (classified items counted by
 * hour, platform, language, predicted label and model) and stance-labels.csv (the labelled
 * sample, one row per item): read back, `stanceFigures` (services/measurement.ts) recomputes
 * every stance figure of the report from them (test/server/stance-recompute.test.ts does).
 */
export function stanceCsv(inputs: StanceInputs): { stanceStrata: string; stanceLabels: string } {
  return {
    stanceStrata: csvLines(
      STRATA_COLUMNS,
      inputs.strata.map((r) => [r.hour, r.platform, r.lang, r.label, r.model, r.items, r.drawn]),
    ),
    stanceLabels: csvLines(
      LABEL_COLUMNS,
      inputs.labelled.map((r) => [
        r.itemId,
        new Date(r.at).toISOString(),
        r.platform,
        r.lang,
        r.label,
        r.model,
        r.stance,
      ]),
    ),
  };
}

/** The columns of copies.csv, in order. */
export const COPY_COLUMNS = [
  "item_id",
  "platform",
  "received_at",
  "original_item_id",
  "matched_known",
  "acted_at",
  "removed_at",
] as const;

/**
 * copies.csv: every item received in scope with the id of its content's first item. Grouped by
 * original_item_id, the re-upload figures recompute (`reuploadFigures` in kernels/quantify with
 * the original as the one key; test/http/reuploads.test.ts does).
 */
export function copiesCsv(rows: TransparencyReport["records"]["copies"]): string {
  const iso = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());
  return csvLines(
    COPY_COLUMNS,
    rows.map((r) => [
      r.itemId,
      r.platform,
      iso(r.receivedAt),
      r.original,
      r.matchedKnown ? "true" : "false",
      iso(r.actedAt),
      iso(r.removedAt),
    ]),
  );
}

const STRATA_COLUMNS = ["hour", "platform", "lang", "predicted", "model", "items", "drawn"];
const LABEL_COLUMNS = ["item_id", "at", "platform", "lang", "predicted", "model", "stance"];

/** The report's records: every item in scope and every outcome, one row each. */
export function recordsCsv(records: TransparencyReport["records"]): { items: string; outcomes: string } {
  const iso = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());
  return {
    items: csvLines(
      [
        "item_id",
        "platform",
        "banks",
        "posted_at",
        "received_at",
        "acted_at",
        "order_at",
        "removed_at",
        "restored_at",
        "time_to_removal_ms",
        "time_online_ms",
        "lang",
        "predicted",
        "score",
        "model_version",
        "label",
        "account_return",
        "time_to_return_ms",
      ],
      records.items.map((r) => [
        r.itemId,
        r.platform,
        r.bankIds.join(" "),
        iso(r.postedAt ?? null),
        iso(r.receivedAt),
        iso(r.actedAt),
        iso(r.orderAt),
        iso(r.removedAt),
        iso(r.restoredAt),
        r.timeToRemoval ?? "",
        r.timeOnline ?? "",
        r.lang ?? "",
        r.predicted ?? "",
        r.score ?? "",
        r.modelVersion ?? "",
        r.label ?? "",
        r.accountReturn ? 1 : 0,
        r.timeToReturn ?? "",
      ]),
    ),
    outcomes: csvLines(
      ["outcome_id", "item_id", "organisation", "kind", "basis", "reason", "authority", "at"],
      records.outcomes.map((o) => [o.id, o.itemId, o.org, o.kind, o.basis, o.reason, o.authority, o.at]),
    ),
  };
}
