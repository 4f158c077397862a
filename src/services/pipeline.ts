/**
 * The worker side of hash – match – act. Leases "content" jobs in batches, hashes each item
 * (PDQ + MD5 + SHA-256 for images, vPDQ + MD5 for videos, the canonical URL, the text),
 * matches it against the banks its submitter may see, fires the organisation's action
 * rules, and commits the results, the actions, review entries and webhook jobs together
 * with the job's completion. A crash before that commit leaves the job leased; the lease
 * runs out and the job runs again, producing the same action ids (so no duplicates).
 */

import { JobLoop } from "./job-loop.js";
import { describeError, isRasdError } from "../core/errors.js";
import type { Labels, Tlp } from "../core/model.js";
import { fire, reviewPriority, type ActionRule, type MatchFacts } from "../core/rules.js";
import type { StanceClassifier, StanceVerdict } from "../core/stance.js";
import type { ContentRow, ContentStore, ItemOutcome, JobRow } from "../storage/content-store.js";
import type { RuleStore } from "../storage/rule-store.js";
import type { SignalStore } from "../storage/store.js";
import type { AccessService } from "./access.js";
import type { Match, MatchResult, Matcher } from "./matcher.js";
import { MEDIA_SIGNAL_TYPES, matchScore } from "../signals/registry.js";
import { hashMedia, itemHashes } from "./media-hashing.js";
import type { ServiceMetrics } from "./metrics.js";

export interface PipelineDeps {
  readonly content: ContentStore;
  readonly rules: RuleStore;
  readonly access: AccessService;
  readonly signals: SignalStore;
  readonly matcher: Matcher;
  readonly metrics?: ServiceMetrics;
  /** Classifies the text of items (text items, and text sent with URLs, images and videos). */
  readonly classifier?: StanceClassifier;
}

export interface PipelineOptions {
  /** Who holds the leases (host:pid). */
  readonly owner: string;
  readonly batch?: number;
  readonly leaseMs?: number;
  /** How often to look for work when idle. */
  readonly pollMs?: number;
}

/** A match as stored with the item and sent in webhooks. */
export interface StoredMatch extends MatchFacts {
  readonly bankName: string;
  readonly tlp: Tlp;
  readonly value?: string;
  readonly matched?: string;
  readonly queryMatchPercent?: number;
  readonly comparedMatchPercent?: number;
}

interface Outcome {
  readonly job: JobRow;
  readonly item: ContentRow;
  readonly hashes: Record<string, unknown>;
  readonly matches: StoredMatch[];
  readonly hashedAt: number;
  readonly matchedAt: number;
  readonly stance?: StanceVerdict;
  readonly classifiedAt?: number;
  readonly error?: string;
}

/** The classifier's verdict as webhooks and item views show it. */
export function stanceSummary(v: StanceVerdict, model: string): Record<string, unknown> {
  return {
    label: v.label,
    score: Math.round(v.score * 1000) / 1000,
    lang: v.lang,
    ...(v.behaviour ? { behaviour: v.behaviour } : {}),
    model,
  };
}

/** Errors that no retry can fix: the input itself is bad. */
function permanent(error: unknown): boolean {
  return isRasdError(error) && /^(image|video|url|file|invalid)/.test(error.code);
}

export class ContentPipeline {
  private readonly jobs: JobLoop;
  private prefetched: JobRow[] | undefined;
  private readonly visible = new Map<number, Set<number>>();
  private visibleAt = 0;
  private visibleGeneration = -1;
  private rulesCache: { at: number; byOrg: Map<number, ActionRule[]> } | undefined;

  constructor(
    private readonly deps: PipelineDeps,
    private readonly options: PipelineOptions,
  ) {
    this.jobs = new JobLoop("content worker", () => this.runOnce(), options.pollMs ?? 50);
  }

  start(): void {
    this.jobs.start();
  }

  async stop(): Promise<void> {
    await this.jobs.stop();
    if (this.prefetched) await this.deps.content.release(this.prefetched.map((j) => j.id));
    this.prefetched = undefined;
  }

  /** New work was queued in this process: look now rather than at the next poll. */
  wake(): void {
    this.jobs.wake();
  }

  /** Leases and processes one batch; returns how many jobs it handled. */
  async runOnce(): Promise<number> {
    const { content } = this.deps;
    const batch = this.options.batch ?? 1000;
    // The next batch may already be leased, in the transaction that committed the last one.
    const jobs =
      this.prefetched ?? (await content.lease("content", this.options.owner, batch, this.options.leaseMs ?? 120_000));
    this.prefetched = undefined;
    return this.runJobs(jobs, jobs.length === batch);
  }

  /**
   * Items handed out by a work queue: runs those whose jobs can be leased here, and says
   * per id whether it is settled ("done": finished now or before) or must wait ("later":
   * another worker holds it, or its retry is not due).
   */
  async runItems(ids: readonly number[]): Promise<Map<number, "done" | "later">> {
    const { content } = this.deps;
    const jobs = await content.leaseRefs("content", ids, this.options.owner, this.options.leaseMs ?? 120_000);
    await this.runJobs(jobs, false);
    const open = await content.openRefs("content", ids);
    return new Map(ids.map((id) => [id, open.has(id) ? "later" : "done"]));
  }

  private async runJobs(jobs: JobRow[], prefetch: boolean): Promise<number> {
    const { content } = this.deps;
    if (jobs.length === 0) return 0;
    const items = new Map((await content.getItems(jobs.map((j) => j.ref_id))).map((i) => [i.id, i]));
    let outcomes: Outcome[] = [];
    let orphans: number[] = [];
    let chunkStart = performance.now();
    const one = async (job: JobRow): Promise<void> => {
      const item = items.get(job.ref_id);
      if (!item) {
        orphans.push(job.id);
        return;
      }
      try {
        outcomes.push(await this.process(job, item));
      } catch (error) {
        if (permanent(error) || job.attempts >= job.max_attempts) {
          const now = Date.now();
          outcomes.push({
            job,
            item,
            hashes: {},
            matches: [],
            hashedAt: now,
            matchedAt: now,
            error: describeError(error),
          });
        } else {
          await content.retryOrBury(content.db, job, describeError(error), Date.now() + 1000 * job.attempts);
        }
      }
    };
    // Media items run a few at a time (decoding overlaps hashing); texts and URLs one by one.
    // What is done is committed every 200 ms, so a big batch of images does not hold back
    // the first results.
    for (let i = 0; i < jobs.length;) {
      const media = items.get(jobs[i]!.ref_id)?.kind;
      const n = media === "image" || media === "video" ? 4 : 1;
      await Promise.all(jobs.slice(i, i + n).map(one));
      i += n;
      if (performance.now() - chunkStart > 200 && i < jobs.length) {
        await this.commit(outcomes, orphans);
        // Still working: keep the rest of the batch leased (a long video must not look abandoned).
        await content.renew(
          content.db,
          jobs.slice(i).map((j) => j.id),
          Date.now() + (this.options.leaseMs ?? 120_000),
        );
        outcomes = [];
        orphans = [];
        chunkStart = performance.now();
      }
    }
    await this.commit(outcomes, orphans, prefetch);
    return jobs.length;
  }

  private async process(job: JobRow, item: ContentRow): Promise<Outcome> {
    const { matcher, content } = this.deps;
    const visible = await this.visibleTo(item.org_id, item.person_id);
    const results: MatchResult[] = [];
    let hashes: Record<string, unknown>;
    let hashedAt = Date.now();
    if (item.kind === "text") {
      hashes = { text_chars: item.text?.length ?? 0 };
      results.push(matcher.matchText(item.text ?? "", visible));
    } else if (item.kind === "url") {
      const r = matcher.matchUrl(item.url ?? "", visible);
      hashes = { url: r.canonical, shortener: r.isShortener };
      results.push(r);
    } else {
      const media = await content.getMedia(item.id);
      if (!media) throw new Error(`item ${item.id} has no stored media`);
      const kind = item.kind === "image" ? "image" : "video";
      const types = MEDIA_SIGNAL_TYPES[kind];
      const hashed = await hashMedia(media, kind, types);
      hashes = itemHashes(hashed);
      hashedAt = Date.now();
      for (const type of types) {
        const value = hashed.values[type];
        if (value !== undefined) results.push(matcher.match(type, value, visible, { quality: hashed.pdq?.quality }));
      }
    }
    if (item.kind === "text" || item.kind === "url") hashedAt = Date.now();
    const matches = await this.describe(results.flatMap((r) => r.matches));
    const matchedAt = Date.now();
    const text = item.text?.trim();
    if (!this.deps.classifier || !text) return { job, item, hashes, matches, hashedAt, matchedAt };
    const stance = this.deps.classifier.classify(text);
    return { job, item, hashes, matches, hashedAt, matchedAt, stance, classifiedAt: Date.now() };
  }

  /** Adds what rules and readers need: labels, bank names. */
  private async describe(matches: readonly Match[]): Promise<StoredMatch[]> {
    if (matches.length === 0) return [];
    const signals = new Map((await this.deps.signals.getSignals(matches.map((m) => m.signalId))).map((s) => [s.id, s]));
    const banks = new Map((await this.deps.access.allBanks()).map((b) => [b.id, b]));
    const seen = new Set<string>();
    const out: StoredMatch[] = [];
    for (const m of matches) {
      const key = `${m.signalId}:${m.type}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const s = signals.get(m.signalId);
      const labels: Labels = s?.labels ?? { entity: [], behaviour: [], language: [] };
      out.push({
        signalId: m.signalId,
        bankId: m.bankId,
        bankName: banks.get(m.bankId)?.name ?? "?",
        tlp: banks.get(m.bankId)?.tlp ?? "RED",
        type: m.type,
        labels,
        ...matchScore(m),
        ...(m.suppressed ? { suppressed: true } : {}),
      });
    }
    return out;
  }

  /** The banks an item's submitter may match against; cached for a second. */
  private async visibleTo(orgId: number, personId: number): Promise<Set<number>> {
    const now = Date.now();
    if (now - this.visibleAt > 1000 || this.visibleGeneration !== this.deps.access.generation) {
      this.visible.clear();
      this.visibleAt = now;
      this.visibleGeneration = this.deps.access.generation;
    }
    let set = this.visible.get(personId);
    if (!set) {
      const person = await this.deps.access.store.getPerson(personId);
      set = await this.deps.access.visibleBankIds({ orgId, personId, role: person?.role ?? "submitter" });
      this.visible.set(personId, set);
    }
    return set;
  }

  private async rulesOf(orgId: number): Promise<ActionRule[]> {
    const now = Date.now();
    if (!this.rulesCache || now - this.rulesCache.at > 1000) {
      const byOrg = new Map<number, ActionRule[]>();
      for (const r of await this.deps.rules.list()) byOrg.set(r.orgId, [...(byOrg.get(r.orgId) ?? []), r]);
      this.rulesCache = { at: now, byOrg };
    }
    return this.rulesCache.byOrg.get(orgId) ?? [];
  }

  /** Forgets cached rules (after a change in this process). */
  invalidateRules(): void {
    this.rulesCache = undefined;
    this.onInvalidateRules?.();
  }

  /** Told of every invalidateRules() (to tell other threads). */
  onInvalidateRules: (() => void) | undefined;

  private async commit(outcomes: readonly Outcome[], orphans: readonly number[], prefetch = false): Promise<void> {
    const { content, metrics } = this.deps;
    const firings = new Map<number, ReturnType<typeof fire>>();
    for (const o of outcomes)
      if (!o.error) firings.set(o.item.id, fire(await this.rulesOf(o.item.org_id), o.matches, o.stance));
    const now = Date.now();
    const webhookActions: string[] = [];
    const finished: ItemOutcome[] = [];
    await content.db.transaction().execute(async (tx) => {
      for (const o of outcomes) {
        const fired = firings.get(o.item.id) ?? [];
        let pendingWebhooks = 0;
        let queuedForReview = false;
        for (const f of fired) {
          for (let i = 0; i < f.rule.actions.length; i++) {
            const a = f.rule.actions[i]!;
            const deliveryId = `msg_${o.item.id}_${f.rule.id}_${i}`;
            const done = a.type !== "webhook";
            const payload = {
              type: "content.matched",
              timestamp: new Date(o.matchedAt).toISOString(),
              data: {
                item: {
                  id: o.item.id,
                  kind: o.item.kind,
                  content_id: o.item.content_id,
                  author_id: o.item.author_id,
                  posted_at: o.item.posted_at === null ? null : new Date(Number(o.item.posted_at)).toISOString(),
                  received_at: new Date(Number(o.item.received_at)).toISOString(),
                },
                rule: { id: f.rule.id, name: f.rule.name },
                ...(o.stance ? { stance: stanceSummary(o.stance, this.deps.classifier?.version ?? "") } : {}),
                ...(a.type === "decision" ? { decision: a.decision } : {}),
                hashes: o.hashes,
                // RED is for named people: a webhook goes to the organisation, so it says only
                // how many RED matches there were.
                matches: f.matches.filter((m) => (m as StoredMatch).tlp !== "RED"),
                red_matches: f.matches.filter((m) => (m as StoredMatch).tlp === "RED").length,
              },
            };
            const row = await tx
              .insertInto("actions")
              .values({
                item_id: o.item.id,
                org_id: o.item.org_id,
                rule_id: f.rule.id,
                type: a.type,
                status: done ? "done" : "pending",
                delivery_id: deliveryId,
                target: a.type === "webhook" ? a.url : a.type === "decision" ? a.decision : "",
                payload: JSON.stringify(payload),
                attempts: 0,
                created_at: now,
                completed_at: done ? now : null,
              })
              .onConflict((oc) => oc.column("delivery_id").doNothing())
              .returning("id")
              .executeTakeFirst();
            if (!row) {
              // Already recorded by an earlier run of this job; count pending webhooks again.
              if (a.type === "review") queuedForReview = true;
              const prev = await tx
                .selectFrom("actions")
                .select("status")
                .where("delivery_id", "=", deliveryId)
                .executeTakeFirst();
              if (prev?.status === "pending") pendingWebhooks++;
              continue;
            }
            if (a.type === "webhook") {
              pendingWebhooks++;
              webhookActions.push(deliveryId);
              await content.enqueue(tx, "webhook", [row.id]);
            } else if (a.type === "review" && !queuedForReview) {
              // One review entry per item, however many rules ask for review.
              queuedForReview = true;
              await tx
                .insertInto("review_items")
                .values({
                  org_id: o.item.org_id,
                  item_id: o.item.id,
                  action_id: row.id,
                  status: "open",
                  note: "",
                  created_at: now,
                  priority: reviewPriority(o.matches, o.stance),
                })
                .onConflict((oc) => oc.column("action_id").doNothing())
                .execute();
            }
            metrics?.actions.inc({ type: a.type, status: done ? "done" : "pending" });
          }
        }
        const acted = fired.length > 0 && pendingWebhooks === 0;
        finished.push({
          id: o.item.id,
          status: o.error ? "failed" : pendingWebhooks > 0 ? "acting" : "done",
          error: o.error ?? null,
          hashes: JSON.stringify(o.hashes),
          matches: JSON.stringify(o.matches),
          hashedAt: o.hashedAt,
          matchedAt: o.matchedAt,
          actedAt: acted ? now : null,
          classifiedAt: o.classifiedAt ?? null,
        });
      }
      await content.finishItems(tx, finished);
      const classified = outcomes.filter((o) => o.stance && !o.error);
      if (classified.length)
        await content.saveClassifications(
          tx,
          classified.map((o) => ({
            itemId: o.item.id,
            model: this.deps.classifier?.version ?? "",
            label: o.stance!.label,
            score: o.stance!.score,
            pPro: o.stance!.scores.pro,
            pAnti: o.stance!.scores.anti,
            pNeutral: o.stance!.scores.neutral,
            lang: o.stance!.lang,
            behaviour: o.stance!.behaviour ?? null,
            classifiedAt: o.classifiedAt!,
          })),
        );
      await content.completeJobs(tx, [...outcomes.map((o) => o.job.id), ...orphans]);
      // Under load, lease the next batch in this same transaction: one commit (one fsync) less.
      if (prefetch)
        this.prefetched = await content.lease(
          "content",
          this.options.owner,
          this.options.batch ?? 1000,
          this.options.leaseMs ?? 120_000,
          tx,
        );
    });
    if (metrics) {
      for (const o of outcomes) {
        const received = Number(o.item.received_at);
        metrics.processed.inc({ outcome: o.error ? "failed" : o.matches.length ? "matched" : "no_match" });
        if (o.error) continue;
        metrics.step.observe({ step: "hashed" }, (o.hashedAt - received) / 1000);
        metrics.step.observe({ step: "matched" }, (o.matchedAt - received) / 1000);
        if (o.stance) {
          metrics.step.observe({ step: "classified" }, ((o.classifiedAt ?? o.matchedAt) - received) / 1000);
          metrics.classified.inc({ stance: o.stance.label, lang: o.stance.lang });
        }
        const fired = firings.get(o.item.id) ?? [];
        if (fired.length && fired.every((f) => f.rule.actions.every((a) => a.type !== "webhook")))
          metrics.step.observe({ step: "acted" }, (now - received) / 1000);
      }
    }
    if (webhookActions.length) this.onWebhooks?.();
  }

  /** Called after webhook jobs were queued (the delivery worker's wake). */
  onWebhooks: (() => void) | undefined;
}
