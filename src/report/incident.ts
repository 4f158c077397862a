/** The crisis protocol's debrief rendered: CSV (figures, events) and a script-free HTML page. Pure. */

import type { Debrief, Incident, IncidentEvent } from "../core/incidents.js";
import { csvRow } from "../kernels/csv.js";
import type { DebriefView, IncidentView } from "../http/schemas/incidents.js";
import { barChart, escapeHtml } from "./charts.js";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** An incident as the API and the CLI show it. */
export function incidentView(i: Incident, names: { org: string; bank: string }, runs: boolean): IncidentView {
  return {
    id: i.id,
    org_id: i.orgId,
    org: names.org,
    tier: i.tier,
    title: i.title,
    description: i.description,
    drill: i.drill,
    status: i.status,
    bank_id: i.bankId,
    bank: names.bank,
    declared_at: iso(i.declaredAt)!,
    closed_at: iso(i.closedAt),
    improve: i.improve,
    runs,
  };
}

/** The debrief as the API, the CLI and the renderers below show it (organisations by name). */
export function debriefView(incident: IncidentView, d: Debrief, orgs: ReadonlyMap<number, string>): DebriefView {
  return {
    incident,
    declared_at: iso(d.declaredAt),
    first_hash_shared_at: iso(d.firstHashSharedAt),
    first_match_at: iso(d.firstMatchAt),
    ninety_actioned_at: iso(d.ninetyActionedAt),
    closed_at: iso(d.closedAt),
    to_first_hash_ms: d.toFirstHash,
    to_first_match_ms: d.toFirstMatch,
    to_ninety_actioned_ms: d.toNinetyActioned,
    matched_copies: d.matchedCopies,
    actioned_copies: d.actionedCopies,
    members: d.members.map((m) => ({
      org_id: m.orgId,
      org: orgs.get(m.orgId) ?? "",
      alerted_at: iso(m.alertedAt),
      first_match_at: iso(m.firstMatchAt),
      first_action_at: iso(m.firstActionAt),
      matched: m.matched,
      actioned: m.actioned,
    })),
    never_acted: d.neverActed.map((id) => ({ org_id: id, org: orgs.get(id) ?? "" })),
    variants: { ...d.variants },
    uploads_per_hour: d.uploadsPerHour.map(([hour, uploads]) => ({ hour: iso(hour)!, uploads })),
    events: d.events,
  };
}

/** The columns of an incident's events.csv, in order (the debrief recomputes from these). */
export const EVENT_COLUMNS = [
  "id",
  "at",
  "at_ms",
  "kind",
  "org_id",
  "item_id",
  "signal_id",
  "variant_id",
  "detail",
] as const;

function lines(rows: readonly (readonly unknown[])[]): string {
  return rows.map(csvRow).join("\r\n") + "\r\n";
}

/** events.csv: every stored event of the incident, one row each. */
export function eventsCsv(events: readonly IncidentEvent[]): string {
  return lines([
    EVENT_COLUMNS,
    ...events.map((e) => [
      e.id,
      new Date(e.at).toISOString(),
      e.at,
      e.kind,
      e.orgId,
      e.itemId,
      e.signalId,
      e.variantId,
      JSON.stringify(e.detail),
    ]),
  ]);
}

/** debrief.csv: one figure a row (`member` and `org` set for a member's own figures). */
export function debriefCsv(d: DebriefView): string {
  const rows: unknown[][] = [["figure", "member", "org", "value"]];
  const add = (figure: string, value: unknown, member: number | null = null, org = "") =>
    rows.push([figure, member, org, value ?? ""]);
  add("incident_id", d.incident.id);
  add("tier", d.incident.tier);
  add("drill", d.incident.drill ? "true" : "false");
  add("declared_at", d.declared_at);
  add("first_hash_shared_at", d.first_hash_shared_at);
  add("first_match_at", d.first_match_at);
  add("ninety_actioned_at", d.ninety_actioned_at);
  add("closed_at", d.closed_at);
  add("to_first_hash_ms", d.to_first_hash_ms);
  add("to_first_match_ms", d.to_first_match_ms);
  add("to_ninety_actioned_ms", d.to_ninety_actioned_ms);
  add("matched_copies", d.matched_copies);
  add("actioned_copies", d.actioned_copies);
  add("variants_proposed", d.variants.proposed);
  add("variants_accepted", d.variants.accepted);
  add("variants_rejected", d.variants.rejected);
  for (const m of d.members) {
    add("alerted_at", m.alerted_at, m.org_id, m.org);
    add("first_match_at", m.first_match_at, m.org_id, m.org);
    add("first_action_at", m.first_action_at, m.org_id, m.org);
    add("matched", m.matched, m.org_id, m.org);
    add("actioned", m.actioned, m.org_id, m.org);
  }
  for (const m of d.never_acted) add("never_acted", "true", m.org_id, m.org);
  for (const h of d.uploads_per_hour) add("uploads_in_hour", h.uploads, null, h.hour);
  add("what_to_improve", d.incident.improve);
  return lines(rows);
}

const dur = (ms: number | null) =>
  ms === null ? "—" : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("");
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

/** The debrief as one page, no scripts (served with the API's strict security headers). */
export function debriefHtml(d: DebriefView): string {
  const i = d.incident;
  const t = (v: string | null) => v ?? "—";
  const exercise = i.drill
    ? `<p class="drill"><strong>EXERCISE</strong> — a drill; excluded from every real figure.</p>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Incident ${i.id} debrief</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:start}.drill{background:#fff3cd;padding:.5rem}</style>
</head><body>
<h1>Incident ${i.id} debrief: ${escapeHtml(i.title)}</h1>
${exercise}
<p>Tier ${i.tier}, declared by ${escapeHtml(i.org)}; ${escapeHtml(i.status)}.</p>
<h2>Times</h2>
${table(
  ["step", "at", "after declaration"],
  [
    ["declaration", t(d.declared_at), "0 s"],
    ["first hash shared", t(d.first_hash_shared_at), dur(d.to_first_hash_ms)],
    ["first match (any member)", t(d.first_match_at), dur(d.to_first_match_ms)],
    [`90% of ${d.matched_copies} matched copies actioned`, t(d.ninety_actioned_at), dur(d.to_ninety_actioned_ms)],
    ["closed", t(d.closed_at), ""],
  ],
)}
<h2>Members</h2>
${table(
  ["member", "alerted", "first match", "first action", "matched", "actioned"],
  d.members.map((m) => [
    m.org,
    t(m.alerted_at),
    t(m.first_match_at),
    t(m.first_action_at),
    String(m.matched),
    String(m.actioned),
  ]),
)}
<p>Never acted: ${d.never_acted.length ? d.never_acted.map((m) => escapeHtml(m.org)).join(", ") : "none"}.</p>
<h2>Variants</h2>
<p>Proposed ${d.variants.proposed}, accepted ${d.variants.accepted}, rejected ${d.variants.rejected}.</p>
<h2>Uploads per hour</h2>
${
  d.uploads_per_hour.length
    ? barChart(
        d.uploads_per_hour.map((h) => ({ label: h.hour.slice(0, 13) + "h", value: h.uploads })),
        "Matched uploads per hour",
        (v) => String(v),
      )
    : "<p>None.</p>"
}
<h2>What to improve</h2>
<p>${i.improve ? escapeHtml(i.improve).replace(/\n/g, "<br>") : "—"}</p>
<p><small>Every figure is computed from the incident's ${d.events} stored events (events.csv).</small></p>
</body></html>
`;
}
