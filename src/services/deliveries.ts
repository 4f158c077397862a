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
import type { ActionRow, ContentStore, Db, JobRow } from "../storage/content-store.js";
import type { RuleStore } from "../storage/rule-store.js";
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
    private readonly content: ContentStore,
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
    const jobs = await this.content.lease("webhook", this.options.owner, this.options.batch ?? 128, 60_000);
    if (jobs.length === 0) return 0;
    const attempts = await Promise.all(jobs.map((job) => this.attempt(job)));
    const now = Date.now();
    await this.content.db.transaction().execute(async (tx) => {
      const done: number[] = [];
      for (const { job, action, status, error } of attempts) {
        if (!action) {
          done.push(job.id);
          continue;
        }
        if (!error) {
          await tx
            .updateTable("actions")
            .set({
              status: "delivered",
              attempts: action.attempts + 1,
              last_status: status,
              last_error: null,
              completed_at: now,
            })
            .where("id", "=", action.id)
            .execute();
          done.push(job.id);
          continue;
        }
        const fate = await this.content.retryOrBury(
          tx,
          job,
          error,
          now + backoffMs(job.attempts, this.options.backoffBaseMs ?? 1000),
        );
        await tx
          .updateTable("actions")
          .set({
            status: fate === "dead" ? "dead" : "pending",
            attempts: action.attempts + 1,
            last_status: status,
            last_error: error.slice(0, 2000),
          })
          .where("id", "=", action.id)
          .execute();
        if (fate === "dead")
          await tx
            .updateTable("content_items")
            .set({ status: "action_failed" })
            .where("id", "=", action.item_id)
            .execute();
      }
      await this.content.completeJobs(tx, done);
      const delivered = attempts.filter((a) => a.action && !a.error).map((a) => a.action!.item_id);
      await settleItems(tx, [...new Set(delivered)], now);
    });
    if (this.metrics) {
      for (const { job, action, error } of attempts) {
        if (!action) continue;
        this.metrics.deliveries.inc({
          result: error ? (job.attempts >= job.max_attempts ? "dead" : "retry") : "delivered",
        });
        if (!error) this.metrics.actions.inc({ type: "webhook", status: "delivered" });
      }
      const items = await this.content.getItems([
        ...new Set(attempts.filter((a) => a.action && !a.error).map((a) => a.action!.item_id)),
      ]);
      for (const item of items)
        if (item.acted_at)
          this.metrics.step.observe({ step: "acted" }, (Number(item.acted_at) - Number(item.received_at)) / 1000);
    }
    return jobs.length;
  }

  /** One HTTP attempt; nothing is written here. */
  private async attempt(
    job: JobRow,
  ): Promise<{ job: JobRow; action?: ActionRow; status: number | null; error?: string }> {
    const action = await this.content.getAction(job.ref_id);
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
          ...webhookHeaders(secret, action.delivery_id, ts, action.payload),
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

  private async secretFor(action: ActionRow): Promise<string> {
    const now = Date.now();
    let cached = this.ruleCache.get(action.rule_id);
    if (!cached || now - cached.at > 1000) {
      cached = { at: now, rule: await this.rules.get(action.rule_id) };
      this.ruleCache.set(action.rule_id, cached);
    }
    const rule = cached.rule;
    const index = Number(action.delivery_id.split("_").at(-1));
    const a: RuleAction | undefined = rule?.actions[index];
    if (!a || a.type !== "webhook") throw new Error(`rule ${action.rule_id} no longer has this webhook`);
    return a.secret;
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

/** Puts a dead or delivered action back in the queue (same delivery id). */
export async function redeliver(content: ContentStore, action: ActionRow): Promise<void> {
  await content.db.transaction().execute(async (tx) => {
    await tx
      .updateTable("actions")
      .set({ status: "pending", completed_at: null })
      .where("id", "=", action.id)
      .execute();
    await tx.updateTable("content_items").set({ status: "acting" }).where("id", "=", action.item_id).execute();
    await content.enqueue(tx, "webhook", [action.id]);
  });
}
