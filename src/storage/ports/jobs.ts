/**
 * The durable job queue port. Jobs live in the same database as what they refer to, so
 * queueing one is part of the transaction that creates its subject. Workers lease jobs (a
 * lease that runs out — the worker died — makes the job available again), retry failures
 * with a later `runAt`, and a job with no attempts left is kept as dead (the dead letter).
 *
 * Leases run on the database's clock: a lease is for `leaseMs` from the database's now, and
 * runs out when the database's clock passes it, whatever the workers' clocks say. A worker
 * renews the leases it holds while it works on them (a short lease, cheaply renewed: a dead
 * worker's jobs run again within seconds).
 */

/**
 * "content": hash, match and act on an item; "webhook": deliver an action; "incident": deliver
 * an incident alert; "links": follow an item's links after its direct matches were acted on
 * (services/links/follow-up.ts, decision 0038); "relay": send a member's opinion of a mirrored
 * signal (the ref) back to its owning rasd, its state when the job runs (decision 0048).
 */
export type JobKind = "content" | "webhook" | "incident" | "links" | "relay";
/** Waiting (maybe for a retry), leased by a worker, or out of attempts (the dead letter). */
export type JobStatus = "queued" | "running" | "dead";

export interface Job {
  readonly id: number;
  readonly kind: JobKind;
  /** The item (content, links) or action (webhook) the job is about. */
  readonly refId: number;
  readonly status: JobStatus;
  /** Attempts so far, this one included once leased. */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly runAt: number;
  readonly leaseOwner: string | null;
  readonly leaseUntil: number | null;
  readonly lastError: string | null;
}

/** What to lease: the next `limit` runnable jobs of `kind` for `leaseMs`, held by `owner`. */
export interface LeaseRequest {
  readonly kind: JobKind;
  readonly owner: string;
  readonly limit: number;
  readonly leaseMs: number;
}

export type RetryFate = "retry" | "dead";

export interface JobQueue {
  /** Queues a job of `kind` for each ref id, runnable from `runAt` (default now). */
  enqueue(kind: JobKind, refIds: readonly number[], runAt?: number): Promise<void>;
  /**
   * Leases up to `limit` queued jobs of `kind` that are due, lowest id first, for `leaseMs`.
   * Counts the attempt. Two owners never hold the same job.
   */
  lease(request: LeaseRequest): Promise<Job[]>;
  /**
   * Queues again, due now, the running jobs of `kind` whose lease ran out (their worker
   * died or lost the database); their attempt stays counted. Returns how many.
   */
  reclaim(kind: JobKind): Promise<number>;
  /** Leases the runnable jobs of `kind` for these ref ids (those handed out by a work queue). */
  leaseRefs(kind: JobKind, refIds: readonly number[], owner: string, leaseMs: number): Promise<Job[]>;
  /** Which of these ref ids still have a job of `kind` that is not dead (waiting or running). */
  openRefs(kind: JobKind, refIds: readonly number[]): Promise<Set<number>>;
  /** Extends, to `leaseMs` from now, the leases `owner` holds on these jobs. */
  renew(ids: readonly number[], owner: string, leaseMs: number): Promise<void>;
  /** Gives leased jobs back untouched (the attempt is not counted). */
  release(ids: readonly number[]): Promise<void>;
  /** Finished jobs are deleted: their subject keeps the history, the queue stays small. */
  complete(ids: readonly number[]): Promise<void>;
  /** Puts a job back to run at `runAt`, or marks it dead when it has no attempts left. */
  retryOrBury(job: Job, error: string, runAt: number): Promise<RetryFate>;
  /** Jobs by "kind.status". */
  counts(): Promise<Record<string, number>>;
}
