/** The crisis protocol's shapes (issue 20): incidents, their events, variants, alerts and the debrief. */

import { Type, type Static } from "typebox";
import { INCIDENT_EVENT_KINDS, INCIDENT_STATUSES, VARIANT_STATUSES, VARIANT_TYPES } from "../../core/incidents.js";
import { IsoTime, Nullable, StringEnum } from "./common.js";

export const IncidentView = Type.Object({
  id: Type.Integer(),
  org_id: Type.Integer({ description: "The declaring organisation" }),
  org: Type.String(),
  tier: Type.Integer({ minimum: 1, maximum: 3 }),
  title: Type.String(),
  description: Type.String(),
  drill: Type.Boolean({ description: "An exercise: excluded from every real figure" }),
  status: StringEnum(INCIDENT_STATUSES),
  bank_id: Type.Integer(),
  bank: Type.String(),
  declared_at: Type.String(),
  closed_at: IsoTime,
  improve: Type.String({ description: "The debrief's 'what to improve'" }),
  runs: Type.Boolean({ description: "Whether the caller may run it (an admin of the declaring organisation)" }),
});
export type IncidentView = Static<typeof IncidentView>;

export const IncidentEventView = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  at_ms: Type.Number(),
  kind: StringEnum(INCIDENT_EVENT_KINDS),
  org_id: Nullable(Type.Integer()),
  org: Nullable(Type.String()),
  item_id: Nullable(Type.Integer()),
  signal_id: Nullable(Type.Integer()),
  variant_id: Nullable(Type.Integer()),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export type IncidentEventView = Static<typeof IncidentEventView>;

export const VariantView = Type.Object({
  id: Type.Integer(),
  incident_id: Type.Integer(),
  type: StringEnum(VARIANT_TYPES),
  value: Type.String(),
  item_id: Nullable(Type.Integer()),
  org_id: Nullable(Type.Integer()),
  near_signal_id: Nullable(Type.Integer()),
  distance: Nullable(Type.Number()),
  similarity: Nullable(Type.Number()),
  seen: Type.Integer({ description: "Near-duplicates seen in its cluster" }),
  status: StringEnum(VARIANT_STATUSES),
  proposed_at: Type.String(),
  decided_at: IsoTime,
  signal_id: Nullable(Type.Integer()),
});
export type VariantView = Static<typeof VariantView>;

export const AlertView = Type.Object({
  org_id: Type.Integer(),
  event: Type.String(),
  delivery_id: Type.String(),
  origin: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  created_at: Type.String(),
  delivered_at: IsoTime,
  last_error: Nullable(Type.String()),
});

export const MemberTimesView = Type.Object({
  org_id: Type.Integer(),
  org: Type.String(),
  alerted_at: IsoTime,
  first_match_at: IsoTime,
  first_action_at: IsoTime,
  matched: Type.Integer(),
  actioned: Type.Integer(),
});

export const DebriefView = Type.Object({
  incident: IncidentView,
  declared_at: IsoTime,
  first_hash_shared_at: IsoTime,
  first_match_at: IsoTime,
  ninety_actioned_at: IsoTime,
  closed_at: IsoTime,
  to_first_hash_ms: Nullable(Type.Number()),
  to_first_match_ms: Nullable(Type.Number()),
  to_ninety_actioned_ms: Nullable(Type.Number()),
  matched_copies: Type.Integer(),
  actioned_copies: Type.Integer(),
  members: Type.Array(MemberTimesView),
  never_acted: Type.Array(Type.Object({ org_id: Type.Integer(), org: Type.String() })),
  variants: Type.Object({ proposed: Type.Integer(), accepted: Type.Integer(), rejected: Type.Integer() }),
  uploads_per_hour: Type.Array(Type.Object({ hour: Type.String(), uploads: Type.Integer() })),
  events: Type.Integer(),
});
export type DebriefView = Static<typeof DebriefView>;

export const IncidentDetailView = Type.Object({
  incident: IncidentView,
  signals: Type.Integer({ description: "Active signals in the incident bank" }),
  timeline: Type.Array(IncidentEventView),
  variants: Type.Object({ proposed: Type.Integer(), accepted: Type.Integer(), rejected: Type.Integer() }),
  alerts: Type.Array(AlertView),
  debrief: DebriefView,
});
