/**
 * The job queue (ports/jobs.ts) over Kysely. The functions that take a `Db` are shared with
 * the adapters that queue, lease or finish jobs inside their own transactions (accepting
 * content, committing pipeline results, recording deliveries).
 *
 * Time is the database's: `run_at` and `lease_until` are written and compared with the
 * database's clock (`now()` on PostgreSQL), and a caller's times are turned into durations
 * from its own clock first, so hosts whose clocks disagree never shorten or stretch a lease.
 *
 * Leasing on PostgreSQL is `with picked as materialized (select ... order by id limit n for
 * update skip locked) update ... where id = any(array(select id from picked))`: the
 * candidates are locked once, in id order, and the update finds them by primary key (an
 * init plan: never a re-run of the locking subquery, never a scan of the table). Concurrent workers skip each other's rows; on SQLite the write lock serialises
 * them. Jobs whose lease ran out (their worker died) are put back by `reclaimJobs`.
 */

import { PostgresAdapter, sql, type Kysely, type RawBuilder, type Selectable, type Transaction } from "kysely";
import type { Job, JobKind, JobQueue, JobStatus, LeaseRequest, RetryFate } from "./ports/jobs.js";
import type { Database, JobsTable } from "./schema.js";
import { chunksOf, runRows, type RowsShape } from "./multi-row.js";
import { retrying } from "./transient.js";

/** A connection or a transaction on it. */
export type Db = Kysely<Database> | Transaction<Database>;

/** How many times a job of each kind runs before it is dead. */
const MAX_ATTEMPTS: Record<JobKind, number> = { content: 5, webhook: 8, incident: 8, links: 5, relay: 40 };
/** Rows per statement when writing many jobs. */
const CHUNK = 500;
/** Errors are stored truncated. */
const MAX_ERROR = 2000;
/** Expired leases put back per statement. */
const RECLAIM_LIMIT = 5000;

type Dialect = "sqlite" | "postgres";

function dialectOf(db: Db): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/** The database's clock in ms since the epoch, as SQL. */
export function dbNowMs(dialect: Dialect): RawBuilder<number> {
  return dialect === "postgres"
    ? sql<number>`cast(extract(epoch from now()) * 1000 as bigint)`
    : sql<number>`cast((julianday('now') - 2440587.5) * 86400000 as integer)`;
}

/** `at` (this host's clock) as the same moment on the database's clock: now there plus the wait. */
function dbTime(dialect: Dialect, at: number): RawBuilder<number> {
  const wait = Math.max(0, Math.round(at - Date.now()));
  return wait === 0 ? dbNowMs(dialect) : sql<number>`(${dbNowMs(dialect)} + ${wait})`;
}

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

/** The insert of queued jobs (multi-row.ts), due the database's now plus a wait in ms. */
const ENQUEUE_ROWS: Record<Dialect, RowsShape> = {
  sqlite: {
    head: "insert into jobs (kind, ref_id, max_attempts, run_at, created_at, updated_at, status, attempts) values",
    width: 6,
    row: (p) =>
      `(${p[0]}, ${p[1]}, ${p[2]}, cast((julianday('now') - 2440587.5) * 86400000 as integer) + ${p[3]}, ${p[4]}, ${p[5]}, 'queued', 0)`,
  },
  postgres: {
    head: "insert into jobs (kind, ref_id, max_attempts, run_at, created_at, updated_at, status, attempts) values",
    width: 6,
    row: (p) =>
      `(${p[0]}, ${p[1]}, ${p[2]}, cast(extract(epoch from now()) * 1000 as bigint) + ${p[3]}, ${p[4]}, ${p[5]}, 'queued', 0)`,
  },
};

export async function enqueueJobs(db: Db, kind: JobKind, refIds: readonly number[], runAt: number): Promise<void> {
  const now = Date.now();
  // The database's clock plus the wait from this host's (see dbTime).
  const wait = Math.max(0, Math.round(runAt - now));
  const shape = ENQUEUE_ROWS[dialectOf(db)];
  for (const chunk of chunksOf(refIds, CHUNK))
    await runRows(
      db,
      shape,
      chunk.rows.map((ref_id) => [kind, ref_id, MAX_ATTEMPTS[kind], wait, now, now]),
    );
}

export async function leaseJobs(db: Db, dialect: Dialect, r: LeaseRequest): Promise<Job[]> {
  const now = dbNowMs(dialect);
  const set = sql`status = 'running', lease_owner = ${r.owner}, lease_until = ${now} + ${r.leaseMs},
      attempts = attempts + 1, updated_at = ${Date.now()}`;
  const ready = sql`kind = ${r.kind} and status = 'queued' and run_at <= ${now}`;
  // On SQLite an update is a write transaction even when it finds nothing: it waits for the
  // write lock (held through the HTTP thread's fsync) and its busy handler sleeps in steps of
  // up to 100 ms. Idle workers lease every 50-100 ms; a read first (no lock in WAL mode) spares
  // them the wait when there is nothing to lease (decision 0050).
  if (dialect === "sqlite" && (await sql`select 1 as x from jobs where ${ready} limit 1`.execute(db)).rows.length === 0)
    return [];
  // SQLite walks jobs_kind_status (kind, status), whose entries are in id order, and stops at
  // the limit: no index may offer it a range on run_at, or it sorts every queued job of every
  // kind on each lease (migration 0013 dropped the one that did).
  const result =
    dialect === "postgres"
      ? await sql<Selectable<JobsTable>>`
    with picked as materialized (
      select id from jobs where ${ready} order by id limit ${r.limit} for update skip locked)
    update jobs set ${set} where id = any(array(select id from picked))
    returning *`.execute(db)
      : await sql<Selectable<JobsTable>>`
    update jobs set ${set}
    where id in (select id from jobs where ${ready} order by id limit ${r.limit})
    returning *`.execute(db);
  return result.rows.map(toJob).sort((a, b) => a.id - b.id);
}

/**
 * Puts back the running jobs of `kind` whose lease ran out by the database's clock (their
 * worker died, or could not reach the database to renew): queued again at once, their
 * attempt counted. Returns how many.
 */
export async function reclaimJobs(db: Db, dialect: Dialect, kind: JobKind): Promise<number> {
  const now = dbNowMs(dialect);
  const set = sql`status = 'queued', lease_owner = null, lease_until = null, run_at = ${now},
      updated_at = ${Date.now()}`;
  const lost = sql`kind = ${kind} and status = 'running' and lease_until < ${now}`;
  // A read first on SQLite: usually nothing ran out, and then no write lock is waited for (see leaseJobs).
  if (dialect === "sqlite" && (await sql`select 1 as x from jobs where ${lost} limit 1`.execute(db)).rows.length === 0)
    return 0;
  const result =
    dialect === "postgres"
      ? await sql`
    with lost as materialized (
      select id from jobs where ${lost} order by lease_until limit ${RECLAIM_LIMIT} for update skip locked)
    update jobs set ${set} where id = any(array(select id from lost))`.execute(db)
      : await sql`update jobs set ${set} where id in (select id from jobs where ${lost} limit ${RECLAIM_LIMIT})`.execute(
          db,
        );
  return Number(result.numAffectedRows ?? 0);
}

async function leaseRefsWhere(
  db: Db,
  dialect: Dialect,
  kind: string,
  refIds: readonly number[],
  owner: string,
  leaseMs: number,
): Promise<Job[]> {
  const now = dbNowMs(dialect);
  const lock = dialect === "postgres" ? sql`for update skip locked` : sql``;
  const result = await sql<Selectable<JobsTable>>`
    update jobs set status = 'running', lease_owner = ${owner}, lease_until = ${now} + ${leaseMs},
      attempts = attempts + 1, updated_at = ${Date.now()}
    where id in (
      select id from jobs
      where kind = ${kind} and ref_id in (${sql.join(refIds)})
        and ((status = 'queued' and run_at <= ${now}) or (status = 'running' and lease_until < ${now}))
      ${lock}
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

/** Marks jobs dead with their last error (a "links" job given up on: services/links/follow-up.ts). */
export async function buryJobs(
  db: Db,
  jobs: readonly { readonly id: number; readonly error: string }[],
): Promise<void> {
  for (const j of jobs)
    await db
      .updateTable("jobs")
      .set({
        status: "dead",
        lease_owner: null,
        lease_until: null,
        last_error: j.error.slice(0, MAX_ERROR),
        updated_at: Date.now(),
      })
      .where("id", "=", j.id)
      .execute();
}

export async function retryOrBuryJob(db: Db, job: Job, error: string, runAt: number): Promise<RetryFate> {
  const dead = job.attempts >= job.maxAttempts;
  await db
    .updateTable("jobs")
    .set({
      status: dead ? "dead" : "queued",
      run_at: dbTime(dialectOf(db), runAt),
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
    private readonly dialect: Dialect,
  ) {}

  enqueue(kind: JobKind, refIds: readonly number[], runAt = Date.now()): Promise<void> {
    return enqueueJobs(this.db, kind, refIds, runAt);
  }

  // Leasing, renewing, releasing and completing are single statements, retried on a lost
  // connection (src/storage/transient.ts); a lease whose answer was lost runs out by itself.
  lease(request: LeaseRequest): Promise<Job[]> {
    return retrying("leasing jobs", () => leaseJobs(this.db, this.dialect, request));
  }

  reclaim(kind: JobKind): Promise<number> {
    return retrying("reclaiming expired leases", () => reclaimJobs(this.db, this.dialect, kind));
  }

  async leaseRefs(kind: JobKind, refIds: readonly number[], owner: string, leaseMs: number): Promise<Job[]> {
    if (refIds.length === 0) return [];
    return retrying("leasing jobs", () => leaseRefsWhere(this.db, this.dialect, kind, refIds, owner, leaseMs));
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

  async renew(ids: readonly number[], owner: string, leaseMs: number): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      await retrying("renewing leases", () =>
        this.db
          .updateTable("jobs")
          .set({ lease_until: sql<number>`${dbNowMs(this.dialect)} + ${leaseMs}` })
          .where("id", "in", chunk)
          .where("status", "=", "running")
          .where("lease_owner", "=", owner)
          .execute(),
      );
    }
  }

  async release(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    // Retried on a transient failure: a release lost with its connection (a database restart)
    // would let the lease run out and cost each job an attempt it never had, and a storm of
    // restarts would use up an item's attempts. Run again after a lost answer it finds the
    // rows queued and changes nothing — unless another worker leased one meanwhile, which then
    // gets one attempt back: a poison item ends one try later, no more.
    await retrying("releasing jobs", () =>
      this.db
        .updateTable("jobs")
        .set((eb) => ({ status: "queued", lease_owner: null, lease_until: null, attempts: eb("attempts", "-", 1) }))
        .where("id", "in", ids)
        .where("status", "=", "running")
        .execute(),
    );
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
