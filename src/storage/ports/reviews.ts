/** The review queue port: one entry per item a rule sent for review, and its decision. */

/**
 * Why an entry was queued: a bank signal matched (`match`), the stance model alone (`stance`),
 * a suspended account matched — ban evasion — (`account`), an incident bank's signal matched
 * (`incident`), or a match behind the item's links (`link`).
 */
export const REVIEW_REASONS = ["match", "stance", "account", "incident", "link"] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];

export interface ReviewItem {
  readonly id: number;
  readonly orgId: number;
  readonly itemId: number;
  readonly actionId: number;
  /** open, escalated (waiting for a senior: admin) or decided. */
  readonly status: "open" | "escalated" | "decided";
  readonly decision: string | null;
  readonly note: string;
  readonly decidedBy: number | null;
  readonly createdAt: number;
  readonly decidedAt: number | null;
  readonly priority: number;
  /** JSON text: the decision's labels. */
  readonly labels: string;
  readonly reasons: string;
  readonly bankId: number | null;
  /** JSON text: ids of the signals the decision added. */
  readonly addedSignals: string;
  /** The person holding the entry's lease, and until when (ms); expired leases mean nothing. */
  readonly claimedBy: number | null;
  readonly claimedUntil: number | null;
  /** The status before the latest decision (undo returns to it); null when there is none. */
  readonly previousStatus?: "open" | "escalated" | null;
  /** Why it was queued (entries from before migration 0025: worked out from the item). */
  readonly reason?: ReviewReason;
}

/** Where a page of the queue starts: after this entry in the queue's order. */
export interface ReviewCursor {
  /** The entry's priority (open and escalated queues, ordered by priority then id). */
  readonly priority?: number;
  readonly id: number;
}

/** The queue's filters; every one given must hold (`after` only pages, it does not count). */
export interface ReviewFilter {
  /** The item's kind: image, video, url or text. */
  readonly kind?: string;
  /** Entries whose item matched a signal of this bank. */
  readonly bankId?: number;
  /** The item's platform, as submitted. */
  readonly platform?: string;
  /** The language the classifier found in the item's text; "und": none found (or no text). */
  readonly language?: string;
  readonly reason?: ReviewReason;
  readonly after?: ReviewCursor;
}

/** Whose view a queue is listed for: entries another person holds a live lease on are left out. */
export interface QueueViewer {
  readonly personId: number;
  readonly now: number;
}

export interface ReviewDecision {
  /** violating, not_violating or escalate (services/reviews.ts holds the taxonomy). */
  readonly decision: string;
  readonly note: string;
  /** JSON text. */
  readonly labels: string;
  readonly reasons: string;
  readonly bankId: number | null;
  readonly decidedBy: number;
  readonly decidedAt: number;
}

export interface ReviewStore {
  getReview(id: number): Promise<ReviewItem | undefined>;
  /**
   * Open and escalated entries by priority (highest first, then oldest); decided ones latest
   * first. With a viewer, entries another person holds a live lease on are left out.
   */
  listReviews(
    orgId: number,
    status: string,
    limit: number,
    viewer?: QueueViewer,
    filter?: ReviewFilter,
  ): Promise<ReviewItem[]>;
  /** How many entries listReviews would list without a limit (and from the start: `after` is ignored). */
  countReviews(orgId: number, status: string, viewer?: QueueViewer, filter?: ReviewFilter): Promise<number>;
  /** The banks whose signals each entry's item matched (migration 0025), by entry id. */
  reviewBanks(ids: readonly number[]): Promise<Map<number, number[]>>;
  /**
   * Records a decision on an entry still in `from` status (open or escalated): "escalate" moves
   * it to escalated, anything else to decided; the lease ends. False when it was no longer in
   * `from` (someone else decided it) or another person holds a live lease on it.
   */
  claimReview(id: number, decision: ReviewDecision, from?: "open" | "escalated"): Promise<boolean>;
  /**
   * Leases an open or escalated entry to `personId` until `until` (ms), unless another person
   * holds a live lease at `now`; true when the lease is theirs.
   */
  leaseReview(id: number, personId: number, now: number, until: number): Promise<boolean>;
  /** Ends `personId`'s lease on the entry (nothing when they do not hold it). */
  releaseReview(id: number, personId: number): Promise<void>;
  setAddedSignals(id: number, signalIds: readonly number[]): Promise<void>;
  /**
   * Takes back the latest decision on an entry: it returns to the status it had before (open,
   * or escalated), leased to the undoer. Only the person who decided, and only for a decision
   * made at or after `decidedSince`, and not while another person holds a live lease on it;
   * false otherwise (or when there is nothing to undo).
   */
  undoDecision(id: number, undo: UndoDecision): Promise<boolean>;
}

export interface UndoDecision {
  readonly personId: number;
  readonly now: number;
  /** The status the entry had before the decision (the row must still say so). */
  readonly to: "open" | "escalated";
  /** The earliest decision time still within the undo window (ms). */
  readonly decidedSince: number;
  /** The undoer's lease on the entry ends then (ms). */
  readonly claimUntil: number;
}
