/** Links that stay down (issue 19): banked links, their checks and chains, alerts, members' domains, figures. */

import { Type, type Static } from "typebox";
import { IsoTime, Nullable, StringEnum } from "./common.js";

export const LINK_STATES = ["unchecked", "online", "removed", "error"] as const;

export const LinkHopView = Type.Object({
  url: Type.String(),
  method: StringEnum(["HEAD", "GET"]),
  status: Nullable(Type.Integer({ description: "HTTP status; null: no answer" })),
  location: Type.Optional(Type.String({ description: "Where a redirect (or a refresh page) sent the next hop" })),
  error: Type.Optional(Type.String()),
  ms: Type.Integer(),
});
export type LinkHopView = Static<typeof LinkHopView>;

export const LinkView = Type.Object({
  id: Type.Integer(),
  url: Type.String({ description: "The canonical URL (the URL signal's value)" }),
  host: Type.String(),
  status: StringEnum(LINK_STATES),
  status_at: IsoTime,
  banked_at: Type.String(),
  first_online_at: IsoTime,
  last_online_at: IsoTime,
  first_offline_at: Nullable(Type.String({ description: "The first check that found it removed: its takedown time" })),
  last_checked_at: IsoTime,
  next_check_at: Type.String(),
  checks: Type.Integer(),
  failures: Type.Integer({ description: "Checks in a row ending in an error" }),
  last_http_status: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  final_url: Nullable(Type.String()),
});
export type LinkView = Static<typeof LinkView>;

export const LinkCheckView = Type.Object({
  checked_at: Type.String(),
  status: StringEnum(["online", "removed", "error"]),
  http_status: Nullable(Type.Integer()),
  detail: Type.String(),
  hops: Type.Array(LinkHopView),
});
export type LinkCheckView = Static<typeof LinkCheckView>;

export const LinkAlertView = Type.Object({
  id: Type.Integer(),
  org_id: Type.Integer(),
  item_id: Nullable(
    Type.Integer({ description: "The item the alert travelled as (rules and webhooks, event link.alert)" }),
  ),
  alerted_at: Type.String(),
});
export type LinkAlertView = Static<typeof LinkAlertView>;

export const LinkExpansionView = Type.Object({
  url: Type.String(),
  final_url: Nullable(Type.String()),
  error: Nullable(Type.String()),
  expanded_at: Type.String(),
  item_id: Nullable(Type.Integer()),
  hops: Type.Array(LinkHopView),
});
export type LinkExpansionView = Static<typeof LinkExpansionView>;

export const LinkDetailView = Type.Object({
  link: LinkView,
  checks: Type.Array(LinkCheckView, { description: "Newest first" }),
  alerts: Type.Array(LinkAlertView, { description: "Alerts to the caller's organisation" }),
  expansions: Type.Array(LinkExpansionView, { description: "Chains followed from this link when it was submitted" }),
});
export type LinkDetailView = Static<typeof LinkDetailView>;

export const LinkMatchView = Type.Object({
  signal_id: Type.Integer(),
  bank_id: Type.Integer(),
  type: Type.String(),
  matched: Type.Optional(Type.String()),
});

export const LinkExpandView = Type.Object({
  url: Type.String(),
  final_url: Nullable(Type.String()),
  error: Nullable(Type.String()),
  hops: Type.Array(LinkHopView),
  matches: Type.Array(Type.Object({ url: Type.String(), matches: Type.Array(LinkMatchView) }), {
    description: "Each URL of the chain with the caller's matches on it",
  }),
});
export type LinkExpandView = Static<typeof LinkExpandView>;

export const DomainView = Type.Object({ domain: Type.String(), created_at: Type.String() });
export type DomainView = Static<typeof DomainView>;

export const MedianView = Type.Object({
  n: Type.Integer(),
  events: Type.Integer({ description: "Of n, those seen removed" }),
  median_seconds: Nullable(Type.Number()),
  low_seconds: Nullable(Type.Number()),
  high_seconds: Nullable(Type.Number({ description: "null: not bounded above yet" })),
  level: Type.Number(),
});
export type MedianView = Static<typeof MedianView>;

const ShareFields = {
  checked: Type.Integer(),
  offline: Type.Integer(),
  share: Nullable(Type.Number()),
  share_low: Nullable(Type.Number({ description: "95% Wilson interval of the share; null with none checked" })),
  share_high: Nullable(Type.Number()),
  errors: Type.Integer(),
  unchecked: Type.Integer(),
};

export const LinkPeriodView = Type.Object({
  start: Type.String(),
  end: Type.String(),
  ...ShareFields,
  alerted: Type.Integer(),
  alerted_removed: Type.Integer(),
  alert_to_takedown: MedianView,
});
export type LinkPeriodView = Static<typeof LinkPeriodView>;

export const LinkMeasurementView = Type.Object({
  from: Type.String(),
  to: Type.String(),
  interval: Type.String(),
  overall: LinkPeriodView,
  periods: Type.Array(LinkPeriodView),
  by_host: Type.Array(Type.Object({ host: Type.String(), ...ShareFields, takedown: MedianView })),
  by_platform: Type.Array(Type.Object({ platform: Type.String(), ...ShareFields })),
  definitions: Type.Record(Type.String(), Type.String()),
});
export type LinkMeasurementView = Static<typeof LinkMeasurementView>;
