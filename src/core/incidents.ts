/**
 * The crisis protocol (issue 20), after GIFCT's Content Incident Protocol: an incident with a
 * tier, its own bank shared with every member, a log of timed events, proposed variants, and
 * a debrief computed from the events alone (so that anyone holding the events CSV can check
 * every figure). Pure: no I/O.
 */

import type { OrgKind, SignalType } from "./model.js";

export const INCIDENT_TIERS = [1, 2, 3] as const;
export type IncidentTier = (typeof INCIDENT_TIERS)[number];

/** The written criteria of each tier (docs/crisis.md says the same). */
export const TIER_CRITERIA: Readonly<Record<IncidentTier, string>> = {
  1: "A real-world attack or credible threat with perpetrator-produced content (livestream, manifesto, claim video) spreading across several member services: every member acts now.",
  2: "Propaganda tied to an attack or a coordinated release (a new official video, a claim of responsibility) spreading on at least one member service, with signs of spread to others.",
  3: "A developing situation: content that may become an incident (a threat, a leaked release) seen by one member; shared so that others watch for it.",
};

/** Files (images, videos) one declaration may carry; more are added to the incident as artefacts after. */
export const MAX_DECLARE_FILES = 10;

export const INCIDENT_STATUSES = ["active", "closed"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Organisation kinds whose admins may declare (a coalition organisation is a government one in rasd). */
export const DECLARING_KINDS: readonly OrgKind[] = ["government"];

/** Signal types a near-duplicate of an incident signal is proposed as. */
export const VARIANT_TYPES = ["pdq", "vpdq", "text"] as const satisfies readonly SignalType[];
export type VariantType = (typeof VARIANT_TYPES)[number];

export const VARIANT_STATUSES = ["proposed", "accepted", "rejected"] as const;
export type VariantStatus = (typeof VARIANT_STATUSES)[number];

/** Two PDQ variants this close (bits) are one cluster: a new near-duplicate joins it rather than being proposed again. */
export const VARIANT_CLUSTER_PDQ_BITS = 16;
/** Two text variants this similar (Jaccard of shingles) are one cluster. */
export const VARIANT_CLUSTER_TEXT_SIMILARITY = 0.8;
/** A video joins a vPDQ proposal's cluster when this share (%) of each one's frames is within VARIANT_CLUSTER_PDQ_BITS of the other's. */
export const VARIANT_CLUSTER_VPDQ_PERCENT = 80;

/**
 * What happens during an incident, each stored with its time:
 * - `declared`: the incident exists; its detail names the members alerted (`members`).
 * - `hash_shared`: a signal entered the incident bank (an artefact, or an accepted variant).
 * - `alert_delivered`: a member's webhook receiver answered 2xx to an alert (detail.event).
 * - `match`: a member's submission matched the incident bank (item_id, org_id).
 * - `action`: a member acted on a matched submission (a rule's webhook or decision fired, or a review decision).
 * - `variant_proposed`, `variant_seen` (another near-duplicate in a proposed variant's cluster),
 *   `variant_accepted`, `variant_rejected`.
 * - `updated`, `closed`.
 */
export const INCIDENT_EVENT_KINDS = [
  "declared",
  "hash_shared",
  "alert_delivered",
  "match",
  "action",
  "variant_proposed",
  "variant_seen",
  "variant_accepted",
  "variant_rejected",
  "updated",
  "closed",
] as const;
export type IncidentEventKind = (typeof INCIDENT_EVENT_KINDS)[number];

export interface IncidentEvent {
  readonly id: number;
  readonly incidentId: number;
  readonly at: number;
  readonly kind: IncidentEventKind;
  readonly orgId: number | null;
  readonly itemId: number | null;
  readonly signalId: number | null;
  readonly variantId: number | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface Incident {
  readonly id: number;
  readonly orgId: number;
  readonly declaredBy: number | null;
  readonly tier: IncidentTier;
  readonly title: string;
  readonly description: string;
  /** An exercise: same protocol, excluded from every real figure. */
  readonly drill: boolean;
  readonly status: IncidentStatus;
  readonly bankId: number;
  readonly declaredAt: number;
  readonly closedAt: number | null;
  /** The debrief's editable "what to improve". */
  readonly improve: string;
  readonly updatedAt: number;
}

export interface Variant {
  readonly id: number;
  readonly incidentId: number;
  readonly type: VariantType;
  readonly value: string;
  /** The submission it was first seen in, and its member. */
  readonly itemId: number | null;
  readonly orgId: number | null;
  /** The incident signal it is near. */
  readonly nearSignalId: number | null;
  /** PDQ bits apart, or 100 − vPDQ match percent. */
  readonly distance: number | null;
  /** Text similarity. */
  readonly similarity: number | null;
  /** Near-duplicates seen in its cluster (itself included). */
  readonly seen: number;
  readonly status: VariantStatus;
  readonly proposedAt: number;
  readonly decidedAt: number | null;
  readonly decidedBy: number | null;
  /** The incident bank's signal made from it, once accepted. */
  readonly signalId: number | null;
}

/** The webhook event types of the protocol. */
export const INCIDENT_WEBHOOK_EVENTS = ["incident.declared", "incident.updated", "incident.closed"] as const;
export type IncidentWebhookEvent = (typeof INCIDENT_WEBHOOK_EVENTS)[number];

export function isTier(n: unknown): n is IncidentTier {
  return n === 1 || n === 2 || n === 3;
}

/** One member's times in the debrief (ms, null when it never happened). */
export interface MemberTimes {
  readonly orgId: number;
  readonly alertedAt: number | null;
  readonly firstMatchAt: number | null;
  readonly firstActionAt: number | null;
  readonly matched: number;
  readonly actioned: number;
}

export interface Debrief {
  readonly incidentId: number;
  readonly drill: boolean;
  readonly declaredAt: number | null;
  readonly firstHashSharedAt: number | null;
  readonly firstMatchAt: number | null;
  /** When 90% of the matched copies (distinct items) had been acted on; null when never. */
  readonly ninetyActionedAt: number | null;
  readonly closedAt: number | null;
  /** Intervals from the declaration (ms). */
  readonly toFirstHash: number | null;
  readonly toFirstMatch: number | null;
  readonly toNinetyActioned: number | null;
  readonly matchedCopies: number;
  readonly actionedCopies: number;
  readonly members: readonly MemberTimes[];
  /** Members alerted that never acted on a matched copy. */
  readonly neverActed: readonly number[];
  readonly variants: { readonly proposed: number; readonly accepted: number; readonly rejected: number };
  /** Matched copies per hour since the declaration: [hour start ms, count]. */
  readonly uploadsPerHour: readonly (readonly [number, number])[];
  readonly events: number;
}

const HOUR = 3_600_000;

function minOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.min(...values);
}

function since(from: number | null, to: number | null): number | null {
  return from === null || to === null ? null : to - from;
}

/**
 * The debrief of an incident from its events alone. The members are those the `declared`
 * event names (everyone alerted). A copy is a distinct matched item; it is actioned at its
 * first `action` event; the 90% time is when the ⌈0.9·n⌉-th copy was first actioned.
 * @example computeDebrief(1, false, []).matchedCopies // 0
 */
export function computeDebrief(incidentId: number, drill: boolean, events: readonly IncidentEvent[]): Debrief {
  const sorted = [...events].sort((a, b) => a.at - b.at || a.id - b.id);
  const of = (kind: IncidentEventKind) => sorted.filter((e) => e.kind === kind);
  const declared = of("declared")[0];
  const declaredAt = declared?.at ?? null;
  const members = new Set<number>(
    Array.isArray(declared?.detail.members) ? (declared.detail.members as unknown[]).map(Number) : [],
  );
  const firstMatch = new Map<number, number>(); // item → first match time
  const matchOrg = new Map<number, number>();
  for (const e of of("match"))
    if (e.itemId !== null && !firstMatch.has(e.itemId)) {
      firstMatch.set(e.itemId, e.at);
      if (e.orgId !== null) matchOrg.set(e.itemId, e.orgId);
    }
  const firstAction = new Map<number, number>();
  for (const e of of("action"))
    if (e.itemId !== null && firstMatch.has(e.itemId) && !firstAction.has(e.itemId)) firstAction.set(e.itemId, e.at);
  const n = firstMatch.size;
  const actionTimes = [...firstAction.values()].sort((a, b) => a - b);
  const k = Math.ceil(0.9 * n);
  const ninetyActionedAt = n > 0 && actionTimes.length >= k ? actionTimes[k - 1]! : null;
  const orgs = new Set<number>([...members, ...matchOrg.values()]);
  const memberTimes: MemberTimes[] = [...orgs]
    .sort((a, b) => a - b)
    .map((orgId) => {
      const items = [...matchOrg].filter(([, o]) => o === orgId).map(([i]) => i);
      return {
        orgId,
        alertedAt: minOrNull(
          of("alert_delivered")
            .filter((e) => e.orgId === orgId)
            .map((e) => e.at),
        ),
        firstMatchAt: minOrNull(items.map((i) => firstMatch.get(i)!)),
        firstActionAt: minOrNull(items.filter((i) => firstAction.has(i)).map((i) => firstAction.get(i)!)),
        matched: items.length,
        actioned: items.filter((i) => firstAction.has(i)).length,
      };
    });
  const firstHashSharedAt = of("hash_shared")[0]?.at ?? null;
  const firstMatchAt = minOrNull([...firstMatch.values()]);
  const perHour = new Map<number, number>();
  const base = declaredAt ?? firstMatchAt ?? 0;
  for (const at of firstMatch.values()) {
    const hour = base + Math.floor((at - base) / HOUR) * HOUR;
    perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
  }
  return {
    incidentId,
    drill,
    declaredAt,
    firstHashSharedAt,
    firstMatchAt,
    ninetyActionedAt,
    closedAt: of("closed")[0]?.at ?? null,
    toFirstHash: since(declaredAt, firstHashSharedAt),
    toFirstMatch: since(declaredAt, firstMatchAt),
    toNinetyActioned: since(declaredAt, ninetyActionedAt),
    matchedCopies: n,
    actionedCopies: firstAction.size,
    members: memberTimes,
    neverActed: memberTimes.filter((m) => m.firstActionAt === null).map((m) => m.orgId),
    variants: {
      proposed: of("variant_proposed").length,
      accepted: of("variant_accepted").length,
      rejected: of("variant_rejected").length,
    },
    uploadsPerHour: [...perHour].sort((a, b) => a[0] - b[0]),
    events: sorted.length,
  };
}

/**
 * The timeline the live page shows: the declaration, the first hash shared, each member's
 * first match and first action, every variant event, the close. In time order.
 */
export function timeline(events: readonly IncidentEvent[]): IncidentEvent[] {
  const sorted = [...events].sort((a, b) => a.at - b.at || a.id - b.id);
  const seen = new Set<string>();
  const out: IncidentEvent[] = [];
  for (const e of sorted) {
    let key: string | undefined;
    if (e.kind === "declared" || e.kind === "closed") key = e.kind;
    else if (e.kind === "hash_shared") key = out.some((o) => o.kind === "hash_shared") ? undefined : "first-hash";
    else if (e.kind === "match" || e.kind === "action" || e.kind === "alert_delivered") key = `${e.kind}:${e.orgId}`;
    else if (e.kind.startsWith("variant_") && e.kind !== "variant_seen") key = `${e.kind}:${e.variantId}`;
    else if (e.kind === "updated") key = `updated:${e.id}`;
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}
