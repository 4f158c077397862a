/** Banks, signals and matches as the API shows them. */

import { Type, type Static } from "typebox";
import { ErrorBody, IsoTime, LabelsView, Nullable } from "./common.js";

export const BankView = Type.Object({
  id: Type.Number(),
  org_id: Type.Number(),
  name: Type.String(),
  description: Type.String(),
  action_hint: Type.String(),
  tlp: Type.String(),
  negative: Type.Boolean(),
  pdq_threshold: Type.Number(),
  pdq_min_quality: Type.Number(),
  text_min_similarity: Type.Number(),
  account_min_score: Type.Number({ description: "The score a ban-evasion (account) match against this bank needs" }),
  enabled_ratio: Type.Number(),
  share_with_org_ids: Type.Optional(Type.Array(Type.Number(), { description: "Shown to the owner only" })),
  reader_person_ids: Type.Optional(Type.Array(Type.Number(), { description: "Shown to the owner only" })),
  recipient_org_ids: Type.Optional(
    Type.Array(Type.Number(), {
      description:
        "Organisations named as recipients while AMBER+STRICT (here or through a federation link); shown to the owner only",
    }),
  ),
  created_at: IsoTime,
  updated_at: IsoTime,
});
export type BankView = Static<typeof BankView>;

export const SignalView = Type.Object({
  id: Type.Number(),
  bank_id: Type.Number(),
  type: Type.String(),
  value: Type.String(),
  quality: Nullable(Type.Number()),
  labels: LabelsView,
  confidence: Type.Number(),
  source: Type.String(),
  status: Type.String(),
  first_seen: IsoTime,
  last_seen: IsoTime,
  created_at: IsoTime,
  updated_at: IsoTime,
});
export type SignalView = Static<typeof SignalView>;

export const SignalPage = Type.Object({
  signals: Type.Array(SignalView),
  next_after: Nullable(Type.Number()),
});
export type SignalPage = Static<typeof SignalPage>;

/** What adding signals did; a bad signal is reported by its index and the rest land. */
export const SignalReport = Type.Object({
  created: Type.Number(),
  updated: Type.Number(),
  reactivated: Type.Number(),
  rejected: Type.Array(Type.Object({ index: Type.Number(), message: Type.String() })),
});
export type SignalReport = Static<typeof SignalReport>;

/** Adding signals answers 400 with the report when every one was rejected, or an error. */
export const SignalReportOrError = Type.Union([SignalReport, ErrorBody]);

/**
 * One match (camelCase, as the matcher and the stored item record it). Open: each signal type
 * adds its own facts (distance, similarity, transform, matched, match percentages, ...).
 */
export const MatchView = Type.Object(
  {
    signalId: Type.Number(),
    bankId: Type.Number(),
    type: Type.String(),
    distance: Type.Optional(Type.Number({ description: "PDQ: Hamming distance" })),
    similarity: Type.Optional(Type.Number({ description: "Text: Jaccard similarity" })),
    transform: Type.Optional(Type.String({ description: "PDQ: which dihedral transform of the query matched" })),
    matched: Type.Optional(Type.String({ description: "URL or domain: what matched" })),
    queryMatchPercent: Type.Optional(Type.Number()),
    comparedMatchPercent: Type.Optional(Type.Number()),
    suppressed: Type.Optional(Type.Boolean({ description: "Suppressed by a match in an allow-list bank" })),
    origin: Type.Optional(
      Type.String({ description: "A signal fetched by an exchange: where it came from (exchange, remote, bank, id)" }),
    ),
  },
  { additionalProperties: true },
);
export type MatchView = Static<typeof MatchView>;

export const MatchResponse = Type.Object({
  matches: Type.Array(MatchView),
  suppressed_by: Type.Array(Type.Number(), { description: "Allow-list banks that matched" }),
});
export type MatchResponse = Static<typeof MatchResponse>;

/** A signal found by search: with its bank's name, and how near it is when found by similarity. */
export const FoundSignalView = Type.Object({
  ...SignalView.properties,
  bank_name: Type.String(),
  distance: Type.Optional(Type.Number()),
  similarity: Type.Optional(Type.Number()),
});
export type FoundSignalView = Static<typeof FoundSignalView>;

/** One signal with its bank, the members' opinions of it and its history. */
export const SignalOpinionsView = Type.Object({
  signal: SignalView,
  bank: Type.Object({
    id: Type.Number(),
    name: Type.String(),
    org_id: Type.Number(),
    org_name: Type.String(),
    tlp: Type.String(),
  }),
  opinions: Type.Array(
    Type.Object({
      org_id: Type.Number(),
      org_name: Type.String(),
      kind: Type.String(),
      note: Type.String(),
      created_at: IsoTime,
      updated_at: IsoTime,
    }),
  ),
  foreign_opinions: Type.Array(
    Type.Object({
      from: Type.String({ description: "exchange <NAME> (a peer's members) or import (a file)" }),
      org_name: Nullable(Type.String({ description: "The remote organisation, when the remote's policy named it" })),
      kind: Type.String(),
      note: Type.String(),
      updated_at: IsoTime,
    }),
    { description: "Opinions that came from elsewhere: they speak for no organisation of this instance" },
  ),
  history: Type.Array(Type.Object({ at: IsoTime, event: Type.String(), by: Nullable(Type.String()) })),
});
export type SignalOpinionsView = Static<typeof SignalOpinionsView>;

/** Whether an opinion of a mirrored signal reached the rasd it came from (decision 0042). */
const RelayedView = Type.Object({
  exchange: Type.String(),
  ok: Type.Boolean(),
  error: Type.Optional(Type.String()),
  /** Not arrived: kept and sent again with backoff until the owner takes it (decision 0048). */
  queued: Type.Optional(Type.Boolean()),
});

export const OpinionView = Type.Object({
  signal_id: Type.Number(),
  org_id: Type.Number(),
  kind: Type.String(),
  note: Type.String(),
  relayed: Type.Optional(RelayedView),
});
export type OpinionView = Static<typeof OpinionView>;

export const OpinionRetractedView = Type.Object({
  signal_id: Type.Number(),
  org_id: Type.Number(),
  retracted: Type.Boolean(),
  relayed: Type.Optional(RelayedView),
});
export type OpinionRetractedView = Static<typeof OpinionRetractedView>;
