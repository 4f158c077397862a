/**
 * The webhook side of act: leases "webhook" jobs, POSTs each action's payload signed the
 * Standard Webhooks way, and records the outcome. A 2xx is delivered; anything else is
 * retried with exponential backoff until the job's attempts run out, then the action is
 * dead-lettered (status "dead") until someone redelivers it. The delivery id (the
 * `webhook-id` header) never changes, so receivers can drop repeats.
 */

import { JobLoop } from "./job-loop.js";
import { describeError } from "../core/errors.js";
import type { ActionRule, RuleAction } from "../core/rules.js";
import { backoffMs, webhookHeaders } from "../kernels/webhook/signature.js";
import { safeRequest } from "../media/safe-http.js";
import type {
  Action,
  ActionStore,
  ContentStore,
  DeliveryResult,
  Job,
  JobQueue,
  RuleStore,
} from "../storage/ports/index.js";
import type { ServiceMetrics } from "./metrics.js";

/** A receiver's answer is not read; this much of it is drained to keep the connection. */
const WEBHOOK_ANSWER_BYTES = 64 * 1024;

export interface DeliveryOptions {
  readonly owner: string;
  readonly batch?: number;
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  /** Allow webhook targets on private or loopback addresses (default false). */
  readonly allowPrivate?: boolean;
  /** First retry delay; doubles each attempt (default 1 s). */
  readonly backoffBaseMs?: number;
}

export class WebhookDeliverer {
  private readonly jobs: JobLoop;
  private readonly ruleCache = new Map<number, { at: number; rule: ActionRule | undefined }>();

  constructor(
    private readonly stores: { content: ContentStore; jobs: JobQueue; actions: ActionStore },
    private readonly rules: RuleStore,
    private readonly options: DeliveryOptions,
    private readonly metrics?: ServiceMetrics,
  ) {
    this.jobs = new JobLoop("webhook worker", () => this.runOnce(), options.pollMs ?? 100);
  }

  start(): void {
    this.jobs.start();
  }

  stop(): Promise<void> {
    return this.jobs.stop();
  }

  wake(): void {
    this.jobs.wake();
  }

  /** Leases one batch, attempts every delivery concurrently, and records all outcomes in one transaction. */
  async runOnce(): Promise<number> {
    const { jobs: queue, actions, content } = this.stores;
    const jobs = await queue.lease({
      kind: "webhook",
      owner: this.options.owner,
      limit: this.options.batch ?? 128,
      leaseMs: 60_000,
    });
    if (jobs.length === 0) return 0;
    const attempts = await Promise.all(jobs.map((job) => this.attempt(job)));
    const now = Date.now();
    const results: DeliveryResult[] = [];
    const orphans: number[] = [];
    for (const { job, action, status, error } of attempts) {
      if (!action) orphans.push(job.id);
      else
        results.push({
          job,
          action,
          httpStatus: status,
          ...(error !== undefined ? { error } : {}),
          retryAt: now + backoffMs(job.attempts, this.options.backoffBaseMs ?? 1000),
        });
    }
    await actions.recordDeliveries(results, orphans, now);
    if (this.metrics) {
      for (const { job, action, error } of attempts) {
        if (!action) continue;
        this.metrics.deliveries.inc({
          result: error ? (job.attempts >= job.maxAttempts ? "dead" : "retry") : "delivered",
        });
        if (!error) this.metrics.actions.inc({ type: "webhook", status: "delivered" });
      }
      const items = await content.getItems([
        ...new Set(attempts.filter((a) => a.action && !a.error).map((a) => a.action!.itemId)),
      ]);
      for (const item of items)
        if (item.actedAt !== null)
          this.metrics.step.observe({ step: "acted" }, (item.actedAt - item.receivedAt) / 1000);
    }
    return jobs.length;
  }

  /** One HTTP attempt; nothing is written here. */
  private async attempt(job: Job): Promise<{ job: Job; action?: Action; status: number | null; error?: string }> {
    const action = await this.stores.actions.getAction(job.refId);
    if (!action || action.status !== "pending") return { job, status: null };
    let status: number | null = null;
    try {
      const secret = await this.secretFor(action);
      const ts = Math.floor(Date.now() / 1000);
      // The SSRF-safe agent: the target's address is checked and pinned; a redirect is an answer.
      const response = await safeRequest(action.target, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "rasd-webhooks/1",
          ...webhookHeaders(secret, action.deliveryId, ts, action.payload),
        },
        body: action.payload,
        readBody: false,
        keepAlive: true,
        maxBytes: WEBHOOK_ANSWER_BYTES,
        timeoutMs: this.options.timeoutMs ?? 10_000,
        allowPrivate: this.options.allowPrivate ?? false,
      });
      status = response.status;
      if (status < 200 || status > 299) return { job, action, status, error: `the receiver answered HTTP ${status}` };
      return { job, action, status };
    } catch (e) {
      return { job, action, status, error: describeError(e) };
    }
  }

  /** The secret of the rule's webhook this action came from (its stored position in the rule). */
  private async secretFor(action: Action): Promise<string> {
    const now = Date.now();
    let cached = this.ruleCache.get(action.ruleId);
    if (!cached || now - cached.at > 1000) {
      cached = { at: now, rule: await this.rules.get(action.ruleId) };
      this.ruleCache.set(action.ruleId, cached);
    }
    const a: RuleAction | undefined =
      action.actionIndex === null ? undefined : cached.rule?.actions[action.actionIndex];
    if (!a || a.type !== "webhook") throw new Error(`rule ${action.ruleId} no longer has this webhook`);
    return a.secret;
  }
}
