/** The review queue (ports/reviews.ts) over Kysely. */

import type { Kysely, Selectable } from "kysely";
import type { ReviewDecision, ReviewItem, ReviewStore } from "./ports/reviews.js";
import type { Database, ReviewItemsTable } from "./schema.js";

function toReview(r: Selectable<ReviewItemsTable>): ReviewItem {
  return {
    id: r.id,
    orgId: r.org_id,
    itemId: r.item_id,
    actionId: r.action_id,
    status: r.status as ReviewItem["status"],
    decision: r.decision,
    note: r.note,
    decidedBy: r.decided_by,
    createdAt: Number(r.created_at),
    decidedAt: r.decided_at === null ? null : Number(r.decided_at),
    priority: Number(r.priority ?? 0),
    labels: r.labels,
    reasons: r.reasons,
    bankId: r.bank_id,
    addedSignals: r.added_signals,
  };
}

export class KyselyReviewStore implements ReviewStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getReview(id: number): Promise<ReviewItem | undefined> {
    const r = await this.db.selectFrom("review_items").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toReview(r);
  }

  async listReviews(orgId: number, status: string, limit: number): Promise<ReviewItem[]> {
    const q = this.db.selectFrom("review_items").selectAll().where("org_id", "=", orgId).where("status", "=", status);
    // Open entries: highest priority first, then oldest first. Decided ones: the latest first.
    const ordered = status === "open" ? q.orderBy("priority", "desc").orderBy("id") : q.orderBy("id", "desc");
    return (await ordered.limit(limit).execute()).map(toReview);
  }

  async claimReview(id: number, d: ReviewDecision): Promise<boolean> {
    const claimed = await this.db
      .updateTable("review_items")
      .set({
        status: "decided",
        decision: d.decision,
        note: d.note,
        labels: d.labels,
        reasons: d.reasons,
        bank_id: d.bankId,
        decided_by: d.decidedBy,
        decided_at: d.decidedAt,
      })
      .where("id", "=", id)
      .where("status", "=", "open")
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) > 0;
  }

  async setAddedSignals(id: number, signalIds: readonly number[]): Promise<void> {
    await this.db
      .updateTable("review_items")
      .set({ added_signals: JSON.stringify(signalIds) })
      .where("id", "=", id)
      .execute();
  }
}
