/** The review queue (ports/reviews.ts) over Kysely. */

import type { ExpressionBuilder, Kysely, Selectable } from "kysely";
import type { QueueViewer, ReviewDecision, ReviewItem, ReviewStore, UndoDecision } from "./ports/reviews.js";
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
    claimedBy: r.claimed_by ?? null,
    claimedUntil: r.claimed_until === null || r.claimed_until === undefined ? null : Number(r.claimed_until),
    previousStatus: (r.previous_status ?? null) as ReviewItem["previousStatus"],
  };
}

/** Entries free for `personId` at `now`: no lease, their own, or an expired one. */
function freeFor(personId: number, now: number) {
  return (eb: ExpressionBuilder<Database, "review_items">) =>
    eb.or([eb("claimed_by", "is", null), eb("claimed_by", "=", personId), eb("claimed_until", "<", now)]);
}

export class KyselyReviewStore implements ReviewStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getReview(id: number): Promise<ReviewItem | undefined> {
    const r = await this.db.selectFrom("review_items").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toReview(r);
  }

  async listReviews(orgId: number, status: string, limit: number, viewer?: QueueViewer): Promise<ReviewItem[]> {
    let q = this.db.selectFrom("review_items").selectAll().where("org_id", "=", orgId).where("status", "=", status);
    if (viewer) q = q.where(freeFor(viewer.personId, viewer.now));
    // Waiting entries: highest priority first, then oldest first. Decided ones: the latest first.
    const ordered = status === "decided" ? q.orderBy("id", "desc") : q.orderBy("priority", "desc").orderBy("id");
    return (await ordered.limit(limit).execute()).map(toReview);
  }

  async countReviews(orgId: number, status: string, viewer?: QueueViewer): Promise<number> {
    let q = this.db
      .selectFrom("review_items")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("org_id", "=", orgId)
      .where("status", "=", status);
    if (viewer) q = q.where(freeFor(viewer.personId, viewer.now));
    return Number((await q.executeTakeFirst())?.n ?? 0);
  }

  async leaseReview(id: number, personId: number, now: number, until: number): Promise<boolean> {
    const r = await this.db
      .updateTable("review_items")
      .set({ claimed_by: personId, claimed_until: until })
      .where("id", "=", id)
      .where("status", "in", ["open", "escalated"])
      .where(freeFor(personId, now))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async releaseReview(id: number, personId: number): Promise<void> {
    await this.db
      .updateTable("review_items")
      .set({ claimed_by: null, claimed_until: null })
      .where("id", "=", id)
      .where("claimed_by", "=", personId)
      .execute();
  }

  async claimReview(id: number, d: ReviewDecision, from: "open" | "escalated" = "open"): Promise<boolean> {
    const claimed = await this.db
      .updateTable("review_items")
      .set({
        status: d.decision === "escalate" ? "escalated" : "decided",
        claimed_by: null,
        claimed_until: null,
        decision: d.decision,
        note: d.note,
        labels: d.labels,
        reasons: d.reasons,
        bank_id: d.bankId,
        decided_by: d.decidedBy,
        decided_at: d.decidedAt,
        previous_status: from,
      })
      .where("id", "=", id)
      .where("status", "=", from)
      .where(freeFor(d.decidedBy, d.decidedAt))
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

  async undoDecision(id: number, u: UndoDecision): Promise<boolean> {
    const undone = await this.db
      .updateTable("review_items")
      .set({
        status: u.to,
        previous_status: null,
        decision: null,
        note: "",
        labels: "{}",
        reasons: "",
        bank_id: null,
        added_signals: "[]",
        decided_by: null,
        decided_at: null,
        claimed_by: u.personId,
        claimed_until: u.claimUntil,
      })
      .where("id", "=", id)
      .where("status", "in", ["decided", "escalated"])
      .where("previous_status", "=", u.to)
      .where("decided_by", "=", u.personId)
      .where("decided_at", ">=", u.decidedSince)
      .where(freeFor(u.personId, u.now))
      .executeTakeFirst();
    return Number(undone.numUpdatedRows) > 0;
  }
}
