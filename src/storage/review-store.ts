/** The review queue (ports/reviews.ts) over Kysely. */

import type { ExpressionBuilder, Kysely, Selectable } from "kysely";
import type {
  QueueViewer,
  ReviewDecision,
  ReviewFilter,
  ReviewItem,
  ReviewStore,
  UndoDecision,
} from "./ports/reviews.js";
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
    reason: (r.reason ?? "match") as NonNullable<ReviewItem["reason"]>,
  };
}

/** Entries free for `personId` at `now`: no lease, their own, or an expired one. */
function freeFor(personId: number, now: number) {
  return (eb: ExpressionBuilder<Database, "review_items">) =>
    eb.or([eb("claimed_by", "is", null), eb("claimed_by", "=", personId), eb("claimed_until", "<", now)]);
}

/**
 * The queue's filters as one condition: the reason is the entry's own column; kind and platform
 * are the item's (its primary key), language the classification's (its primary key), and the
 * bank a look-up in review_banks (primary key review_id, bank_id). Each is an `exists` on a key,
 * so the (org_id, status, priority) index still orders and bounds the scan.
 */
function filtered(f: ReviewFilter) {
  return (eb: ExpressionBuilder<Database, "review_items">) => {
    const all = [];
    if (f.reason !== undefined) all.push(eb("review_items.reason", "=", f.reason));
    if (f.kind !== undefined || f.platform !== undefined) {
      let item = eb
        .selectFrom("content_items")
        .select("content_items.id")
        .whereRef("content_items.id", "=", "review_items.item_id");
      if (f.kind !== undefined) item = item.where("content_items.kind", "=", f.kind);
      if (f.platform !== undefined) item = item.where("content_items.platform", "=", f.platform);
      all.push(eb.exists(item));
    }
    if (f.language !== undefined) {
      const classified = eb
        .selectFrom("classifications")
        .select("classifications.item_id")
        .whereRef("classifications.item_id", "=", "review_items.item_id");
      all.push(
        f.language === "und"
          ? eb.not(eb.exists(classified.where("classifications.lang", "!=", "und")))
          : eb.exists(classified.where("classifications.lang", "=", f.language)),
      );
    }
    if (f.bankId !== undefined)
      all.push(
        eb.exists(
          eb
            .selectFrom("review_banks")
            .select("review_banks.review_id")
            .whereRef("review_banks.review_id", "=", "review_items.id")
            .where("review_banks.bank_id", "=", f.bankId),
        ),
      );
    return eb.and(all);
  };
}

export class KyselyReviewStore implements ReviewStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getReview(id: number): Promise<ReviewItem | undefined> {
    const r = await this.db.selectFrom("review_items").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toReview(r);
  }

  async listReviews(
    orgId: number,
    status: string,
    limit: number,
    viewer?: QueueViewer,
    filter: ReviewFilter = {},
  ): Promise<ReviewItem[]> {
    let q = this.db
      .selectFrom("review_items")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("status", "=", status)
      .where(filtered(filter));
    if (viewer) q = q.where(freeFor(viewer.personId, viewer.now));
    const after = filter.after;
    // Waiting entries: highest priority first, then oldest first. Decided ones: the latest first.
    if (status === "decided") {
      if (after) q = q.where("id", "<", after.id);
      return (await q.orderBy("id", "desc").limit(limit).execute()).map(toReview);
    }
    if (after) {
      const p = after.priority ?? 0;
      q = q.where((eb) => eb.or([eb("priority", "<", p), eb.and([eb("priority", "=", p), eb("id", ">", after.id)])]));
    }
    return (await q.orderBy("priority", "desc").orderBy("id").limit(limit).execute()).map(toReview);
  }

  async countReviews(orgId: number, status: string, viewer?: QueueViewer, filter: ReviewFilter = {}): Promise<number> {
    let q = this.db
      .selectFrom("review_items")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("org_id", "=", orgId)
      .where("status", "=", status)
      .where(filtered(filter));
    if (viewer) q = q.where(freeFor(viewer.personId, viewer.now));
    return Number((await q.executeTakeFirst())?.n ?? 0);
  }

  async reviewBanks(ids: readonly number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>(ids.map((id) => [id, []]));
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom("review_banks")
        .select(["review_id", "bank_id"])
        .where("review_id", "in", ids.slice(i, i + 500))
        .orderBy("review_id")
        .orderBy("bank_id")
        .execute();
      for (const r of rows) out.get(r.review_id)?.push(r.bank_id);
    }
    return out;
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
