/** The review queue, one review entry with what a reviewer needs beside it, and decisions. */

import { Type, type Static } from "typebox";
import { CONTENT_KINDS } from "../../storage/ports/content.js";
import { REVIEW_REASONS } from "../../storage/ports/reviews.js";
import { QUEUE_LANGUAGES } from "../../services/review-queue.js";
import { IsoTime, LabelsView, Nullable, StringEnum } from "./common.js";
import { SignalView } from "./banks.js";
import { ContentItemView } from "./content.js";

const AddedToBank = Type.Object({ bank_id: Type.Number(), signal_ids: Type.Array(Type.Number()) });

/** A review entry in the queue. */
export const ReviewEntryView = Type.Object({
  id: Type.Number(),
  item_id: Type.Number(),
  action_id: Type.Number(),
  status: Type.String(),
  priority: Type.Number(),
  reason: Type.Optional(
    StringEnum(REVIEW_REASONS, {
      description:
        "Why the entry is queued: match (a bank signal matched), stance (the stance model alone), account " +
        "(a suspended account matched: ban evasion), incident (an incident bank's signal matched) or link " +
        "(a match behind the item's links)",
    }),
  ),
  bank_ids: Type.Optional(
    Type.Array(Type.Number(), { description: "The banks (that the caller may see) whose signals the item matched" }),
  ),
  decision: Nullable(Type.String()),
  note: Type.String(),
  decided_by: Nullable(Type.Number()),
  created_at: IsoTime,
  decided_at: IsoTime,
  undo_until: Type.Optional(
    Type.String({
      description:
        "Until when the caller may undo this decision (POST /v1/reviews/{id}/undo): only on their own " +
        "decisions, for 5 minutes, and not when the decision added signals to a bank",
    }),
  ),
});
export type ReviewEntryView = Static<typeof ReviewEntryView>;

/** A review entry with its decision's labels, statement of reasons and what it added to a bank. */
export const ReviewView = Type.Object({
  ...ReviewEntryView.properties,
  labels: Type.Partial(LabelsView),
  reasons: Type.String(),
  added_to_bank: Type.Union([AddedToBank, Type.Null()]),
  claimed_by: Type.Optional(Nullable(Type.Number({ description: "The person holding a live claim" }))),
  claimed_until: Type.Optional(IsoTime),
});
export type ReviewView = Static<typeof ReviewView>;

/** A matched signal beside the item under review, with its bank and how near it is. */
const MatchedSignalView = Type.Object({
  signal: SignalView,
  bank: Type.Object({
    id: Type.Number(),
    name: Type.String(),
    org_id: Type.Number(),
    tlp: Type.String(),
    negative: Type.Boolean(),
  }),
  distance: Type.Optional(Type.Number()),
  similarity: Type.Optional(Type.Number()),
  suppressed: Type.Boolean(),
});
export type MatchedSignalView = Static<typeof MatchedSignalView>;

export const ReviewDetailView = Type.Object({
  review: ReviewView,
  item: ContentItemView,
  matched_signals: Type.Array(MatchedSignalView),
});
export type ReviewDetailView = Static<typeof ReviewDetailView>;

export const DecisionView = Type.Object({
  id: Type.Number(),
  status: Type.Union([Type.Literal("decided"), Type.Literal("escalated")], {
    description: "escalated when the decision was escalate: the entry waits in the escalated queue for an admin",
  }),
  decision: Type.String(),
  labels: LabelsView,
  reasons: Type.String(),
  decided_at: IsoTime,
  undo_until: Type.Optional(Type.String({ description: "Until when the caller may undo this decision" })),
  added_to_bank: Type.Union([
    Type.Object({ ...AddedToBank.properties, created: Type.Number(), updated: Type.Number() }),
    Type.Null(),
  ]),
});
export type DecisionView = Static<typeof DecisionView>;

/** The item as submitted: its media bytes, or its text or URL as plain text. */
export const MediaResponse = {
  description: "The image or video bytes (its own media type, or application/octet-stream), or text/plain",
  content: {
    "application/octet-stream": { schema: Type.Unsafe<Uint8Array | string>({ type: "string", format: "binary" }) },
    "text/plain": { schema: Type.String() },
  },
};

/** GET /v1/reviews's query: the queue, its filters (all combinable) and its page. */
export const ReviewQueueQuery = Type.Object(
  {
    status: Type.Optional(StringEnum(["open", "escalated", "decided"])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    kind: Type.Optional(StringEnum(CONTENT_KINDS, { description: "The item's kind" })),
    bank: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: "Entries whose item matched a signal of this bank (one the caller may see; else 400)",
      }),
    ),
    platform: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: "The item's platform, as it was submitted" }),
    ),
    language: Type.Optional(
      StringEnum(QUEUE_LANGUAGES, {
        description: "The language the classifier found in the item's text; und: none (media without text too)",
      }),
    ),
    reason: Type.Optional(
      StringEnum(REVIEW_REASONS, {
        description: "Why the entry is queued: match, stance, account (ban evasion), incident or link",
      }),
    ),
    before: Type.Optional(
      Type.String({
        maxLength: 60,
        description:
          "A page's `next`: the entries after that page, in the queue's order (open and escalated: " +
          '"<priority>:<id>"; decided: "<id>")',
      }),
    ),
  },
  { additionalProperties: false },
);
