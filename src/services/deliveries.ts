/**
 * The webhook side of act: leases "webhook" jobs, POSTs each action's payload signed the
 * Standard Webhooks way, and records the outcome. A 2xx is delivered; anything else is
 * retried with exponential backoff until the job's attempts run out, then the action is
 * dead-lettered (status "dead") until someone redelivers it. The delivery id (the
 * `webhook-id` header) never changes, so receivers can drop repeats.
 *
 * Isolation: every endpoint (an organisation's target origin, core/webhook-endpoints.ts)
 * has its own lane with at most `perEndpoint` deliveries in flight; the worker leases jobs
 * endpoint by endpoint, never more of one endpoint than its lane can start soon, and skips
 * endpoints whose lane is full. Each outcome is recorded as soon as its attempt ends
 * (outcomes that end together share one transaction), so a receiver that hangs until the
 * timeout holds up its own deliveries only. Jobs stay leased rows until their outcome is
 * committed: a kill -9 loses nothing, the lease runs out and they run again.
 *
 * Disabling: after `disable.failures` failed attempts in a row spanning `disable.minMs`, the
 * endpoint is disabled (its jobs held, not leased), its organisation's audit log says so, a
 * warning is logged and `rasd_webhook_endpoints_disabled_total` counts it. An admin enables it
 * again (`WebhookEndpointStore.enable`), and the held deliveries go out.
 */

import { JobLoop } from "./job-loop.js";
import { describeError } from "../core/errors.js";
import { signingSecrets, type ActionRule, type RuleAction } from "../core/rules.js";
import { endpointId, webhookOrigin, type DisablePolicy, type EndpointKey } from "../core/webhook-endpoints.js";
import { backoffMs, webhookHeaders } from "../kernels/webhook/signature.js";
import { getLogger } from "../logging/logger.js";
import { safeRequest } from "../media/safe-http.js";
import type {
  AccessStore,
  Action,
  ActionStore,
  ContentStore,
  DeliveryResult,
  EndpointOutcome,
  IncidentStore,
  Job,
  JobQueue,
  RuleStore,
  WebhookEndpoint,
  WebhookEndpointStore,
} from "../storage/ports/index.js";
import type { ServiceMetrics } from "./metrics.js";

/**
 * The most jobs one lease asks for. A lease looks at a fixed number of candidates per job
 * asked (src/storage/webhook-endpoint-store.ts), so this bounds its cost whatever the
 * backlog; a lane asks again as soon as it has room.
 */
const LEASE_MOST = 64;
/**
 * The least time between two leases. Each lease is one statement whatever it finds, and
 * every pipeline commit and every finished attempt wakes the worker: without a gap it leased
 * one or two jobs a time (587 leases for 1,000 webhooks, 65 us of CPU per item at 10% matching).
 * Costs a delivery at most this much latency.
 */
const LEASE_GAP_MS = 20;
/** A lane leases up to this many times its concurrency at once (see runOnce). */
const LANE_LEASE = 4;
/**
 * How often the worker looks for incident alerts queued by another process (a lease is a
 * write; the crisis protocol wants every member alerted within a second).
 */
const ALERT_LOOK_MS = 100;
/**
 * How long finished attempts wait to be recorded together. Each record is two transactions
 * whatever it carries; recorded as each answer came in, a steady stream of deliveries wrote
 * one transaction pair for every few outcomes (476 for 3,600 deliveries at 10,000 items/s).
 * The receiver has its delivery already: this only delays the action's status (and a repeat,
 * the same delivery id, if the process dies meanwhile).
 */
const RECORD_GAP_MS = 25;
/** A receiver's answer is not read; this much of it is drained to keep the connection. */
const WEBHOOK_ANSWER_BYTES = 64 * 1024;

export interface DeliveryOptions {
  readonly owner: string;
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  /**
   * How long a held job's lease lasts (RASD_LEASE_SECONDS; default 60 s): renewed every half
   * lease while this worker holds the job, so after a kill -9 its jobs run again elsewhere
   * within one lease, however long the deliveries ahead of them take.
   */
  readonly leaseMs?: number;
  /** Allow webhook targets on private or loopback addresses (default false). */
  readonly allowPrivate?: boolean;
  /** First retry delay; doubles each attempt (default 1 s). */
  readonly backoffBaseMs?: number;
  /** Deliveries in flight at once per endpoint (default 8). */
  readonly perEndpoint?: number;
  /** Jobs held by this worker at once, in flight or waiting in a lane (default 1024). */
  readonly inFlight?: number;
  /** When an endpoint is disabled (default: 20 failures in a row over at least 15 minutes). */
  readonly disable?: DisablePolicy;
}

export interface DeliveryStores {
  readonly content: ContentStore;
  readonly jobs: JobQueue;
  readonly actions: ActionStore;
  readonly endpoints: WebhookEndpointStore;
  /** Where disabling an endpoint is recorded. */
  readonly access: Pick<AccessStore, "audit">;
  /** Incident alerts (the crisis protocol), delivered beside the rules' webhooks. */
  readonly incidents?: Pick<IncidentStore, "getAlert" | "recordAlerts">;
}

/** One endpoint's deliveries in this worker. */
interface Lane {
  readonly key: EndpointKey;
  running: number;
  readonly waiting: Job[];
}

/** An attempt that ended, to record. */
interface Finished {
  readonly job: Job;
  readonly endpoint: EndpointKey;
  /**
   * Undefined: the action is gone or no longer pending (the job is completed) — or, with
   * `error`, it could not be read (the job is given back).
   */
  readonly action?: Action;
  readonly status: number | null;
  readonly error?: string;
  /** The failure was rasd's (the rule lost its webhook), not the receiver's: not counted against it. */
  readonly ours?: boolean;
  readonly at: number;
}

const DEFAULT_DISABLE: DisablePolicy = { failures: 20, minMs: 15 * 60_000 };

export class WebhookDeliverer {
  private readonly jobs: JobLoop;
  private readonly ruleCache = new Map<number, { at: number; rule: ActionRule | undefined }>();
  private readonly lanes = new Map<string, Lane>();
  private readonly attempts = new Set<Promise<void>>();
  private held = 0;
  /** The jobs this worker holds (waiting in a lane or in flight), whose leases it renews. */
  private readonly heldJobs = new Set<number>();
  private renewAt = 0;
  private toRecord: Finished[] = [];
  private recording: Promise<void> | undefined;
  private wakeQueued = false;
  private stopping = false;
  /** When incident jobs whose lease ran out were last put back (ms). */
  private alertsReclaimedAt = 0;
  /** When incident jobs were last looked for (performance.now()), and whether this process queued some since. */
  private alertsLookedAt = -Infinity;
  private alertsQueued = false;
  /** When the last lease ran (performance.now()). */
  private leasedAt = -Infinity;
  private readonly log = getLogger("webhook worker");

  constructor(
    private readonly stores: DeliveryStores,
    private readonly rules: RuleStore,
    private readonly options: DeliveryOptions,
    private readonly metrics?: ServiceMetrics,
  ) {
    this.jobs = new JobLoop("webhook worker", () => this.runOnce(), options.pollMs ?? 100);
  }

  private get perEndpoint(): number {
    return this.options.perEndpoint ?? 8;
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 10_000;
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 60_000;
  }

  start(): void {
    this.jobs.start();
  }

  /**
   * Keeps the held jobs' leases from running out while this worker lives (checked at every
   * turn of the leasing loop, renewed every half lease). A lane holds up to five times its
   * concurrency, each attempt bounded by the timeout, so a job may wait longer than a short
   * lease; a worker that dies stops renewing and its jobs run again within one lease.
   */
  private async renewLeases(): Promise<void> {
    if (this.heldJobs.size === 0 || Date.now() < this.renewAt) return;
    this.renewAt = Date.now() + this.leaseMs / 2;
    try {
      await this.stores.jobs.renew([...this.heldJobs], this.options.owner, this.leaseMs);
    } catch (error) {
      // The leases may run out and the jobs run again elsewhere: a repeat under the same delivery id.
      this.log.warn({ err: error, jobs: this.heldJobs.size }, "renewing webhook leases failed");
    }
  }

  /** Stops leasing, gives back jobs not started, and waits for the attempts under way to be recorded. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.jobs.stop();
    const waiting = [...this.lanes.values()].flatMap((lane) => lane.waiting.splice(0));
    this.held -= waiting.length;
    for (const j of waiting) this.heldJobs.delete(j.id);
    if (waiting.length > 0) await this.stores.jobs.release(waiting.map((j) => j.id));
    while (this.attempts.size > 0) await Promise.all(this.attempts);
    await this.recording;
  }

  wake(): void {
    this.jobs.wake();
  }

  /** Incident alerts were queued in this process: send them now. */
  wakeAlerts(): void {
    this.alertsQueued = true;
    this.jobs.wake();
  }

  /**
   * Leases what the lanes have room for and starts those deliveries; does not wait for them
   * (each is recorded when it ends). Returns how many jobs it leased.
   */
  async runOnce(): Promise<number> {
    const alerts = await this.runAlerts();
    await this.renewLeases();
    const room = (this.options.inFlight ?? 1024) - this.held;
    if (room <= 0) return alerts;
    const gap = this.leasedAt + LEASE_GAP_MS - performance.now();
    if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
    this.leasedAt = performance.now();
    const full = [...this.lanes.values()]
      .filter((l) => l.running + l.waiting.length >= this.perEndpoint)
      .map((l) => l.key);
    const leased = await this.stores.endpoints.leaseDeliveries({
      owner: this.options.owner,
      // A lane leases up to four times its concurrency at a time (fewer, larger leases: at twice,
      // one endpoint taking 1,000 deliveries a second cost 60 leases a second), so it holds at
      // most five times its concurrency; the leases are renewed while held (renewLeases).
      leaseMs: this.leaseMs,
      limit: Math.min(room, LEASE_MOST),
      perEndpoint: LANE_LEASE * this.perEndpoint,
      skip: full,
    });
    if (leased.length > 0 && this.renewAt <= Date.now()) this.renewAt = Date.now() + this.leaseMs / 2;
    for (const { job, endpoint } of leased) {
      const id = endpointId(endpoint);
      let lane = this.lanes.get(id);
      if (!lane) this.lanes.set(id, (lane = { key: endpoint, running: 0, waiting: [] }));
      lane.waiting.push(job);
      this.held++;
      this.heldJobs.add(job.id);
    }
    for (const lane of new Set(leased.map(({ endpoint }) => this.lanes.get(endpointId(endpoint))!))) this.pump(lane);
    return leased.length + alerts;
  }

  /** Resolves when every delivery started so far is recorded (tests and the bench). */
  async settled(): Promise<void> {
    while (this.attempts.size > 0) await Promise.all(this.attempts);
    await this.recording;
  }

  /** Starts the lane's waiting deliveries while it has room. */
  private pump(lane: Lane): void {
    while (lane.running < this.perEndpoint && lane.waiting.length > 0) {
      const job = lane.waiting.shift()!;
      lane.running++;
      // The lane's slot is free when the HTTP attempt ends; the job stays held (leased) until
      // its outcome is committed.
      const run: Promise<void> = this.attempt(job, lane.key)
        .finally(() => {
          lane.running--;
          if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(endpointId(lane.key));
          else this.pump(lane);
          // Lease this lane's next jobs (while this outcome is written) only once it has room
          // for them: while it still holds a full lane's worth the lease would skip it, and a
          // lease after every attempt costs a query per delivery.
          if (lane.running + lane.waiting.length < this.perEndpoint) this.wakeSoon();
        })
        .then((finished) => this.record(finished))
        .finally(() => {
          this.held--;
          this.heldJobs.delete(job.id);
          this.attempts.delete(run);
        });
      this.attempts.add(run);
    }
  }

  /** One HTTP attempt; nothing is written here. */
  private async attempt(job: Job, endpoint: EndpointKey): Promise<Finished> {
    const base = { job, endpoint, status: null };
    let action: Action | undefined;
    try {
      action = await this.stores.actions.getAction(job.refId);
    } catch (e) {
      return { ...base, error: describeError(e), ours: true, at: Date.now() };
    }
    if (!action || action.status !== "pending") return { ...base, at: Date.now() };
    let secrets: string[];
    try {
      secrets = await this.secretsFor(action.ruleId, action.actionIndex);
    } catch (e) {
      return { ...base, action, error: describeError(e), ours: true, at: Date.now() };
    }
    const answer = await this.post(action, secrets);
    return { ...base, action, ...answer };
  }

  /** POSTs a payload signed the Standard Webhooks way; nothing is written here. */
  private async post(
    d: { readonly target: string; readonly deliveryId: string; readonly payload: string },
    secrets: readonly string[],
  ): Promise<{ status: number | null; error?: string; at: number }> {
    try {
      const ts = Math.floor(Date.now() / 1000);
      // The SSRF-safe agent: the target's address is checked and pinned; a redirect is an answer.
      const response = await safeRequest(d.target, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "rasd-webhooks/1",
          ...webhookHeaders([...secrets], d.deliveryId, ts, d.payload),
        },
        body: d.payload,
        readBody: false,
        keepAlive: true,
        maxBytes: WEBHOOK_ANSWER_BYTES,
        timeoutMs: this.timeoutMs,
        allowPrivate: this.options.allowPrivate ?? false,
      });
      const status = response.status;
      if (status < 200 || status > 299)
        return { status, error: `the receiver answered HTTP ${status}`, at: Date.now() };
      return { status, at: Date.now() };
    } catch (e) {
      return { status: null, error: describeError(e), at: Date.now() };
    }
  }

  /**
   * Incident alerts (the crisis protocol, services/incidents.ts): "incident" jobs, leased
   * before the content webhooks and sent at once, each to its member's receiver with the
   * secret of the rule webhook it names; outcomes count towards the endpoint's health.
   * Returns how many were leased.
   */
  private async runAlerts(): Promise<number> {
    const alerts = this.stores.incidents;
    if (!alerts) return 0;
    // Looked for at most every ALERT_LOOK_MS (a lease is a write) unless this process queued some.
    if (!this.alertsQueued && performance.now() - this.alertsLookedAt < ALERT_LOOK_MS) return 0;
    this.alertsQueued = false;
    this.alertsLookedAt = performance.now();
    if (Date.now() - this.alertsReclaimedAt >= 1000) {
      this.alertsReclaimedAt = Date.now();
      await this.stores.jobs.reclaim("incident");
    }
    const jobs = await this.stores.jobs.lease({
      kind: "incident",
      owner: this.options.owner,
      limit: LEASE_MOST,
      leaseMs: this.leaseMs,
    });
    for (const job of jobs) {
      const run: Promise<void> = this.alertAttempt(job).finally(() => this.attempts.delete(run));
      this.attempts.add(run);
    }
    return jobs.length;
  }

  private async alertAttempt(job: Job): Promise<void> {
    const alerts = this.stores.incidents!;
    try {
      const alert = await alerts.getAlert(job.refId);
      if (!alert || alert.status !== "pending") return await alerts.recordAlerts([], [job.id]);
      // Queued before its endpoint was disabled: not sent, and not retried (decision 0035).
      const origin = webhookOrigin(alert.target);
      const endpoint = (await this.stores.endpoints.list(alert.orgId)).find((e) => e.origin === origin);
      if (endpoint?.state === "disabled")
        return await alerts.recordAlerts(
          [
            {
              job: { ...job, attempts: job.maxAttempts },
              alert,
              httpStatus: null,
              error: `not sent: the webhook endpoint ${origin} is disabled`,
              retryAt: Date.now(),
              at: Date.now(),
            },
          ],
          [],
        );
      let answer: { status: number | null; error?: string; at: number };
      let ours = false;
      try {
        answer = await this.post(alert, await this.secretsFor(alert.ruleId, alert.actionIndex));
      } catch (e) {
        answer = { status: null, error: describeError(e), at: Date.now() };
        ours = true;
      }
      await alerts.recordAlerts(
        [
          {
            job,
            alert,
            httpStatus: answer.status,
            ...(answer.error !== undefined ? { error: answer.error } : {}),
            retryAt: Date.now() + backoffMs(job.attempts, this.options.backoffBaseMs ?? 1000),
            at: answer.at,
          },
        ],
        [],
      );
      if (!ours)
        await this.stores.endpoints.recordOutcomes(
          [
            {
              endpoint: { orgId: alert.orgId, origin: webhookOrigin(alert.target) },
              ok: answer.error === undefined,
              at: answer.at,
              ...(answer.error ? { error: answer.error } : {}),
            },
          ],
          this.options.disable ?? DEFAULT_DISABLE,
        );
      this.metrics?.deliveries.inc({
        result: answer.error ? (job.attempts >= job.maxAttempts ? "dead" : "retry") : "delivered",
      });
    } catch (error) {
      // The job stays leased: when the lease runs out it runs again (same delivery id).
      this.log.error({ err: error, job: job.id }, "an incident alert could not be sent or recorded");
    }
  }

  /** Queues an outcome; outcomes that end while one is being written are written together next. */
  private record(finished: Finished): Promise<void> {
    this.toRecord.push(finished);
    this.recording ??= this.writeAll();
    return this.recording;
  }

  /** Wakes the leasing loop once the I/O callbacks now due have run (many attempts ending together: one lease). */
  private wakeSoon(): void {
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      this.jobs.wake();
    });
  }

  private async writeAll(): Promise<void> {
    try {
      while (this.toRecord.length > 0) {
        // Let the answers that arrive meanwhile queue their outcomes first: with a synchronous
        // driver (SQLite) nothing else runs during a write, so this is what makes one
        // transaction carry many outcomes instead of a few each. Stopping records at once.
        await new Promise((resolve) => (this.stopping ? setImmediate(resolve) : setTimeout(resolve, RECORD_GAP_MS)));
        const batch = this.toRecord;
        this.toRecord = [];
        try {
          await this.write(batch);
        } catch (error) {
          // The jobs stay leased: when the lease runs out they run again (same delivery ids).
          this.log.error({ err: error, jobs: batch.length }, "recording webhook outcomes failed; they will be retried");
        }
      }
    } finally {
      this.recording = undefined;
    }
  }

  private async write(batch: readonly Finished[]): Promise<void> {
    const now = Date.now();
    const results: DeliveryResult[] = [];
    const orphans: number[] = [];
    const outcomes: EndpointOutcome[] = [];
    const unread: number[] = [];
    for (const f of batch) {
      if (!f.action) {
        // With an error, the action could not be read (a lost database connection): the job
        // goes back to the queue. Completing it as if its action were gone would leave the
        // action pending for ever, its webhook never sent.
        if (f.error !== undefined) unread.push(f.job.id);
        else orphans.push(f.job.id);
        continue;
      }
      results.push({
        job: f.job,
        action: f.action,
        httpStatus: f.status,
        ...(f.error !== undefined ? { error: f.error } : {}),
        retryAt: now + backoffMs(f.job.attempts, this.options.backoffBaseMs ?? 1000),
      });
      if (!f.ours)
        outcomes.push({
          endpoint: f.endpoint,
          ok: f.error === undefined,
          at: f.at,
          ...(f.error ? { error: f.error } : {}),
        });
    }
    await this.stores.actions.recordDeliveries(results, orphans, now);
    // Best effort: if this fails too, their leases run out and they run again.
    if (unread.length) await this.stores.jobs.release(unread).catch(() => undefined);
    const disabled = await this.stores.endpoints.recordOutcomes(outcomes, this.options.disable ?? DEFAULT_DISABLE);
    for (const endpoint of disabled) await this.disabled(endpoint);
    if (this.metrics) {
      for (const { job, action, error } of batch) {
        if (!action) continue;
        this.metrics.deliveries.inc({
          result: error ? (job.attempts >= job.maxAttempts ? "dead" : "retry") : "delivered",
        });
        if (!error) this.metrics.actions.inc({ type: "webhook", status: "delivered" });
      }
      // Their times only: the whole rows (texts, hashes, matches) are not needed for this.
      const items = await this.stores.content.timesOf([
        ...new Set(batch.filter((a) => a.action && !a.error).map((a) => a.action!.itemId)),
      ]);
      for (const item of items)
        if (item.actedAt !== null)
          this.metrics.step.observe({ step: "acted" }, (item.actedAt - item.receivedAt) / 1000);
    }
  }

  /** An endpoint was just disabled: tell its organisation, the log and the metrics; give back its waiting jobs. */
  private async disabled(endpoint: WebhookEndpoint): Promise<void> {
    const lane = this.lanes.get(endpointId(endpoint));
    const waiting = lane ? lane.waiting.splice(0) : [];
    this.held -= waiting.length;
    for (const j of waiting) this.heldJobs.delete(j.id);
    if (waiting.length > 0) await this.stores.jobs.release(waiting.map((j) => j.id));
    this.metrics?.endpointsDisabled.inc();
    const detail = {
      origin: endpoint.origin,
      failures: endpoint.failures,
      failing_since: new Date(endpoint.failingSince ?? endpoint.since).toISOString(),
      last_error: endpoint.lastError,
    };
    this.log.warn(
      { endpoint: endpoint.id, org: endpoint.orgId, ...detail },
      "webhook endpoint disabled after sustained failure; its deliveries are held until an admin enables it",
    );
    await this.stores.access.audit({
      orgId: endpoint.orgId,
      personId: null,
      actor: "rasd",
      action: "webhook_endpoint.disable",
      target: `webhook_endpoint:${endpoint.id}`,
      detail,
      source: "webhook worker",
    });
  }

  /** The secrets of a rule's webhook (its stored position in the rule). */
  private async secretsFor(ruleId: number, actionIndex: number | null): Promise<string[]> {
    const now = Date.now();
    let cached = this.ruleCache.get(ruleId);
    if (!cached || now - cached.at > 1000) {
      cached = { at: now, rule: await this.rules.get(ruleId) };
      this.ruleCache.set(ruleId, cached);
    }
    const a: RuleAction | undefined = actionIndex === null ? undefined : cached.rule?.actions[actionIndex];
    if (!a || a.type !== "webhook") throw new Error(`rule ${ruleId} no longer has this webhook`);
    return signingSecrets(a, now);
  }
}
