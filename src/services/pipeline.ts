/**
 * The worker side of hash – match – act. Leases "content" jobs in batches, hashes each item
 * (PDQ + MD5 + SHA-256 for images, vPDQ + MD5 for videos, the canonical URL, the text),
 * matches it against the banks its submitter may see, fires the organisation's action
 * rules, and commits the results, the actions, review entries and webhook jobs together
 * with the job's completion. While a batch is in hand its leases are renewed on a timer
 * (every quarter of the lease), so the lease can be short: a crash before the commit leaves
 * the jobs leased, the lease runs out within seconds, another worker reclaims and runs them,
 * producing the same action ids (so no duplicates). A job whose attempts ran out without a
 * result (its worker died every time: a poison item) is recorded as an error, not run again.
 */

import { JobLoop } from "./job-loop.js";
import { getLogger } from "../logging/logger.js";
import { describeError, isRasdError } from "../core/errors.js";
import type { Labels, Signal, SignalType, Tlp } from "../core/model.js";
import {
  fire,
  matchedBanks,
  queueReason,
  reviewPriority,
  type ActionRule,
  type MatchFacts,
  type RuleAction,
} from "../core/rules.js";
import type { StanceClassifier, StanceVerdict } from "../core/stance.js";
import type {
  ActionStore,
  Classification,
  ContentItem,
  ContentStore,
  ItemOutcome,
  Job,
  JobQueue,
  LeaseRequest,
  NewAction,
  RecordedAction,
  RuleStore,
  SignalStore,
} from "../storage/ports/index.js";
import type { AccessService } from "./access.js";
import type { Match, MatchResult, Matcher } from "./matcher.js";
import { MEDIA_SIGNAL_TYPES, matchScore } from "../signals/registry.js";
import { hashMedia, itemHashes } from "./media-hashing.js";
import type { ServiceMetrics } from "./metrics.js";
import type { LinkExpander } from "./links/expander.js";
import { LINK_ALERT_PREFIX } from "./links/liveness.js";
import { LINKS_PENDING, LinkFollowUp, type HopEvent } from "./links/follow-up.js";
import type { IncidentService, ObservedItem } from "./incidents.js";
import type { Evidence } from "../kernels/accounts/index.js";

export interface PipelineDeps {
  readonly content: ContentStore;
  readonly jobs: JobQueue;
  readonly actions: ActionStore;
  readonly rules: RuleStore;
  readonly access: AccessService;
  readonly signals: SignalStore;
  readonly matcher: Matcher;
  readonly metrics?: ServiceMetrics;
  /** Classifies the text of items (text items, and text sent with URLs, images and videos). */
  readonly classifier?: StanceClassifier;
  /**
   * Follows the links of URL and text items and matches every hop (issue 19), as a step of
   * its own after the item's direct matches were committed ("links" jobs, links/follow-up.ts);
   * absent: links are not followed.
   */
  readonly links?: LinkExpander;
  /** The crisis protocol: told of every committed item; its active incidents' matches come first. */
  readonly incidents?: Pick<IncidentService, "observe" | "activeByBank">;
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
  /** An account match's evidence (ban evasion), as the matcher found it: the reviewer sees it side by side. */
  readonly evidence?: readonly Evidence[];
}

interface Outcome {
  readonly job: Job;
  readonly item: ContentItem;
  readonly hashes: Record<string, unknown>;
  readonly matches: StoredMatch[];
  /** The item's own hashes by signal type (for the crisis protocol's variants). */
  readonly values?: Partial<Record<SignalType, string>>;
  readonly hashedAt: number;
  readonly matchedAt: number;
  readonly stance?: StanceVerdict;
  readonly classifiedAt?: number;
  readonly error?: string;
  /** The item has links to follow: a "links" job is queued with its commit. */
  readonly followLinks?: boolean;
}

/** The classifier's verdict as webhooks and item views show it. */
function stanceSummary(v: StanceVerdict, model: string): Record<string, unknown> {
  return {
    label: v.label,
    score: Math.round(v.score * 1000) / 1000,
    lang: v.lang,
    ...(v.behaviour ? { behaviour: v.behaviour } : {}),
    model,
  };
}

/** One rule that fired, with the matches that made it fire. */
type Firing = ReturnType<typeof fire>[number];

/** A job lease when none is configured (RASD_LEASE_SECONDS); renewed every quarter of it. */
const DEFAULT_LEASE_MS = 10_000;
/** The fewest jobs a worker leases at a time (when it is slow: media, or a loaded machine). */
const MIN_BATCH = 50;
/** How often a worker puts back jobs whose lease ran out. */
const RECLAIM_EVERY_MS = 1000;
/**
 * The longest the pipeline works on a batch before letting the thread's I/O run. A webhook
 * lane's slot is free again only when its answer is read, so this bounds one endpoint's
 * deliveries at about RASD_WEBHOOK_CONCURRENCY / YIELD_MS (10 ms: 800/s at 8, under the
 * 1,000/s that 10,000 items/s with 10% matching asks).
 */
const YIELD_MS = 4;

/** Errors that no retry can fix: the input itself is bad. */
function permanent(error: unknown): boolean {
  return isRasdError(error) && /^(image|video|url|file|invalid)/.test(error.code);
}

export class ContentPipeline {
  private readonly jobs: JobLoop;
  private prefetched: Job[] | undefined;
  private readonly visible = new Map<number, Set<number>>();
  private visibleAt = 0;
  private visibleGeneration = -1;
  private rulesCache: { at: number; byOrg: Map<number, ActionRule[]> } | undefined;
  private holding = false;
  /** The signals matched in the batch in hand (read once a batch, not once a match). */
  private signalsSeen = new Map<number, Signal>();
  /** Jobs per lease: about a second's work at the rate of the last batch. */
  private limit = Infinity;
  /** When this worker last put back expired leases (performance.now()). */
  private reclaimedAt = -Infinity;
  /** Follows items' links after their direct commit (decision 0038). */
  private readonly linkFollowUp: LinkFollowUp | undefined;

  constructor(
    private readonly deps: PipelineDeps,
    private readonly options: PipelineOptions,
  ) {
    this.jobs = new JobLoop("content worker", () => this.runOnce(), options.pollMs ?? 50);
    const { links } = deps;
    this.linkFollowUp = links
      ? new LinkFollowUp(
          {
            ...deps,
            links,
            visibleTo: (orgId, personId) => this.visibleTo(orgId, personId),
            rulesOf: (orgId) => this.rulesOf(orgId),
            describe: async (matches) => this.incidentFirst(await this.describe(matches)),
            payload: (event, f, a) => this.payload(event, f, a),
            onWebhooks: () => this.onWebhooks?.(),
          },
          { owner: options.owner, leaseMs: this.leaseMs, pollMs: options.pollMs ?? 50 },
        )
      : undefined;
  }

  start(): void {
    this.jobs.start();
    this.linkFollowUp?.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.jobs.stop(), this.linkFollowUp?.stop()]);
    if (this.prefetched) await this.deps.jobs.release(this.prefetched.map((j) => j.id));
    this.prefetched = undefined;
  }

  /** New work was queued in this process: look now rather than at the next poll. */
  wake(): void {
    this.jobs.wake();
  }

  /** Links jobs were queued (a hint from another process): the links worker looks now. */
  wakeLinks(): void {
    this.linkFollowUp?.wake();
  }

  /** Told of the items whose "links" job was just committed (to hint other processes). */
  onLinks: ((itemIds: readonly number[]) => void) | undefined;

  /** Runs one batch of "links" jobs now (tests; the worker runs them on its own once started). */
  followLinksOnce(): Promise<number> {
    return this.linkFollowUp?.runOnce() ?? Promise.resolve(0);
  }

  /** Looks for jobs in the database every `ms` when idle (faster while NATS is away). */
  setPollMs(ms: number): void {
    this.jobs.setPollMs(ms);
    this.linkFollowUp?.setPollMs(ms);
  }

  /** Leases and processes one batch; returns how many jobs it handled. */
  async runOnce(): Promise<number> {
    // Jobs a dead worker left are put back, at most once a second (by any worker).
    if (performance.now() - this.reclaimedAt >= RECLAIM_EVERY_MS) {
      this.reclaimedAt = performance.now();
      const n = await this.deps.jobs.reclaim("content");
      if (n > 0) getLogger("content worker").warn({ jobs: n }, "took back jobs whose lease ran out (a worker stopped)");
    }
    // The next batch may already be leased, in the transaction that committed the last one.
    // (A lease that finds nothing writes nothing, so looking again when that one found none is cheap.)
    const request = this.leaseRequest();
    const jobs = this.prefetched?.length ? this.prefetched : await this.deps.jobs.lease(request);
    this.prefetched = undefined;
    const t0 = performance.now();
    // Whatever arrived meanwhile is leased in the transaction that commits this batch: one
    // write (and one fsync) less a batch than leasing it on its own afterwards.
    const n = await this.runJobs(jobs, true);
    const seconds = (performance.now() - t0) / 1000;
    // About a second of work per lease: other workers share a backlog rather than wait behind
    // one worker's big batch, and a batch rarely lives long enough to need its lease renewed.
    if (n > 0 && seconds > 0)
      this.limit = Math.max(MIN_BATCH, Math.min(this.options.batch ?? 1000, Math.round(n / seconds)));
    return n;
  }

  /** The next batch of content jobs, as this worker leases it. */
  private leaseRequest(): LeaseRequest {
    return {
      kind: "content",
      owner: this.options.owner,
      limit: Math.min(this.limit, this.options.batch ?? 1000),
      leaseMs: this.leaseMs,
    };
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  private async runJobs(jobs: Job[], prefetch: boolean): Promise<number> {
    const { jobs: queue } = this.deps;
    if (jobs.length === 0) return 0;
    // Leased now, so accepted before now: the indexes must hold every change committed before.
    const leased = performance.now();
    if (!this.deps.matcher.fresh) return this.holdBack(jobs);
    this.holdingBack(false);
    const settled = new Set<number>();
    // The heartbeat: the jobs in hand keep their leases while this worker is alive.
    const heartbeat = setInterval(() => {
      const open = jobs.filter((j) => !settled.has(j.id)).map((j) => j.id);
      if (open.length > 0)
        queue.renew(open, this.options.owner, this.leaseMs).catch((error: unknown) => {
          getLogger("content worker").warn({ err: error }, "renewing leases failed; they may run out");
        });
    }, this.leaseMs / 4);
    try {
      await this.deps.matcher.caughtUp(leased);
      return await this.runLeased(jobs, prefetch, settled);
    } catch (error) {
      // Give back what this batch did not finish, so it runs again at once rather than
      // after the lease (best effort: if the database is away, the lease runs out).
      const open = jobs.filter((j) => !settled.has(j.id)).map((j) => j.id);
      await queue.release(open).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async runLeased(jobs: Job[], prefetch: boolean, settled: Set<number>): Promise<number> {
    const { content, jobs: queue } = this.deps;
    const items = new Map((await content.getItems(jobs.map((j) => j.refId))).map((i) => [i.id, i]));
    this.signalsSeen = new Map();
    let outcomes: Outcome[] = [];
    let orphans: number[] = [];
    let chunkStart = performance.now();
    const one = async (job: Job): Promise<void> => {
      const item = items.get(job.refId);
      if (!item) {
        orphans.push(job.id);
        return;
      }
      if (job.attempts > job.maxAttempts) {
        // Every attempt ended with its worker gone (reclaimed): recorded, not tried again.
        const now = Date.now();
        const error = `gave up after ${job.maxAttempts} attempts: each ended without a result (its worker stopped)`;
        getLogger("content worker").error({ item: item.id, attempts: job.attempts - 1 }, error);
        outcomes.push({ job, item, hashes: {}, matches: [], hashedAt: now, matchedAt: now, error });
        return;
      }
      try {
        outcomes.push(await this.process(job, item));
      } catch (error) {
        if (permanent(error) || job.attempts >= job.maxAttempts) {
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
          await queue.retryOrBury(job, describeError(error), Date.now() + 1000 * job.attempts);
          settled.add(job.id);
        }
      }
    };
    // Media items run a few at a time (decoding overlaps hashing); texts and URLs one by one.
    // What is done is committed every 200 ms, so a big batch of images does not hold back
    // the first results.
    let yieldAt = performance.now() + YIELD_MS;
    for (let i = 0; i < jobs.length;) {
      const next = items.get(jobs[i]!.refId);
      const media = next?.kind;
      const n = media === "image" || media === "video" ? 4 : 1;
      await Promise.all(jobs.slice(i, i + n).map(one));
      i += n;
      if (performance.now() >= yieldAt) {
        // Texts and URLs are matched without I/O: let the thread's other work run between
        // them (webhook answers, the matcher's sync), or a webhook's round trip lasts as long as a batch.
        await new Promise((resolve) => setImmediate(resolve));
        yieldAt = performance.now() + YIELD_MS;
      }
      if (performance.now() - chunkStart > 200 && i < jobs.length) {
        await this.commit(outcomes, orphans);
        for (const o of outcomes) settled.add(o.job.id);
        for (const id of orphans) settled.add(id);
        outcomes = [];
        orphans = [];
        chunkStart = performance.now();
      }
    }
    await this.commit(outcomes, orphans, prefetch);
    return jobs.length;
  }

  /**
   * The indexes are not keeping up with signal changes (stopped, or neither notices nor
   * polls arrive): an answer now could miss a signal just added or act on one just
   * retracted, so the jobs go back to the queue untouched and wait.
   */
  private async holdBack(jobs: readonly Job[]): Promise<number> {
    this.holdingBack(true);
    await this.deps.jobs.release(jobs.map((j) => j.id));
    return 0;
  }

  private holdingBack(holding: boolean): void {
    if (holding === this.holding) return;
    this.holding = holding;
    const log = getLogger("content worker");
    if (holding) log.warn("the match indexes are not following signal changes; content jobs wait until they are");
    else log.info("the match indexes follow signal changes again; content jobs run");
  }

  private async process(job: Job, item: ContentItem): Promise<Outcome> {
    const { matcher, content } = this.deps;
    const visible = await this.visibleTo(item.orgId, item.personId);
    const results: MatchResult[] = [];
    let values: Partial<Record<SignalType, string>> = {};
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
      hashes = {};
    }
    // Links are followed after this item's direct matches are committed and acted on, as a
    // "links" job of their own (links/follow-up.ts): no network is waited on here.
    const followLinks =
      (item.kind === "text" || item.kind === "url") && (this.deps.links?.targets(item).length ?? 0) > 0;
    if (followLinks) hashes = { ...hashes, [LINKS_PENDING]: true };
    if (item.kind === "image" || item.kind === "video") {
      const media = await content.getMedia(item.id);
      if (!media) throw new Error(`item ${item.id} has no stored media`);
      const kind = item.kind === "image" ? "image" : "video";
      const types = MEDIA_SIGNAL_TYPES[kind];
      const hashed = await hashMedia(media, kind, types);
      hashes = itemHashes(hashed);
      values = hashed.values;
      hashedAt = Date.now();
      for (const type of types) {
        const value = hashed.values[type];
        if (value !== undefined) results.push(matcher.match(type, value, visible, { quality: hashed.pdq?.quality }));
      }
    }
    if (item.kind === "text" || item.kind === "url") hashedAt = Date.now();
    // The author account: ban evasion, matched like any signal (rules and webhooks act on it).
    if (item.author) results.push(matcher.match("account", item.author, visible));
    const matches = await this.incidentFirst(await this.describe(results.flatMap((r) => r.matches)));
    const matchedAt = Date.now();
    const text = item.text?.trim();
    const base = { job, item, hashes, matches, values, hashedAt, matchedAt, ...(followLinks ? { followLinks } : {}) };
    if (!this.deps.classifier || !text) return base;
    const stance = await this.deps.classifier.classify(text);
    return { ...base, stance, classifiedAt: Date.now() };
  }

  /** During an incident, matches of its bank come first (stored, sent and shown first). */
  private async incidentFirst(matches: StoredMatch[]): Promise<StoredMatch[]> {
    if (!this.deps.incidents || matches.length < 2) return matches;
    const banks = await this.deps.incidents.activeByBank();
    if (banks.size === 0) return matches;
    return [...matches.filter((m) => banks.has(m.bankId)), ...matches.filter((m) => !banks.has(m.bankId))];
  }

  /** Adds what rules and readers need: labels, bank names. */
  private async describe(matches: readonly Match[]): Promise<StoredMatch[]> {
    if (matches.length === 0) return [];
    const signals = this.signalsSeen;
    const missing = [...new Set(matches.map((m) => m.signalId))].filter((id) => !signals.has(id));
    if (missing.length > 0) for (const s of await this.deps.signals.getSignals(missing)) signals.set(s.id, s);
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
        ...(m.type === "account" ? { evidence: m.evidence } : {}),
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

  /**
   * Fires the rules on finished outcomes and records everything in one transaction: the
   * actions (with their webhook jobs and review entries), the items, the classifications,
   * the jobs' completion and, under load, the next lease.
   */
  private async commit(outcomes: readonly Outcome[], orphans: readonly number[], prefetch = false): Promise<void> {
    const firings = await this.fireRules(outcomes);
    const now = Date.now();
    const { recorded, leased } = await this.deps.actions.commitResults({
      actions: this.plannedActions(outcomes, firings),
      finish: (recorded) => this.itemOutcomes(outcomes, firings, recorded, now),
      classifications: this.classifications(outcomes),
      completedJobs: [...outcomes.map((o) => o.job.id), ...orphans],
      followLinks: outcomes.filter((o) => !o.error && o.followLinks).map((o) => o.item.id),
      ...(prefetch ? { leaseNext: this.leaseRequest() } : {}),
      now,
    });
    const followed = outcomes.filter((o) => !o.error && o.followLinks).map((o) => o.item.id);
    if (followed.length > 0) {
      this.linkFollowUp?.wake();
      // Other processes' links workers too (a NATS hint; decision 0041).
      this.onLinks?.(followed);
    }
    if (prefetch) this.prefetched = [...leased];
    this.observe(outcomes, firings, recorded, now);
    if (this.deps.incidents) await this.deps.incidents.observe(this.observed(outcomes, firings), now);
    if (recorded.some((r) => r.created && r.type === "webhook")) this.onWebhooks?.();
  }

  /** The rules each successful outcome fired. */
  private async fireRules(outcomes: readonly Outcome[]): Promise<Map<number, Firing[]>> {
    const firings = new Map<number, Firing[]>();
    for (const o of outcomes)
      if (!o.error) firings.set(o.item.id, fire(await this.rulesOf(o.item.orgId), o.matches, o.stance));
    return firings;
  }

  /** Every action the rules fired, in order; the delivery id makes a rerun record nothing new. */
  private plannedActions(outcomes: readonly Outcome[], firings: ReadonlyMap<number, Firing[]>): NewAction[] {
    const out: NewAction[] = [];
    for (const o of outcomes)
      for (const f of firings.get(o.item.id) ?? [])
        f.rule.actions.forEach((a, i) =>
          out.push({
            itemId: o.item.id,
            orgId: o.item.orgId,
            ruleId: f.rule.id,
            actionIndex: i,
            type: a.type,
            deliveryId: `msg_${o.item.id}_${f.rule.id}_${i}`,
            target: a.type === "webhook" ? a.url : a.type === "decision" ? a.decision : "",
            payload: JSON.stringify(this.payload(o, f, a)),
            ...(a.type === "review"
              ? {
                  reviewPriority: reviewPriority(o.matches, o.stance),
                  reviewReason: queueReason(f.matches),
                  reviewBanks: matchedBanks(o.matches),
                }
              : {}),
          }),
        );
    return out;
  }

  /** The `content.matched` event an action carries (and a webhook sends). */
  private payload(o: Outcome | HopEvent, f: Firing, a: RuleAction): Record<string, unknown> {
    // An item rasd submitted to alert a member of a live banked link on its domain (links/liveness.ts).
    const alert = o.item.contentId.startsWith(LINK_ALERT_PREFIX);
    return {
      type: alert ? "link.alert" : "content.matched",
      timestamp: new Date(o.matchedAt).toISOString(),
      data: {
        item: {
          id: o.item.id,
          kind: o.item.kind,
          content_id: o.item.contentId,
          author_id: o.item.authorId,
          posted_at: o.item.postedAt === null ? null : new Date(o.item.postedAt).toISOString(),
          received_at: new Date(o.item.receivedAt).toISOString(),
        },
        rule: { id: f.rule.id, name: f.rule.name },
        // Matches found behind the item's links, after its direct ones (decision 0038).
        ...("job" in o ? {} : { via: "links" }),
        ...(o.stance ? { stance: stanceSummary(o.stance, this.deps.classifier?.version ?? "") } : {}),
        ...(a.type === "decision" ? { decision: a.decision } : {}),
        hashes: o.hashes,
        // RED is for named people: a webhook goes to the organisation, so it says only
        // how many RED matches there were.
        matches: f.matches.filter((m) => (m as StoredMatch).tlp !== "RED"),
        red_matches: f.matches.filter((m) => (m as StoredMatch).tlp === "RED").length,
      },
    };
  }

  /** Each item's final state: acting while a webhook of it is pending, else done (or failed). */
  private itemOutcomes(
    outcomes: readonly Outcome[],
    firings: ReadonlyMap<number, Firing[]>,
    recorded: readonly RecordedAction[],
    now: number,
  ): ItemOutcome[] {
    const pending = new Map<number, number>();
    for (const r of recorded) if (r.status === "pending") pending.set(r.itemId, (pending.get(r.itemId) ?? 0) + 1);
    return outcomes.map((o) => {
      const waiting = pending.get(o.item.id) ?? 0;
      const acted = (firings.get(o.item.id) ?? []).length > 0 && waiting === 0;
      return {
        id: o.item.id,
        status: o.error ? "failed" : waiting > 0 ? "acting" : "done",
        error: o.error ?? null,
        hashes: JSON.stringify(o.hashes),
        matches: JSON.stringify(o.matches),
        hashedAt: o.hashedAt,
        matchedAt: o.matchedAt,
        actedAt: acted ? now : null,
        classifiedAt: o.classifiedAt ?? null,
      };
    });
  }

  /** What the crisis protocol is told of a committed batch: the items with matches. */
  private observed(outcomes: readonly Outcome[], firings: ReadonlyMap<number, Firing[]>): ObservedItem[] {
    return outcomes
      .filter((o) => !o.error && o.matches.length > 0)
      .map((o) => ({
        item: o.item,
        matches: o.matches,
        values: o.values ?? {},
        matchedAt: o.matchedAt,
        acted: (firings.get(o.item.id) ?? []).some((f) => f.rule.actions.some((a) => a.type !== "review")),
      }));
  }

  /** The classifier's verdicts to store. */
  private classifications(outcomes: readonly Outcome[]): Classification[] {
    const model = this.deps.classifier?.version ?? "";
    return outcomes.flatMap((o) =>
      o.stance && !o.error
        ? [
            {
              itemId: o.item.id,
              model,
              label: o.stance.label,
              score: o.stance.score,
              pPro: o.stance.scores.pro,
              pAnti: o.stance.scores.anti,
              pNeutral: o.stance.scores.neutral,
              lang: o.stance.lang,
              behaviour: o.stance.behaviour ?? null,
              classifiedAt: o.classifiedAt!,
            },
          ]
        : [],
    );
  }

  /** Counts what was done and how long each step took. */
  private observe(
    outcomes: readonly Outcome[],
    firings: ReadonlyMap<number, Firing[]>,
    recorded: readonly RecordedAction[],
    now: number,
  ): void {
    const { metrics } = this.deps;
    if (!metrics) return;
    for (const r of recorded)
      if (r.created) metrics.actions.inc({ type: r.type, status: r.type === "webhook" ? "pending" : "done" });
    // Counted once a batch and observed through each label's child: prom-client finds a
    // series by its labels on every call, a few µs an item at 5 calls an item (decision 0050).
    const processed = { failed: 0, matched: 0, no_match: 0 };
    const classified = new Map<string, { stance: string; lang: string; n: number }>();
    const hashed = metrics.step.labels({ step: "hashed" });
    const matched = metrics.step.labels({ step: "matched" });
    const classifiedStep = metrics.step.labels({ step: "classified" });
    const acted = metrics.step.labels({ step: "acted" });
    for (const o of outcomes) {
      const received = o.item.receivedAt;
      processed[o.error ? "failed" : o.matches.length ? "matched" : "no_match"]++;
      if (o.error) continue;
      hashed.observe((o.hashedAt - received) / 1000);
      matched.observe((o.matchedAt - received) / 1000);
      if (o.stance) {
        classifiedStep.observe(((o.classifiedAt ?? o.matchedAt) - received) / 1000);
        const key = `${o.stance.label}\u0000${o.stance.lang}`;
        const c = classified.get(key);
        if (c) c.n++;
        else classified.set(key, { stance: o.stance.label, lang: o.stance.lang, n: 1 });
      }
      const fired = firings.get(o.item.id) ?? [];
      if (fired.length && fired.every((f) => f.rule.actions.every((a) => a.type !== "webhook")))
        acted.observe((now - received) / 1000);
    }
    for (const outcome of ["failed", "matched", "no_match"] as const)
      if (processed[outcome] > 0) metrics.processed.inc({ outcome }, processed[outcome]);
    for (const c of classified.values()) metrics.classified.inc({ stance: c.stance, lang: c.lang }, c.n);
  }

  /** Called after webhook jobs were queued (the delivery worker's wake). */
  onWebhooks: (() => void) | undefined;
}
