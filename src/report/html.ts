/** The transparency report as one readable HTML page with SVG charts; no scripts. Pure. */

import type { TransparencyReport } from "../services/report.js";
import { bandChart, barChart, escapeHtml } from "./charts.js";

const pct = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null | undefined) => (v === null || v === undefined ? "—" : v.toLocaleString("en-GB"));
const dur = (ms: number | null | undefined) =>
  ms === null || ms === undefined
    ? "—"
    : ms < 1000
      ? `${ms.toFixed(0)} ms`
      : ms < 120_000
        ? `${(ms / 1000).toFixed(1)} s`
        : ms < 7_200_000
          ? `${(ms / 60_000).toFixed(1)} min`
          : `${(ms / 3_600_000).toFixed(1)} h`;

/** A bin bound in the unit people use for it: hours up to a day, then days. */
const span = (ms: number | null) =>
  ms === null ? "—" : ms <= 86_400_000 ? `${ms / 3_600_000} h` : `${ms / 86_400_000} days`;

function table(rows: readonly (readonly [string, string])[]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</table>`;
}

function counts(record: Readonly<Record<string, number>>): string {
  const entries = Object.entries(record);
  return entries.length ? entries.map(([k, v]) => `${k}: ${v}`).join(", ") : "none";
}

export function reportHtml(r: TransparencyReport): string {
  const t = r.takedown.overall;
  const s = r.stance;
  const ratioText = s?.overall.ratio?.estimate
    ? `${s.overall.ratio.estimate.toFixed(2)} (95% interval ${s.overall.ratio.low?.toFixed(2) ?? "—"} to ${s.overall.ratio.high?.toFixed(2) ?? "unbounded"})`
    : "not estimable";
  const months = s?.periods ?? [];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(r.title)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%}th,td{text-align:start;padding:.25rem .5rem;border-bottom:1px solid #eee}
th{font-weight:600;width:60%}figure{margin:1rem 0}svg{width:100%;height:auto}figcaption{font-size:.9rem;color:#555}
dl{font-size:.9rem;color:#333}dt{font-weight:600}
</style></head><body>
<h1>${escapeHtml(r.title)}</h1>
<p>Period ${escapeHtml(r.period.from.slice(0, 10))} to ${escapeHtml(r.period.to.slice(0, 10))} (end exclusive). Generated ${escapeHtml(r.generatedAt)} by rasd from stored records; the records are in <code>items.csv</code>, <code>outcomes.csv</code>, <code>stance-strata.csv</code>, <code>stance-labels.csv</code> and <code>copies.csv</code> beside this page, the figures in <code>report.csv</code> and <code>report.json</code>.</p>

<h2>Measures taken (Art. 7(3)(a))</h2>
${table([
  ["Hash and URL banks in use", num(r.measures.banksUsed)],
  ["Active signals (hashes, URLs, texts)", num(r.measures.activeSignals)],
  ["Stance classifier", r.measures.classifier],
  [
    "Action rules",
    r.measures.rules.map((x) => `${x.name}${x.enabled ? "" : " (disabled)"} → ${x.actions.join(", ")}`).join("; ") ||
      "none",
  ],
])}

<h2>Removal orders and removals (Art. 7(3)(c))</h2>
${table([
  ["Removal orders received", num(r.removalOrders.received)],
  ["…met within one hour", num(r.removalOrders.metWithinOneHour)],
  ["Orders not acted on", num(r.removalOrders.notActioned)],
  ["…by reason", counts(r.removalOrders.notActionedByReason)],
  ["Items removed", num(r.removals.removed)],
  ["Items with access disabled", num(r.removals.disabled)],
  ["…by basis", counts(r.removals.byBasis)],
])}

<h2>Complaints, reviews and restorations (Art. 7(3)(d)–(g))</h2>
${table([
  ["Complaints received", num(r.complaints.received)],
  ["…upheld (content restored)", num(r.complaints.upheld)],
  ["…rejected", num(r.complaints.rejected)],
  ["…pending", num(r.complaints.pending)],
  ["Administrative or judicial review proceedings", num(r.reviewProceedings.filed)],
  ["…decision upheld", num(r.reviewProceedings.upheld)],
  ["…decision overturned", num(r.reviewProceedings.overturned)],
  ["Items restored", num(r.restorations.total)],
  ["…after a complaint", num(r.restorations.afterComplaint)],
])}

<h2>Regulation (EU) 2021/784, Art. 7(3)(a)–(g)</h2>
${table(
  r.art7.map((row) => [
    `(${row.point.slice(5)}) ${row.requires}`,
    Object.entries(row.figures)
      .map(([k, v]) => `${k}: ${v === null ? "none" : String(v)}`)
      .join("; "),
  ]),
)}

<h2>Known content coming back (Art. 7(3)(b))</h2>
${table([
  ["Items received", num(r.reuploads.items)],
  ["Contents received more than once", num(r.reuploads.repeatedContents)],
  ["Re-uploads (later copies)", num(r.reuploads.reuploads)],
  ["…on another platform than the first copy", num(r.reuploads.acrossPlatforms)],
  ["…after an earlier copy was removed", num(r.reuploads.afterRemoval)],
  ["…of which acted on automatically on receipt", num(r.reuploads.afterRemovalActedAutomatically)],
  ["…matched to known content (found by automated tools)", num(r.reuploads.matchedKnown)],
  [
    "Time from first copy to re-upload p50 / p90",
    `${dur(r.reuploads.timeToReupload.p50)} / ${dur(r.reuploads.timeToReupload.p90)}`,
  ],
])}

${
  r.links
    ? `<h2>Links that stay down (Art. 7(3)(b))</h2>
${table([
  ["Banked links checked (online or removed at the end)", num(r.links.overall.checked)],
  ["…found removed (404, 410, 451 or the host's removed page)", num(r.links.overall.offline)],
  [
    "Share of banked links offline at the end (95% interval)",
    r.links.overall.share === null
      ? "—"
      : `${pct(r.links.overall.share)} (${pct(r.links.overall.shareLow)} – ${pct(r.links.overall.shareHigh)})`,
  ],
  ["Links alerted to the member hosting them", num(r.links.overall.alerted)],
  ["…removed since the alert", num(r.links.overall.alertedRemoved)],
  [
    "Median time from alert to takedown (Kaplan–Meier, 95% interval)",
    r.links.overall.alertToTakedown.median === null
      ? "not yet known (fewer than half removed)"
      : `${dur(r.links.overall.alertToTakedown.median)} (${dur(r.links.overall.alertToTakedown.low)} – ${
          r.links.overall.alertToTakedown.high === null ? "unbounded" : dur(r.links.overall.alertToTakedown.high)
        })`,
  ],
])}`
    : ""
}

${
  r.accounts
    ? `<h2>Accounts and ban evasion (Art. 7(3)(b))</h2>
${table([
  ["Accounts suspended (banked by members)", num(r.accounts.overall.suspended)],
  ["Returning accounts found (an item's author matched a suspended account)", num(r.accounts.overall.returns)],
  [
    "Median time from suspension to return (95% interval)",
    r.accounts.overall.timeToReturn.median === null
      ? "none found"
      : `${dur(r.accounts.overall.timeToReturn.median)} (${dur(r.accounts.overall.timeToReturn.low)} – ${
          r.accounts.overall.timeToReturn.high === null ? "unbounded" : dur(r.accounts.overall.timeToReturn.high)
        }; ${num(r.accounts.overall.timed)} returns)`,
  ],
  ...r.accounts.byReporter.map((b): [string, string] => [`…suspended, reported by ${b.reporter}`, num(b.suspended)]),
])}`
    : ""
}

<h2>Who decided the removals</h2>
${table([
  ["Removed or disabled items", num(r.decisions.removals.items)],
  ["…decided by a person in review", num(r.decisions.removals.human)],
  ["…decided by automated matching, nobody reviewing", num(r.decisions.removals.automated)],
  ["…decided in the member's own process", num(r.decisions.removals.memberProcess)],
  [
    "Matches people reviewed, and the share they confirmed (95% interval)",
    `${num(r.decisions.matching.reviewed)}: ${pct(r.decisions.matching.precision)}${
      r.decisions.matching.interval
        ? ` (${pct(r.decisions.matching.interval.low)}–${pct(r.decisions.matching.interval.high)})`
        : ""
    }`,
  ],
])}

<h2>Automated tools' measured accuracy (labelled sample)</h2>
${table([
  ["Items in the labelling sample", num(r.automatedTools.labelledItems)],
  ["…of which a person could tell the stance", num(r.automatedTools.judged)],
  ["Classifier agrees with the person", pct(r.automatedTools.accuracy)],
  ["Pro recall / precision", `${pct(r.automatedTools.proRecall)} / ${pct(r.automatedTools.proPrecision)}`],
])}

<h2>Speed</h2>
${table([
  ["Items matched, acted on, or with an outcome", num(t.items)],
  ["Matched against a bank", num(t.matched)],
  ["Acted on by rasd", num(t.actioned)],
  ["Removed or disabled", `${num(t.removed)} (${pct(t.shareRemoved)})`],
  ["Removed within one hour of the order (or of receipt)", pct(t.withinHourShare)],
  [
    "Time to action p50 / p90 / p99",
    `${dur(t.timeToAction.p50)} / ${dur(t.timeToAction.p90)} / ${dur(t.timeToAction.p99)}`,
  ],
  [
    "Time to removal p50 / p90 / p99",
    `${dur(t.timeToRemoval.p50)} / ${dur(t.timeToRemoval.p90)} / ${dur(t.timeToRemoval.p99)}`,
  ],
  [
    "Time online (posted → removed) p50 / p90 / p99",
    `${dur(t.timeOnline.p50)} / ${dur(t.timeOnline.p90)} / ${dur(t.timeOnline.p99)}`,
  ],
  ["Still online (not removed, or restored)", `${num(t.stillOnline)} (${pct(t.shareStillOnline)})`],
])}
${
  t.timeOnline.count
    ? barChart(
        t.timeOnlineBins.map((b, i) => ({
          label:
            b.upToMs === null ? `over ${span(t.timeOnlineBins[i - 1]?.upToMs ?? null)}` : `up to ${span(b.upToMs)}`,
          value: b.items,
        })),
        "Time online of removed items (posted → removed)",
        (v) => num(v),
      )
    : ""
}
${
  r.takedown.byPlatform.length
    ? barChart(
        r.takedown.byPlatform.map((p) => ({ label: p.platform, value: p.withinHourShare ?? 0 })),
        "Share of removals within one hour, per platform",
        (v) => pct(v),
      )
    : ""
}

<h2>The information space: pro- and anti-ISIS content</h2>
<p>Items classified: ${num(s?.overall.items)}. Estimated share pro-ISIS ${pct(s?.overall.pro?.estimate)} (${pct(s?.overall.pro?.low)}–${pct(s?.overall.pro?.high)}), anti-ISIS ${pct(s?.overall.anti?.estimate)} (${pct(s?.overall.anti?.low)}–${pct(s?.overall.anti?.high)}). Anti:pro ratio ${escapeHtml(ratioText)}.</p>
${
  months.length
    ? bandChart(
        months.map((p) => ({
          label: p.start.slice(0, 7),
          value: p.ratio?.estimate ?? null,
          low: p.ratio?.low ?? null,
          high: p.ratio?.high ?? null,
        })),
        "Anti:pro ratio per month with its 95% interval",
      )
    : ""
}
${
  months.length
    ? bandChart(
        months.map((p) => ({
          label: p.start.slice(0, 7),
          value: p.pro?.estimate ?? null,
          low: p.pro?.low ?? null,
          high: p.pro?.high ?? null,
        })),
        "Estimated share of pro-ISIS content per month with its 95% interval",
      )
    : ""
}

<h2>How each figure is computed</h2>
<dl>${Object.entries(r.definitions)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join("")}</dl>
</body></html>
`;
}
