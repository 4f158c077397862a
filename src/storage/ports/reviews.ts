/** The review queue port: one entry per item a rule sent for review, and its decision. */

export interface ReviewItem {
  readonly id: number;
  readonly orgId: number;
  readonly itemId: number;
  readonly actionId: number;
  readonly status: "open" | "decided";
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
  /** Open entries by priority (highest first, then oldest); decided ones latest first. */
  listReviews(orgId: number, status: string, limit: number): Promise<ReviewItem[]>;
  /** Decides an open entry; false when it was no longer open (someone else decided it). */
  claimReview(id: number, decision: ReviewDecision): Promise<boolean>;
  setAddedSignals(id: number, signalIds: readonly number[]): Promise<void>;
}
