/**
 * Actions, webhook delivery outcomes and the pipeline's commit (ports/actions.ts) over Kysely.
 *
 * `commitResults` is the unit of work of the hash–match–act pipeline: actions, webhook jobs,
 * review entries, finished items, classifications, completed jobs (and the next lease) in
 * one transaction. A crash before it commits leaves the jobs leased; they run again and
 * produce the same delivery ids, which are recorded only once.
 */

import { CompiledQuery, sql, type Insertable, type Kysely, type Selectable } from "kysely";
import { finishItems, recordLinkedItems, saveClassifications } from "./content-store.js";
import { buryJobs, completeJobs, enqueueJobs, leaseJobs, retryOrBuryJob, type Db } from "./job-queue.js";
import type {
  Action,
  ActionStatus,
  ActionStore,
  ActionType,
  CommittedBatch,
  DeliveryFate,
  DeliveryResult,
  NewAction,
  RecordedAction,
  ResultBatch,
} from "./ports/actions.js";
import type { ActionsTable, Database, ReviewItemsTable } from "./schema.js";
import { retrying } from "./transient.js";

/** Most actions one list call returns. */
const MAX_PAGE = 500;
/** Errors are stored truncated. */
const MAX_ERROR = 2000;
/** Rows per statement when writing many actions. */
const WRITE_CHUNK = 200;

function toAction(r: Selectable<ActionsTable>): Action {
  return {
    id: r.id,
    itemId: r.item_id,
    orgId: r.org_id,
    ruleId: r.rule_id,
    actionIndex: r.action_index,
    type: r.type as ActionType,
    status: r.status as ActionStatus,
    deliveryId: r.delivery_id,
    target: r.target,
    payload: r.payload,
    attempts: r.attempts,
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: Number(r.created_at),
    completedAt: r.completed_at === null ? null : Number(r.completed_at),
  };
}

export class KyselyActionStore implements ActionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: "sqlite" | "postgres",
  ) {}

  async actionsOf(itemIds: readonly number[]): Promise<Action[]> {
    if (itemIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("actions")
      .selectAll()
      .where("item_id", "in", itemIds)
      .orderBy("id")
      .execute();
    return rows.map(toAction);
  }

  /**
   * `getAction`'s statement, compiled once: the webhook worker reads one action a delivery, and
   * building and compiling the query each time cost about 50 µs of CPU (decision 0053).
   */
  private getActionSql: string | undefined;

  async getAction(id: number): Promise<Action | undefined> {
    this.getActionSql ??= this.db.selectFrom("actions").selectAll().where("id", "=", 0).compile().sql;
    const { rows } = await this.db.executeQuery<Selectable<ActionsTable>>(CompiledQuery.raw(this.getActionSql, [id]));
    const r = rows[0];
    return r && toAction(r);
  }

  async listActions(
    orgId: number,
    options: { status?: string; beforeId?: number; limit?: number } = {},
  ): Promise<Action[]> {
    let q = this.db
      .selectFrom("actions")
      .selectAll()
      .where("org_id", "=", orgId)
      .orderBy("id", "desc")
      .limit(Math.min(options.limit ?? 50, MAX_PAGE));
    if (options.status !== undefined) q = q.where("status", "=", options.status);
    if (options.beforeId !== undefined) q = q.where("id", "<", options.beforeId);
    return (await q.execute()).map(toAction);
  }

  /**
   * Retried on a lost connection: running it twice records each action once (by delivery
   * id) and finishes items and jobs to the same state. The next lease is taken only on the
   * first try — were the first COMMIT to have landed, its lease would otherwise be stranded.
   */
  commitResults(batch: ResultBatch): Promise<CommittedBatch> {
    return retrying("committing results", (attempt) =>
      this.db.transaction().execute(async (tx) => {
        const recorded = await recordActions(tx, batch.actions, batch.now);
        await finishItems(tx, batch.finish(recorded));
        if (batch.classifications.length) await saveClassifications(tx, batch.classifications);
        if (batch.linked?.length) await recordLinkedItems(tx, batch.linked, recorded);
        await completeJobs(tx, batch.completedJobs);
        if (batch.buriedJobs?.length) await buryJobs(tx, batch.buriedJobs);
        if (batch.followLinks?.length) await queueLinkJobs(tx, batch.followLinks, batch.now);
        const leaseNext = attempt === 0 ? batch.leaseNext : undefined;
        const leased = leaseNext ? await leaseJobs(tx, this.dialect, leaseNext) : [];
        return { recorded, leased };
      }),
    );
  }

  recordDeliveries(
    results: readonly DeliveryResult[],
    orphanJobs: readonly number[],
    now: number,
  ): Promise<DeliveryFate[]> {
    // Retried on a lost connection: every write sets values computed beforehand.
    return retrying("recording deliveries", () => this.recordDeliveriesOnce(results, orphanJobs, now));
  }

  private recordDeliveriesOnce(
    results: readonly DeliveryResult[],
    orphanJobs: readonly number[],
    now: number,
  ): Promise<DeliveryFate[]> {
    return this.db.transaction().execute(async (tx) => {
      const done: number[] = [...orphanJobs];
      const fates: DeliveryFate[] = [];
      const delivered: DeliveryResult[] = [];
      for (const result of results) {
        const { job, action, httpStatus, error, retryAt } = result;
        if (error === undefined) {
          delivered.push(result);
          done.push(job.id);
          fates.push("delivered");
          continue;
        }
        const fate = await retryOrBuryJob(tx, job, error, retryAt);
        fates.push(fate);
        await tx
          .updateTable("actions")
          .set({
            status: fate === "dead" ? "dead" : "pending",
            attempts: action.attempts + 1,
            last_status: httpStatus,
            last_error: error.slice(0, MAX_ERROR),
          })
          .where("id", "=", action.id)
          .execute();
        if (fate === "dead")
          await tx
            .updateTable("content_items")
            .set({ status: "action_failed" })
            .where("id", "=", action.itemId)
            .execute();
      }
      await markDelivered(tx, delivered, now);
      await completeJobs(tx, done);
      await settleItems(tx, [...new Set(delivered.map((r) => r.action.itemId))], now);
      return fates;
    });
  }

  async redeliver(action: Action): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("actions")
        .set({ status: "pending", completed_at: null })
        .where("id", "=", action.id)
        .execute();
      await tx.updateTable("content_items").set({ status: "acting" }).where("id", "=", action.itemId).execute();
      await enqueueJobs(tx, "webhook", [action.id], Date.now());
    });
  }
}

/**
 * Inserts actions once per delivery id; queues a webhook job for each new webhook and one
 * review entry per item (for its first review action, unless an earlier run made one).
 * A few statements for the whole batch: the actions in multi-row inserts, one read of the
 * ones an earlier run recorded, the webhook jobs and the review entries in multi-row inserts.
 */
async function recordActions(tx: Db, actions: readonly NewAction[], now: number): Promise<RecordedAction[]> {
  if (actions.length === 0) return [];
  const ids = new Map<string, number>();
  for (let i = 0; i < actions.length; i += WRITE_CHUNK) {
    const rows = await tx
      .insertInto("actions")
      .values(
        actions.slice(i, i + WRITE_CHUNK).map((a) => {
          const done = a.type !== "webhook";
          return {
            item_id: a.itemId,
            org_id: a.orgId,
            rule_id: a.ruleId,
            action_index: a.actionIndex,
            type: a.type,
            status: done ? "done" : "pending",
            delivery_id: a.deliveryId,
            target: a.target,
            payload: a.payload,
            attempts: 0,
            created_at: now,
            completed_at: done ? now : null,
          };
        }),
      )
      .onConflict((oc) => oc.column("delivery_id").doNothing())
      .returning(["id", "delivery_id"])
      .execute();
    for (const r of rows) ids.set(r.delivery_id, r.id);
  }
  // Already recorded by an earlier run of this job: their status as it stands.
  const earlier = actions.filter((a) => !ids.has(a.deliveryId)).map((a) => a.deliveryId);
  const before = new Map<string, string>();
  for (let i = 0; i < earlier.length; i += WRITE_CHUNK) {
    const rows = await tx
      .selectFrom("actions")
      .select(["delivery_id", "status"])
      .where("delivery_id", "in", earlier.slice(i, i + WRITE_CHUNK))
      .execute();
    for (const r of rows) before.set(r.delivery_id, r.status);
  }
  const out: RecordedAction[] = [];
  const reviewed = new Set<number>();
  const webhooks: number[] = [];
  const reviews: Insertable<ReviewItemsTable>[] = [];
  const reviewBanks = new Map<number, readonly number[]>();
  for (const a of actions) {
    const base = { deliveryId: a.deliveryId, itemId: a.itemId, type: a.type };
    const id = ids.get(a.deliveryId);
    // A delivery id twice in one batch: the second is the first's (recorded, not created).
    ids.delete(a.deliveryId);
    if (id === undefined) {
      if (a.type === "review") reviewed.add(a.itemId);
      const status = before.get(a.deliveryId) ?? (a.type === "webhook" ? "pending" : "done");
      out.push({ ...base, created: false, status: status as ActionStatus });
      continue;
    }
    out.push({ ...base, created: true, status: a.type !== "webhook" ? "done" : "pending" });
    if (a.type === "webhook") webhooks.push(id);
    else if (a.type === "review" && !reviewed.has(a.itemId)) {
      reviewed.add(a.itemId);
      reviews.push({
        org_id: a.orgId,
        item_id: a.itemId,
        action_id: id,
        status: "open",
        note: "",
        created_at: now,
        priority: a.reviewPriority ?? 0,
        reason: a.reviewReason ?? ((a.reviewBanks?.length ?? 0) > 0 ? "match" : "stance"),
      });
      reviewBanks.set(id, [...new Set(a.reviewBanks ?? [])]);
    }
  }
  if (webhooks.length) await enqueueJobs(tx, "webhook", webhooks, Date.now());
  await insertReviews(tx, reviews, reviewBanks);
  return out;
}

/**
 * Inserts review entries with the banks their items matched (review_banks, migration 0025); an
 * entry with an incident bank among them is queued for that incident ("incident").
 */
async function insertReviews(
  tx: Db,
  reviews: readonly Insertable<ReviewItemsTable>[],
  banksByAction: ReadonlyMap<number, readonly number[]>,
): Promise<void> {
  const all = [...new Set([...banksByAction.values()].flat())];
  const incident = new Set<number>();
  for (let i = 0; i < all.length; i += WRITE_CHUNK)
    for (const r of await tx
      .selectFrom("incidents")
      .select("bank_id")
      .where("bank_id", "in", all.slice(i, i + WRITE_CHUNK))
      .execute())
      incident.add(r.bank_id);
  const rows = reviews.map((r) =>
    (banksByAction.get(r.action_id) ?? []).some((b) => incident.has(b)) ? { ...r, reason: "incident" } : r,
  );
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
    const made = await tx
      .insertInto("review_items")
      .values(rows.slice(i, i + WRITE_CHUNK))
      .onConflict((oc) => oc.column("action_id").doNothing())
      .returning(["id", "action_id"])
      .execute();
    const links = made.flatMap((m) =>
      (banksByAction.get(m.action_id) ?? []).map((b) => ({ review_id: m.id, bank_id: b })),
    );
    for (let j = 0; j < links.length; j += WRITE_CHUNK)
      await tx
        .insertInto("review_banks")
        .values(links.slice(j, j + WRITE_CHUNK))
        .execute();
  }
}

/** Records delivered webhooks, one statement per 200 (each with its own attempt count and HTTP status). */
async function markDelivered(db: Db, results: readonly DeliveryResult[], now: number): Promise<void> {
  for (let i = 0; i < results.length; i += WRITE_CHUNK) {
    const values = sql.join(
      results
        .slice(i, i + WRITE_CHUNK)
        .map(
          (r) =>
            sql`(cast(${r.action.id} as integer), cast(${r.action.attempts + 1} as integer), cast(${r.httpStatus} as integer))`,
        ),
    );
    await sql`update actions set status = 'delivered', attempts = v.column2, last_status = v.column3,
        last_error = null, completed_at = cast(${now} as bigint)
      from (values ${values}) as v where actions.id = v.column1`.execute(db);
  }
}

/** Marks items acted when none of their actions is still pending (or dead). */
async function settleItems(db: Db, itemIds: readonly number[], now: number): Promise<void> {
  if (itemIds.length === 0) return;
  const open = new Set(
    (
      await db
        .selectFrom("actions")
        .select("item_id")
        .where("item_id", "in", itemIds)
        .where("status", "in", ["pending", "dead"])
        .execute()
    ).map((r) => r.item_id),
  );
  const settled = itemIds.filter((id) => !open.has(id));
  if (settled.length)
    await db.updateTable("content_items").set({ status: "done", acted_at: now }).where("id", "in", settled).execute();
}

/**
 * Queues a "links" job for each item that has none waiting or running: a rerun of a commit
 * (a lost connection after it landed) queues nothing twice.
 */
async function queueLinkJobs(tx: Db, itemIds: readonly number[], now: number): Promise<void> {
  const open = new Set(
    (
      await tx
        .selectFrom("jobs")
        .select("ref_id")
        .where("kind", "=", "links")
        .where("ref_id", "in", itemIds)
        .where("status", "!=", "dead")
        .execute()
    ).map((r) => r.ref_id),
  );
  const ids = [...new Set(itemIds)].filter((id) => !open.has(id));
  if (ids.length > 0) await enqueueJobs(tx, "links", ids, now);
}
