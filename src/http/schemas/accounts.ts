/** Accounts and ban evasion (POST /v1/accounts): the account as submitted and the matches with evidence. */

import { Type, type Static } from "typebox";

const list = (maxLength: number) => Type.Optional(Type.Array(Type.String({ maxLength }), { maxItems: 200 }));

/** An account record (kernels/accounts/account.ts checks it further). */
export const AccountBody = Type.Object(
  {
    platform: Type.String({ minLength: 1, maxLength: 40, description: "Platform slug, e.g. twitter" }),
    id: Type.Optional(Type.String({ maxLength: 100, description: "The platform's id of the account" })),
    handle: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.Optional(Type.String({ maxLength: 200, description: "Display name" })),
    bio: Type.Optional(Type.String({ maxLength: 2000 })),
    avatar_pdq: Type.Optional(Type.String({ pattern: "^[0-9a-fA-F]{64}$", description: "PDQ hash of the avatar" })),
    links: list(2000),
    mentions: list(100),
    created: Type.Optional(Type.String({ maxLength: 40 })),
    suspended: Type.Optional(Type.String({ maxLength: 40 })),
    reason: list(40),
  },
  { additionalProperties: false },
);
export type AccountBody = Static<typeof AccountBody>;

export const EvidenceView = Type.Object(
  {
    kind: Type.String({ description: "platform-id, handle, name, bio, avatar, links or mentions" }),
    strength: Type.Number({
      description:
        "This evidence's contribution to the score's log-odds (logistic model, decision 0026); 50 for a shared platform id",
    }),
  },
  { additionalProperties: true },
);

export const AccountMatchView = Type.Object({
  signal_id: Type.Number(),
  bank_id: Type.Number(),
  score: Type.Number({ description: "Ban-evasion score, 0..1" }),
  suppressed: Type.Boolean(),
  evidence: Type.Array(EvidenceView),
  account: Type.Unknown({ description: "The suspended account matched (its record as banked)" }),
});

export const AccountMatchResponse = Type.Object({
  account: Type.Unknown({ description: "The submitted account, canonical" }),
  matches: Type.Array(AccountMatchView),
  suppressed_by: Type.Array(Type.Number()),
});
export type AccountMatchResponse = Static<typeof AccountMatchResponse>;

/** The bank of a suspended account beside a review entry. */
const ReviewAccountBank = Type.Object({
  id: Type.Number(),
  name: Type.String(),
  org_id: Type.Number(),
  org_name: Type.String(),
  tlp: Type.String(),
});

/** One ban-evasion match beside a review entry: the suspended account, the evidence, the score and threshold. */
export const ReviewAccountMatchView = Type.Object({
  signal_id: Type.Number(),
  status: Type.String({ description: "The signal's status (active or retracted)" }),
  bank: ReviewAccountBank,
  labels: Type.Unknown({ description: "The signal's labels" }),
  score: Type.Number({ description: "Ban-evasion score, 0..1, as the pipeline found it" }),
  threshold: Type.Number({ description: "The score a match in this bank needs" }),
  suppressed: Type.Boolean(),
  evidence: Type.Array(EvidenceView),
  evidence_source: Type.Union([Type.Literal("stored"), Type.Literal("recomputed")], {
    description:
      "stored: the evidence the pipeline found when it matched; recomputed: the match was stored without it " +
      "(before evidence was kept), so it is computed again from the two records with the current model",
  }),
  account: Type.Unknown({ description: "The suspended account (its record as banked)" }),
});
export type ReviewAccountMatchView = Static<typeof ReviewAccountMatchView>;

export const ReviewAccountsView = Type.Object({
  review_id: Type.Number(),
  item_id: Type.Number(),
  submitted: Type.Unknown({ description: "The item's author account as submitted (canonical), or null" }),
  matches: Type.Array(ReviewAccountMatchView, {
    description: "Account matches of banks the caller may see now (best first); others are left out",
  }),
});
export type ReviewAccountsView = Static<typeof ReviewAccountsView>;
const TimeToReturnView = Type.Object({
  n: Type.Integer({ description: "Returns timed" }),
  events: Type.Integer(),
  median_seconds: Type.Union([Type.Number(), Type.Null()], {
    description: "Median time from suspension (or banking) to the return's first match; null with none",
  }),
  low_seconds: Type.Union([Type.Number(), Type.Null()]),
  high_seconds: Type.Union([Type.Number(), Type.Null()], { description: "null: not bounded above (too few)" }),
  level: Type.Number(),
});
export const AccountPeriodView = Type.Object({
  start: Type.String(),
  end: Type.String(),
  suspended: Type.Integer({ description: "Account signals banked in the period" }),
  returns: Type.Integer({ description: "Returning accounts first matched in the period" }),
  timed: Type.Integer({ description: "Of the returns, those with a known time since suspension" }),
  time_to_return: TimeToReturnView,
});
export type AccountPeriodView = Static<typeof AccountPeriodView>;
export const AccountMeasurementView = Type.Object({
  from: Type.String(),
  to: Type.String(),
  interval: Type.String(),
  scope: Type.String({ description: "org: the caller's organisation's items; coalition: every member's" }),
  overall: AccountPeriodView,
  periods: Type.Array(AccountPeriodView),
  by_platform: Type.Array(
    Type.Object({
      platform: Type.String(),
      suspended: Type.Integer(),
      returns: Type.Integer(),
      time_to_return: TimeToReturnView,
    }),
  ),
  by_reporter: Type.Array(Type.Object({ reporter: Type.String(), suspended: Type.Integer() })),
  definitions: Type.Record(Type.String(), Type.String()),
});
export type AccountMeasurementView = Static<typeof AccountMeasurementView>;
