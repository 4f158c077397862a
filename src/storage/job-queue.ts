/**
 * The job queue (ports/jobs.ts) over Kysely. The functions that take a `Db` are shared with
 * the adapters that queue, lease or finish jobs inside their own transactions (accepting
 * content, committing pipeline results, recording deliveries).
 *
 * Leasing is one `update ... where id in (select ... for update skip locked)`: on PostgreSQL
 * concurrent workers skip each other's rows, on SQLite the write lock serialises them.
 */

import { sql, type Kysely, type RawBuilder, type Selectable, type Transaction } from "kysely";
import type { Job, JobKind, JobQueue, JobStatus, LeaseRequest, RetryFate } from "./ports/jobs.js";
import type { Database, JobsTable } from "./schema.js";
import { retrying } from "./transient.js";

/** A connection or a transaction on it. */
export type Db = Kysely<Database> | Transaction<Database>;

/** How many times a job of each kind runs before it is dead. */
const MAX_ATTEMPTS: Record<JobKind, number> = { content: 5, webhook: 8 };
/** Rows per statement when writing many jobs. */
const CHUNK = 500;
/** Errors are stored truncated. */
const MAX_ERROR = 2000;

export function toJob(r: Selectable<JobsTable>): Job {
  return {
    id: r.id,
    kind: r.kind as JobKind,
    refId: r.ref_id,
    status: r.status as JobStatus,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAt: Number(r.run_at),
    leaseOwner: r.lease_owner,
    leaseUntil: r.lease_until === null ? null : Number(r.lease_until),
    lastError: r.last_error,
  };
}

export async function enqueueJobs(db: Db, kind: JobKind, refIds: readonly number[], runAt: number): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < refIds.length; i += CHUNK) {
    await db
      .insertInto("jobs")
      .values(
        refIds.slice(i, i + CHUNK).map((ref_id) => ({
          kind,
          ref_id,
          status: "queued",
          attempts: 0,
          max_attempts: MAX_ATTEMPTS[kind],
          run_at: runAt,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
  }
}

export function leaseJobs(db: Db, dialect: "sqlite" | "postgres", r: LeaseRequest): Promise<Job[]> {
  return leaseWhere(db, dialect, r.kind, sql``, sql`order by id limit ${r.limit}`, r.owner, r.leaseMs);
}

async function leaseWhere(
  db: Db,
  dialect: "sqlite" | "postgres",
  kind: string,
  filter: RawBuilder<unknown>,
  order: RawBuilder<unknown>,
  owner: string,
  leaseMs: number,
): Promise<Job[]> {
  const now = Date.now();
  const lock = dialect === "postgres" ? sql`for update skip locked` : sql``;
  const result = await sql<Selectable<JobsTable>>`
    update jobs set status = 'running', lease_owner = ${owner}, lease_until = ${now + leaseMs},
      attempts = attempts + 1, updated_at = ${now}
    where id in (
      select id from jobs
      where kind = ${kind} ${filter}
        and ((status = 'queued' and run_at <= ${now}) or (status = 'running' and lease_until < ${now}))
      ${order} ${lock}
    )
    returning *`.execute(db);
  return result.rows.map(toJob).sort((a, b) => a.id - b.id);
}

export async function completeJobs(db: Db, ids: readonly number[]): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK)
    await db
      .deleteFrom("jobs")
      .where("id", "in", ids.slice(i, i + CHUNK))
      .execute();
}

export async function retryOrBuryJob(db: Db, job: Job, error: string, runAt: number): Promise<RetryFate> {
  const dead = job.attempts >= job.maxAttempts;
  await db
    .updateTable("jobs")
    .set({
      status: dead ? "dead" : "queued",
      run_at: runAt,
      lease_owner: null,
      lease_until: null,
      last_error: error.slice(0, MAX_ERROR),
      updated_at: Date.now(),
    })
    .where("id", "=", job.id)
    .execute();
  return dead ? "dead" : "retry";
}

export class KyselyJobQueue implements JobQueue {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: "sqlite" | "postgres",
  ) {}

  enqueue(kind: JobKind, refIds: readonly number[], runAt = Date.now()): Promise<void> {
    return enqueueJobs(this.db, kind, refIds, runAt);
  }

  // Leasing, renewing, releasing and completing are single statements, retried on a lost
  // connection (src/storage/transient.ts); a lease whose answer was lost runs out by itself.
  lease(request: LeaseRequest): Promise<Job[]> {
    return retrying("leasing jobs", () => leaseJobs(this.db, this.dialect, request));
  }

  async leaseRefs(kind: JobKind, refIds: readonly number[], owner: string, leaseMs: number): Promise<Job[]> {
    if (refIds.length === 0) return [];
    const filter = sql`and ref_id in (${sql.join(refIds)})`;
    return retrying("leasing jobs", () => leaseWhere(this.db, this.dialect, kind, filter, sql``, owner, leaseMs));
  }

  async openRefs(kind: JobKind, refIds: readonly number[]): Promise<Set<number>> {
    if (refIds.length === 0) return new Set();
    const rows = await retrying("reading jobs", () =>
      this.db
        .selectFrom("jobs")
        .select(["ref_id", "status"])
        .where("kind", "=", kind)
        .where("ref_id", "in", refIds)
        .execute(),
    );
    return new Set(rows.filter((r) => r.status !== "dead").map((r) => r.ref_id));
  }

  async renew(ids: readonly number[], until: number): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      await retrying("renewing leases", () =>
        this.db
          .updateTable("jobs")
          .set({ lease_until: until })
          .where("id", "in", chunk)
          .where("status", "=", "running")
          .execute(),
      );
    }
  }

  async release(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    // Not retried: run twice after a lost answer it would take back a second attempt.
    await this.db
      .updateTable("jobs")
      .set((eb) => ({ status: "queued", lease_owner: null, lease_until: null, attempts: eb("attempts", "-", 1) }))
      .where("id", "in", ids)
      .where("status", "=", "running")
      .execute();
  }

  complete(ids: readonly number[]): Promise<void> {
    return retrying("completing jobs", () => completeJobs(this.db, ids));
  }

  retryOrBury(job: Job, error: string, runAt: number): Promise<RetryFate> {
    return retryOrBuryJob(this.db, job, error, runAt);
  }

  async counts(): Promise<Record<string, number>> {
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
