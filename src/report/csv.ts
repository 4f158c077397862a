/** The transparency report as CSV: the figures (one per line) and the records behind them. Pure. */

import { csvRow } from "../kernels/csv.js";
import type { TransparencyReport } from "../services/report.js";

/** Text cells neutralised against formulas (`kernels/csv.ts`); numbers as they are. */
function csvLines(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map(csvRow).join("\r\n") + "\r\n";
}

/** Every numeric figure of the report as `figure,value` rows (nested names joined by dots). */
function figureRows(report: TransparencyReport): [string, number | string][] {
  const out: [string, number | string][] = [];
  const walk = (prefix: string, v: unknown) => {
    if (v === null || v === undefined) out.push([prefix, ""]);
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
  walk("takedown.overall", report.takedown.overall);
  report.takedown.byPlatform.forEach((p) => walk(`takedown.platform[${p.platform}]`, { ...p, platform: undefined }));
  if (report.stance) {
    walk("stance.overall", report.stance.overall);
    report.stance.periods.forEach((p) => walk(`stance.month[${p.start.slice(0, 7)}]`, p));
  }
  return out.filter(([, v]) => v !== "");
}

export function reportCsv(report: TransparencyReport): { summary: string; items: string; outcomes: string } {
  const iso = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());
  return {
    summary: csvLines(["figure", "value"], figureRows(report)),
    items: csvLines(
      ["item_id", "platform", "banks", "received_at", "acted_at", "order_at", "removed_at", "restored_at"],
      report.records.items.map((r) => [
        r.itemId,
        r.platform,
        r.bankIds.join(" "),
        iso(r.receivedAt),
        iso(r.actedAt),
        iso(r.orderAt),
        iso(r.removedAt),
        iso(r.restoredAt),
      ]),
    ),
    outcomes: csvLines(
      ["outcome_id", "item_id", "organisation", "kind", "basis", "reason", "authority", "at"],
      report.records.outcomes.map((o) => [o.id, o.itemId, o.org, o.kind, o.basis, o.reason, o.authority, o.at]),
    ),
  };
}
