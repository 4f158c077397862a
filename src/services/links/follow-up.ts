/**
 * Following an item's links as a step of its own (issue 19, decision 0038). The content
 * worker matches a URL or text item directly — the URL itself, the text's own matches, the
 * author, the stance — fires the rules and commits, without waiting on any network; in that
 * same transaction it queues a "links" job for the item when it has links to follow. This
 * worker leases those jobs, follows the links hop by hop (expander.ts: a slow or silent host
 * costs this step its time limit, never the item's direct actions), matches every hop after
 * the first, and commits, with the job's completion:
 *
 * - the item's hashes with `links` (the chains, as before) in place of `links_pending`;
 * - its matches: the direct ones, then those found only through a hop;
 * - the actions of every rule the hop matches meet, with delivery ids of their own
 *   (`msg_<item>_<rule>_<index>_links`) and events marked `"via": "links"` that carry only
 *   the hop matches — so a rule that already fired on the direct matches fires once more,
 *   for what was found behind the link, and a rerun of the job records nothing twice.
 *
 * A kill at any point loses nothing: the job is in the database from the direct commit on;
 * a worker that dies holding it lets its lease run out, and the job runs again.
 */

import { describeError } from "../../core/errors.js";
import {
  fire,
  matchedBanks,
  reviewPriority,
  type ActionRule,
  type MatchFacts,
  type RuleAction,
} from "../../core/rules.js";
import type { StanceVerdict } from "../../core/stance.js";
import { getLogger } from "../../logging/logger.js";
import type {
  ActionStore,
  ContentItem,
  ContentStore,
  Job,
  JobQueue,
  LinkedItem,
  NewAction,
} from "../../storage/ports/index.js";
import type { IncidentService, ObservedItem } from "../incidents.js";
import { JobLoop } from "../job-loop.js";
import type { Match, Matcher } from "../matcher.js";
import type { LinkExpander } from "./expander.js";

/** What a hop's firing sends: the item, its hashes (with links), the hop matches that met the rule. */
export interface HopEvent {
  readonly item: ContentItem;
  readonly hashes: Record<string, unknown>;
  readonly matches: readonly MatchFacts[];
  readonly matchedAt: number;
  readonly stance?: StanceVerdict;
}

/** One rule that fired on hop matches. */
export type HopFiring = ReturnType<typeof fire>[number];

export interface LinkFollowUpDeps {
  readonly content: ContentStore;
  readonly jobs: JobQueue;
  readonly actions: ActionStore;
  readonly matcher: Matcher;
  readonly links: LinkExpander;
  /** The banks the item's submitter may match against (the content worker's, cached). */
  visibleTo(orgId: number, personId: number): Promise<Set<number>>;
  /** The organisation's rules (the content worker's, cached). */
  rulesOf(orgId: number): Promise<readonly ActionRule[]>;
  /** Matches as stored with the item (labels, bank names, incident banks first). */
  describe(matches: readonly Match[]): Promise<MatchFacts[]>;
  /** The event an action fired by a hop match carries (the content worker's `content.matched`). */
  payload(event: HopEvent, firing: HopFiring, action: RuleAction): Record<string, unknown>;
  /** Called after webhook jobs were queued. */
  onWebhooks?: () => void;
  /**
   * The crisis protocol: told of the hop matches as the content worker tells it of direct
   * ones, so a match behind a link counts on an incident's timeline and debrief (decision 0041).
   */
  readonly incidents?: Pick<IncidentService, "observe">;
}

export interface LinkFollowUpOptions {
  readonly owner: string;
  readonly leaseMs: number;
  readonly pollMs: number;
}

/** Items whose links are followed at once by one worker (each waits on other hosts). */
const CONCURRENCY = 4;
/** Jobs leased at a time. */
const BATCH = 16;
/** How often a worker puts back "links" jobs whose lease ran out. */
const RECLAIM_EVERY_MS = 1000;

/** Marks an item's hashes while its links wait to be followed. */
export const LINKS_PENDING = "links_pending";
/**
 * Marks an item's hashes when its links could not be followed: its "links" job used up its
 * attempts (`{ error, attempts, at }`; decision 0041). A terminal state, in place of
 * `links_pending`: the item keeps its direct matches and actions.
 */
export const LINKS_FAILED = "links_failed";

/** What `hashes.links_failed` holds. */
export interface LinksFailed {
  /** The last attempt's error. */
  readonly error: string;
  readonly attempts: number;
  /** When rasd gave up (ISO 8601). */
  readonly at: string;
}

/** The delivery id of a hop firing's action: distinct from the direct firing's (`msg_<item>_<rule>_<index>`). */
export function hopDeliveryId(itemId: number, ruleId: number, index: number): string {
  return `msg_${itemId}_${ruleId}_${index}_links`;
}

export class LinkFollowUp {
  private readonly loop: JobLoop;
  private reclaimedAt = -Infinity;
  private readonly log = getLogger("links worker");

  constructor(
    private readonly deps: LinkFollowUpDeps,
    private readonly options: LinkFollowUpOptions,
  ) {
    this.loop = new JobLoop("links worker", () => this.runOnce(), options.pollMs);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Links jobs were queued in this process: look now. */
  wake(): void {
    this.loop.wake();
  }

  setPollMs(ms: number): void {
    this.loop.setPollMs(ms);
  }

  /** Leases and runs one batch of "links" jobs; returns how many it handled. */
  async runOnce(): Promise<number> {
    const { jobs: queue, matcher } = this.deps;
    if (performance.now() - this.reclaimedAt >= RECLAIM_EVERY_MS) {
      this.reclaimedAt = performance.now();
      const n = await queue.reclaim("links");
      if (n > 0) this.log.warn({ jobs: n }, "took back links jobs whose lease ran out (a worker stopped)");
    }
    const jobs = await queue.lease({
      kind: "links",
      owner: this.options.owner,
      limit: BATCH,
      leaseMs: this.options.leaseMs,
    });
    if (jobs.length === 0) return 0;
    const leased = performance.now();
    // As for content jobs: an answer while the indexes lag could miss a signal just added.
    if (!matcher.fresh) {
      await queue.release(jobs.map((j) => j.id));
      return 0;
    }
    const open = new Set(jobs.map((j) => j.id));
    const heartbeat = setInterval(() => {
      if (open.size > 0)
        queue.renew([...open], this.options.owner, this.options.leaseMs).catch((error: unknown) => {
          this.log.warn({ err: error }, "renewing leases failed; they may run out");
        });
    }, this.options.leaseMs / 4);
    try {
      await matcher.caughtUp(leased);
      const items = new Map((await this.deps.content.getItems(jobs.map((j) => j.refId))).map((i) => [i.id, i]));
      // A job leased more often than it may run: its workers died while following the item's
      // links (each death counts an attempt when the lease runs out). It is not run again.
      for (const job of jobs.filter((j) => j.attempts > j.maxAttempts)) {
        const error =
          `the links worker stopped ${job.attempts - 1} times while following this item's links (its lease ran out)` +
          (job.lastError ? `; last error: ${job.lastError}` : "");
        await this.giveUp(job, items.get(job.refId), error);
        open.delete(job.id);
      }
      const runnable = jobs.filter((j) => open.has(j.id));
      for (let i = 0; i < runnable.length; i += CONCURRENCY)
        await Promise.all(
          runnable.slice(i, i + CONCURRENCY).map(async (job) => {
            await this.runJob(job, items.get(job.refId));
            open.delete(job.id);
          }),
        );
    } catch (error) {
      await queue.release([...open]).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
    return jobs.length;
  }

  private async runJob(job: Job, item: ContentItem | undefined): Promise<void> {
    const { jobs: queue, actions } = this.deps;
    try {
      if (!item) {
        await actions.commitResults({
          actions: [],
          finish: () => [],
          classifications: [],
          completedJobs: [job.id],
          now: Date.now(),
        });
        return;
      }
      const { linked, planned, observed } = await this.follow(item);
      const now = Date.now();
      const { recorded } = await actions.commitResults({
        actions: planned,
        finish: () => [],
        classifications: [],
        completedJobs: [job.id],
        linked: [linked],
        now,
      });
      if (recorded.some((r) => r.created && r.type === "webhook")) this.deps.onWebhooks?.();
      // As the content worker does after its commit (observe never throws).
      if (observed && this.deps.incidents) await this.deps.incidents.observe([observed], now);
    } catch (error) {
      if (job.attempts >= job.maxAttempts && item) {
        await this.giveUp(job, item, describeError(error));
        return;
      }
      const fate = await queue.retryOrBury(job, describeError(error), Date.now() + 1000 * job.attempts);
      this.log.warn({ item: job.refId, err: describeError(error), fate }, "following an item's links failed");
    }
  }

  /**
   * The job has used up its attempts: it is marked dead with `error`, and the item's hashes
   * say `links_failed` in place of `links_pending`, in one transaction. Should that commit
   * fail too (the database away), the job is buried as any other and the item keeps
   * `links_pending`.
   */
  private async giveUp(job: Job, item: ContentItem | undefined, error: string): Promise<void> {
    const { jobs: queue, actions } = this.deps;
    try {
      const linked: LinkedItem[] = [];
      if (item) {
        const hashes: Record<string, unknown> = { ...parseObject(item.hashes) };
        delete hashes[LINKS_PENDING];
        const failed: LinksFailed = { error, attempts: job.attempts, at: new Date().toISOString() };
        hashes[LINKS_FAILED] = failed;
        linked.push({ id: item.id, hashes: JSON.stringify(hashes), matches: item.matches });
      }
      await actions.commitResults({
        actions: [],
        finish: () => [],
        classifications: [],
        completedJobs: [],
        buriedJobs: [{ id: job.id, error }],
        linked,
        now: Date.now(),
      });
      this.log.error({ item: job.refId, err: error, attempts: job.attempts }, "gave up following an item's links");
    } catch (failure) {
      const fate = await queue.retryOrBury(job, error, Date.now() + 1000 * job.attempts);
      this.log.error(
        { item: job.refId, err: error, fate, failure: describeError(failure) },
        "giving up on an item's links failed",
      );
    }
  }

  /** Follows the item's links; returns what to write to it and the actions hop matches fire. */
  private async follow(
    item: ContentItem,
  ): Promise<{ linked: LinkedItem; planned: NewAction[]; observed?: ObservedItem }> {
    const { matcher, links } = this.deps;
    const visible = await this.deps.visibleTo(item.orgId, item.personId);
    const expanded = await links.expandItem(item, (url) => matcher.matchUrl(url, visible));
    const direct = parseMatches(item.matches);
    const seen = new Set(direct.map(matchKey));
    const hop = (await this.deps.describe(expanded.results.flatMap((r) => r.matches))).filter(
      (m) => !seen.has(matchKey(m)),
    );
    const hashes: Record<string, unknown> = { ...parseObject(item.hashes) };
    delete hashes[LINKS_PENDING];
    delete hashes[LINKS_FAILED];
    if (expanded.links.length > 0) hashes.links = expanded.links;
    const matchedAt = Date.now();
    const linked: LinkedItem = {
      id: item.id,
      hashes: JSON.stringify(hashes),
      matches: JSON.stringify([...direct, ...hop]),
    };
    if (hop.length === 0) return { linked, planned: [] };
    const stance = await this.stanceOf(item);
    // Only rules the hop matches meet: a rule that fires on stance alone fired with the direct step.
    const firings = fire(await this.deps.rulesOf(item.orgId), hop, stance).filter((f) => f.matches.length > 0);
    const event: HopEvent = { item, hashes, matches: hop, matchedAt, ...(stance ? { stance } : {}) };
    // One review entry per item: an item already sent to review is not sent again (its entry
    // shows the item, whose matches now include the hop ones).
    const inReview =
      firings.some((f) => f.rule.actions.some((a) => a.type === "review")) &&
      (await this.deps.actions.actionsOf([item.id])).some((a) => a.type === "review");
    const planned: NewAction[] = [];
    for (const f of firings)
      f.rule.actions.forEach((a, i) => {
        if (a.type === "review" && inReview) return;
        planned.push({
          itemId: item.id,
          orgId: item.orgId,
          ruleId: f.rule.id,
          actionIndex: i,
          type: a.type,
          deliveryId: hopDeliveryId(item.id, f.rule.id, i),
          target: a.type === "webhook" ? a.url : a.type === "decision" ? a.decision : "",
          payload: JSON.stringify(this.deps.payload(event, f, a)),
          ...(a.type === "review"
            ? {
                reviewPriority: reviewPriority(hop, stance),
                reviewReason: "link" as const,
                reviewBanks: matchedBanks(hop),
              }
            : {}),
        });
      });
    // The crisis protocol counts a hop match as a direct one: a `match` event (and an `action`
    // when a rule other than review fired on it), as ContentPipeline.observed says.
    const observed: ObservedItem = {
      item,
      matches: hop,
      values: {},
      matchedAt,
      acted: firings.some((f) => f.rule.actions.some((a) => a.type !== "review")),
    };
    return { linked, planned, observed };
  }

  /** The stance the content worker stored for the item (rules with stance conditions need it). */
  private async stanceOf(item: ContentItem): Promise<StanceVerdict | undefined> {
    const c = await this.deps.content.classificationOf(item.id);
    if (!c) return undefined;
    return {
      label: c.label as StanceVerdict["label"],
      score: c.score,
      scores: { pro: c.pPro, anti: c.pAnti, neutral: c.pNeutral },
      lang: c.lang,
      ...(c.behaviour ? { behaviour: c.behaviour } : {}),
    };
  }
}

function matchKey(m: MatchFacts): string {
  return `${m.signalId}:${m.type}`;
}

function parseMatches(json: string): MatchFacts[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as MatchFacts[]) : [];
  } catch {
    return [];
  }
}

function parseObject(json: string): Record<string, unknown> {
  try {
    const v = JSON.parse(json) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
