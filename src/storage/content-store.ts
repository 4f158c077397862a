/**
 * Submitted content, its media, the durable job queue, actions and the review queue.
 *
 * The job queue lives in the same database as everything else, so accepting an item and
 * queueing its job is one transaction: a 202 means both are on disk. Workers lease jobs
 * (a lease that runs out — the worker died — makes the job available again), and finish
 * them in the same transaction that records their results.
 */

import { sql, type Kysely, type RawBuilder, type Selectable, type Transaction } from "kysely";
import { RasdError } from "../core/errors.js";
import type {
  ActionsTable,
  ClassificationsTable,
  ContentItemsTable,
  ContentOutcomesTable,
  Database,
  JobsTable,
} from "./schema.js";

export type Db = Kysely<Database> | Transaction<Database>;

export const CONTENT_KINDS = ["image", "video", "url", "text"] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

export interface NewContent {
  readonly orgId: number;
  readonly personId: number;
  readonly idempotencyKey: string;
  /** SHA-256 of the request, to tell a retry from a different request under the same key. */
  readonly requestHash: string;
  readonly kind: ContentKind;
  readonly contentId: string;
  readonly authorId: string;
  readonly postedAt: number | null;
  readonly mediaType: string | null;
  readonly media: Uint8Array | null;
  readonly url: string | null;
  readonly text: string | null;
  /** The service within the member ("" = the member itself) and the country it was seen in. */
  readonly platform?: string;
  readonly country?: string;
  readonly receivedAt: number;
}

export interface Accepted {
  readonly id: number;
  /** True when the Idempotency-Key was seen before with the same request. */
  readonly replay: boolean;
}

export interface ItemOutcome {
  readonly id: number;
  readonly status: string;
  readonly error: string | null;
  readonly hashes: string;
  readonly matches: string;
  readonly hashedAt: number;
  readonly matchedAt: number;
  readonly actedAt: number | null;
  readonly classifiedAt?: number | null;
}

/** The stance classifier's verdict on an item's text, as stored. */
export interface ClassificationRow {
  readonly itemId: number;
  readonly model: string;
  readonly label: string;
  readonly score: number;
  readonly pPro: number;
  readonly pAnti: number;
  readonly pNeutral: number;
  readonly lang: string;
  readonly behaviour: string | null;
  readonly classifiedAt: number;
}

export type ContentRow = Selectable<ContentItemsTable>;
export type JobRow = Selectable<JobsTable>;
export type ActionRow = Selectable<ActionsTable>;
export type OutcomeRow = Selectable<ContentOutcomesTable>;

export interface NewOutcome {
  readonly itemId: number;
  readonly orgId: number;
  readonly personId: number;
  readonly kind: string;
  readonly basis: string;
  readonly reason: string;
  readonly authority: string;
  readonly note: string;
  readonly at: number;
}

export class ContentStore {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: "sqlite" | "postgres",
  ) {}

  /**
   * Accepts items and queues a "content" job for each, in one transaction. Per item: its
   * id, or the earlier item's id for a replayed Idempotency-Key, or a "conflict" error
   * when the key was used for a different request.
   */
  async accept(items: readonly NewContent[]): Promise<(Accepted | RasdError)[]> {
    return this.db.transaction().execute(async (tx) => {
      const out: (Accepted | RasdError | undefined)[] = new Array<undefined>(items.length);
      const created: number[] = [];
      for (let from = 0; from < items.length; from += 500) {
        const chunk = items.slice(from, from + 500);
        // One multi-row insert per chunk; rows whose key was seen before are skipped.
        const rows = await tx
          .insertInto("content_items")
          .values(
            chunk.map((c) => ({
              org_id: c.orgId,
              person_id: c.personId,
              idempotency_key: c.idempotencyKey,
              request_hash: c.requestHash,
              kind: c.kind,
              content_id: c.contentId,
              author_id: c.authorId,
              posted_at: c.postedAt,
              media_type: c.mediaType,
              media_size: c.media ? c.media.byteLength : null,
              url: c.url,
              text: c.text,
              platform: c.platform ?? "",
              country: c.country ?? "",
              status: "received",
              received_at: c.receivedAt,
            })),
          )
          .onConflict((oc) => oc.columns(["org_id", "idempotency_key"]).doNothing())
          .returning(["id", "org_id", "idempotency_key"])
          .execute();
        const ids = new Map(rows.map((r) => [`${r.org_id}\u0000${r.idempotency_key}`, r.id]));
        for (let i = 0; i < chunk.length; i++) {
          const c = chunk[i]!;
          const k = `${c.orgId}\u0000${c.idempotencyKey}`;
          const id = ids.get(k);
          if (id === undefined) continue;
          ids.delete(k); // a key twice in one batch: the second is a replay of the first
          if (c.media) await tx.insertInto("content_media").values({ item_id: id, bytes: c.media }).execute();
          created.push(id);
          out[from + i] = { id, replay: false };
        }
      }
      for (let i = 0; i < items.length; i++) {
        if (out[i]) continue;
        const c = items[i]!;
        const earlier = await tx
          .selectFrom("content_items")
          .select(["id", "request_hash"])
          .where("org_id", "=", c.orgId)
          .where("idempotency_key", "=", c.idempotencyKey)
          .executeTakeFirstOrThrow();
        out[i] =
          earlier.request_hash === c.requestHash
            ? { id: earlier.id, replay: true }
            : new RasdError(
                "conflict",
                `Idempotency-Key "${c.idempotencyKey}" was already used for a different request (item ${earlier.id})`,
              );
      }
      if (created.length) await enqueue(tx, "content", created, Date.now());
      return out as (Accepted | RasdError)[];
    });
  }

  async getItem(id: number): Promise<ContentRow | undefined> {
    return this.db.selectFrom("content_items").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async getItems(ids: readonly number[]): Promise<ContentRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom("content_items").selectAll().where("id", "in", ids).execute();
  }

  async listItems(
    orgId: number,
    options: { beforeId?: number; limit?: number; status?: string } = {},
  ): Promise<ContentRow[]> {
    let q = this.db
      .selectFrom("content_items")
      .selectAll()
      .where("org_id", "=", orgId)
      .orderBy("id", "desc")
      .limit(Math.min(options.limit ?? 50, 500));
    if (options.beforeId !== undefined) q = q.where("id", "<", options.beforeId);
    if (options.status !== undefined) q = q.where("status", "=", options.status);
    return q.execute();
  }

  async getMedia(itemId: number): Promise<Uint8Array | undefined> {
    const r = await this.db
      .selectFrom("content_media")
      .select("bytes")
      .where("item_id", "=", itemId)
      .executeTakeFirst();
    return r?.bytes;
  }

  async actionsOf(itemIds: readonly number[]): Promise<ActionRow[]> {
    if (itemIds.length === 0) return [];
    return this.db.selectFrom("actions").selectAll().where("item_id", "in", itemIds).orderBy("id").execute();
  }

  async getAction(id: number): Promise<ActionRow | undefined> {
    return this.db.selectFrom("actions").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async listActions(
    orgId: number,
    options: { status?: string; beforeId?: number; limit?: number } = {},
  ): Promise<ActionRow[]> {
    let q = this.db
      .selectFrom("actions")
      .selectAll()
      .where("org_id", "=", orgId)
      .orderBy("id", "desc")
      .limit(Math.min(options.limit ?? 50, 500));
    if (options.status !== undefined) q = q.where("status", "=", options.status);
    if (options.beforeId !== undefined) q = q.where("id", "<", options.beforeId);
    return q.execute();
  }

  /** Records the outcome of hash and match for many items in one statement per 200. */
  async finishItems(db: Db, rows: readonly ItemOutcome[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 200) {
      const values = sql.join(
        rows
          .slice(i, i + 200)
          .map(
            (r) =>
              sql`(cast(${r.id} as integer), cast(${r.status} as text), cast(${r.error} as text), cast(${r.hashes} as text), cast(${r.matches} as text), cast(${r.hashedAt} as bigint), cast(${r.matchedAt} as bigint), cast(${r.actedAt} as bigint), cast(${r.classifiedAt ?? null} as bigint))`,
          ),
      );
      await sql`update content_items set status = v.column2, error = v.column3, hashes = v.column4, matches = v.column5,
          hashed_at = v.column6, matched_at = v.column7, acted_at = v.column8, classified_at = v.column9
        from (values ${values}) as v where content_items.id = v.column1`.execute(db);
    }
  }

  /** Records classifications (a rerun of the same job keeps the first). */
  async saveClassifications(db: Db, rows: readonly ClassificationRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 200) {
      await db
        .insertInto("classifications")
        .values(
          rows.slice(i, i + 200).map((r) => ({
            item_id: r.itemId,
            model: r.model,
            label: r.label,
            score: r.score,
            p_pro: r.pPro,
            p_anti: r.pAnti,
            p_neutral: r.pNeutral,
            lang: r.lang,
            behaviour: r.behaviour,
            classified_at: r.classifiedAt,
          })),
        )
        .onConflict((oc) => oc.column("item_id").doNothing())
        .execute();
    }
  }

  /** Appends a reported outcome; `check` sees the item's earlier outcomes in the same transaction. */
  async addOutcome(o: NewOutcome, check: (earlier: readonly OutcomeRow[]) => void): Promise<OutcomeRow> {
    return this.db.transaction().execute(async (tx) => {
      check(
        await tx.selectFrom("content_outcomes").selectAll().where("item_id", "=", o.itemId).orderBy("id").execute(),
      );
      return tx
        .insertInto("content_outcomes")
        .values({
          item_id: o.itemId,
          org_id: o.orgId,
          person_id: o.personId,
          kind: o.kind,
          basis: o.basis,
          reason: o.reason,
          authority: o.authority,
          note: o.note,
          at: o.at,
          recorded_at: Date.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  async outcomesOf(itemIds: readonly number[]): Promise<OutcomeRow[]> {
    if (itemIds.length === 0) return [];
    return this.db
      .selectFrom("content_outcomes")
      .selectAll()
      .where("item_id", "in", itemIds)
      .orderBy("item_id")
      .orderBy("id")
      .execute();
  }

  async classificationOf(itemId: number): Promise<Selectable<ClassificationsTable> | undefined> {
    return this.db.selectFrom("classifications").selectAll().where("item_id", "=", itemId).executeTakeFirst();
  }

  // --- jobs ------------------------------------------------------------------

  /**
   * Leases up to `limit` runnable jobs of `kind` for `leaseMs`: queued ones that are due,
   * and running ones whose lease ran out (their worker died). Counts the attempt.
   */
  lease(kind: string, owner: string, limit: number, leaseMs: number, db: Db = this.db): Promise<JobRow[]> {
    return this.leaseWhere(db, kind, sql``, sql`order by id limit ${limit}`, owner, leaseMs);
  }

  /** Leases the runnable jobs of `kind` for these item ids (those handed out by a work queue). */
  async leaseRefs(kind: string, refIds: readonly number[], owner: string, leaseMs: number): Promise<JobRow[]> {
    if (refIds.length === 0) return [];
    return this.leaseWhere(this.db, kind, sql`and ref_id in (${sql.join(refIds)})`, sql``, owner, leaseMs);
  }

  private async leaseWhere(
    db: Db,
    kind: string,
    filter: RawBuilder<unknown>,
    order: RawBuilder<unknown>,
    owner: string,
    leaseMs: number,
  ): Promise<JobRow[]> {
    const now = Date.now();
    const lock = this.dialect === "postgres" ? sql`for update skip locked` : sql``;
    const result = await sql<JobRow>`
      update jobs set status = 'running', lease_owner = ${owner}, lease_until = ${now + leaseMs},
        attempts = attempts + 1, updated_at = ${now}
      where id in (
        select id from jobs
        where kind = ${kind} ${filter}
          and ((status = 'queued' and run_at <= ${now}) or (status = 'running' and lease_until < ${now}))
        ${order} ${lock}
      )
      returning *`.execute(db);
    return result.rows
      .map((r) => ({ ...r, run_at: Number(r.run_at), lease_until: Number(r.lease_until) }))
      .sort((a, b) => a.id - b.id);
  }

  /** Which of these item ids still have a job of `kind` (waiting, running or dead). */
  async openRefs(kind: string, refIds: readonly number[]): Promise<Set<number>> {
    if (refIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom("jobs")
      .select(["ref_id", "status"])
      .where("kind", "=", kind)
      .where("ref_id", "in", refIds)
      .execute();
    return new Set(rows.filter((r) => r.status !== "dead").map((r) => r.ref_id));
  }

  /** Extends the lease of jobs still being worked on. */
  async renew(db: Db, ids: readonly number[], until: number): Promise<void> {
    for (let i = 0; i < ids.length; i += 500)
      await db
        .updateTable("jobs")
        .set({ lease_until: until })
        .where("id", "in", ids.slice(i, i + 500))
        .where("status", "=", "running")
        .execute();
  }

  /** Gives leased jobs back untouched (a worker stopping with work it had not started). */
  async release(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable("jobs")
      .set((eb) => ({ status: "queued", lease_owner: null, lease_until: null, attempts: eb("attempts", "-", 1) }))
      .where("id", "in", ids)
      .where("status", "=", "running")
      .execute();
  }

  /** Finished jobs are deleted: the item and its actions keep the history, the queue stays small. */
  async completeJobs(db: Db, ids: readonly number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500)
      await db
        .deleteFrom("jobs")
        .where("id", "in", ids.slice(i, i + 500))
        .execute();
  }

  /** Puts a job back to run at `runAt`, or marks it dead when it has no attempts left. */
  async retryOrBury(db: Db, job: JobRow, error: string, runAt: number): Promise<"retry" | "dead"> {
    const dead = job.attempts >= job.max_attempts;
    await db
      .updateTable("jobs")
      .set({
        status: dead ? "dead" : "queued",
        run_at: runAt,
        lease_owner: null,
        lease_until: null,
        last_error: error.slice(0, 2000),
        updated_at: Date.now(),
      })
      .where("id", "=", job.id)
      .execute();
    return dead ? "dead" : "retry";
  }

  async enqueue(db: Db, kind: string, refIds: readonly number[], runAt = Date.now()): Promise<void> {
    await enqueue(db, kind, refIds, runAt);
  }

  async jobCounts(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom("jobs")
      .select(["kind", "status", (eb) => eb.fn.countAll<number>().as("n")])
      .where("status", "!=", "done")
      .groupBy(["kind", "status"])
      .execute();
    const out: Record<string, number> = {};
    for (const r of rows) out[`${r.kind}.${r.status}`] = Number(r.n);
    return out;
  }
}

const MAX_ATTEMPTS: Record<string, number> = { content: 5, webhook: 8 };

async function enqueue(db: Db, kind: string, refIds: readonly number[], runAt: number): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < refIds.length; i += 500) {
    await db
      .insertInto("jobs")
      .values(
        refIds.slice(i, i + 500).map((ref_id) => ({
          kind,
          ref_id,
          status: "queued",
          attempts: 0,
          max_attempts: MAX_ATTEMPTS[kind] ?? 5,
          run_at: runAt,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
  }
}
