/** Content items, the actions taken on them, their outcomes, and submission receipts. */

import { Type, type Static } from "typebox";
import { IsoTime, Nullable, PercentilesView } from "./common.js";
import { MatchView } from "./banks.js";

export const ActionView = Type.Object({
  id: Type.Number(),
  item_id: Type.Number(),
  rule_id: Type.Number(),
  type: Type.String(),
  status: Type.String(),
  delivery_id: Type.String(),
  target: Type.String(),
  attempts: Type.Number(),
  last_status: Nullable(Type.Number()),
  last_error: Nullable(Type.String()),
  created_at: IsoTime,
  completed_at: IsoTime,
});
export type ActionView = Static<typeof ActionView>;

/** What happened to an item on the platform (a removal, a complaint, ...). */
export const OutcomeView = Type.Object({
  id: Type.Number(),
  kind: Type.String(),
  basis: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  authority: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  at: IsoTime,
  recorded_at: IsoTime,
});
export type OutcomeView = Static<typeof OutcomeView>;

/** What the stance classifier said of an item. */
const StanceView = Type.Object({
  label: Type.String(),
  score: Type.Number(),
  scores: Type.Object({ pro: Type.Number(), anti: Type.Number(), neutral: Type.Number() }),
  lang: Type.String(),
  behaviour: Type.Optional(Type.String()),
  model: Type.String(),
});
export type StanceView = Static<typeof StanceView>;

/** A stored match: the match with its bank's name and marking, and what matched. */
const StoredMatchView = Type.Object(
  {
    ...MatchView.properties,
    bankName: Type.Optional(Type.String()),
    tlp: Type.Optional(Type.String()),
    value: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type StoredMatchView = Static<typeof StoredMatchView>;

/** An item as its organisation sees it; matches only of banks the viewer may see. */
export const ContentItemView = Type.Object({
  id: Type.Number(),
  kind: Type.String(),
  content_id: Type.String(),
  author_id: Type.String(),
  posted_at: IsoTime,
  platform: Type.String(),
  country: Type.String(),
  url: Type.Optional(Type.String()),
  text: Type.Optional(Type.String()),
  media_type: Type.Optional(Type.String()),
  media_size: Type.Optional(Nullable(Type.Number())),
  media_expired_at: Type.Optional(
    Type.String({
      format: "date-time",
      description:
        "When the media retention policy deleted the item's bytes (RASD_MEDIA_RETENTION_DAYS); its hashes, matches and decisions are kept",
    }),
  ),
  status: Type.String(),
  error: Nullable(Type.String()),
  hashes: Type.Unknown({
    description:
      "The item's hashes by type. For an item with links to follow (decision 0038): `links_pending: true` until they are followed, then `links` (each link's chain of hops); or, when following them used up its attempts, `links_failed: {error, attempts, at}` (the last error; a terminal state, decision 0041)",
  }),
  matches: Type.Array(StoredMatchView),
  stance: Type.Optional(StanceView),
  actions: Type.Array(ActionView),
  outcomes: Type.Optional(Type.Array(OutcomeView)),
  timestamps: Type.Object({
    received_at: IsoTime,
    hashed_at: IsoTime,
    matched_at: IsoTime,
    classified_at: IsoTime,
    acted_at: IsoTime,
  }),
  durations_ms: Type.Object({
    received_to_hashed: Nullable(Type.Number()),
    received_to_matched: Nullable(Type.Number()),
    received_to_acted: Nullable(Type.Number()),
  }),
});
export type ContentItemView = Static<typeof ContentItemView>;

/** The receipt for a submission: the item is committed and will not be lost. */
export const SubmittedView = Type.Object({
  id: Type.Number(),
  status: Type.Literal("received"),
  replay: Type.Boolean({ description: "True when the Idempotency-Key was seen before" }),
  href: Type.String(),
});
export type SubmittedView = Static<typeof SubmittedView>;

/** A batch's receipt: one result per item, in order, accepted or refused. */
export const BatchView = Type.Object({
  items: Type.Array(
    Type.Union([
      Type.Object({ id: Type.Number(), status: Type.Literal("received"), replay: Type.Boolean() }),
      Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) }),
    ]),
  ),
  accepted: Type.Number(),
});
export type BatchView = Static<typeof BatchView>;

export const TimeToActionView = Type.Object({
  items: Type.Number(),
  since: Type.String({ description: "ISO 8601 time" }),
  hashed_ms: PercentilesView,
  matched_ms: PercentilesView,
  acted_ms: PercentilesView,
});
export type TimeToActionView = Static<typeof TimeToActionView>;
