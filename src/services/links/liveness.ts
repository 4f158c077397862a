/**
 * Banked links checked again and again, in the workers (issue 19). Each round:
 *   1. now and then, every active URL signal's canonical URL is enrolled (once per URL);
 *   2. links due are leased — at most one per host, none on a host another worker asked
 *      within `hostGapMs` or that answered 429 with a Retry-After (the store paces hosts
 *      for every worker) — so many workers never check one link twice nor hammer one host;
 *   3. each is followed (follow.ts: every hop recorded) and its verdict recorded: online,
 *      removed (404, 410, 451 or a platform's "removed" page) or error; the next check comes
 *      after `checkHours` ±10% jitter, or after an error sooner, doubling with each error in a
 *      row (never later than the normal interval);
 *   4. a link found online on a domain a member lists as its own is alerted to that member,
 *      once (TCAP-style): the alert travels as a content item rasd submits on the member's
 *      behalf, so the member's own rules and signed webhooks carry it (event `link.alert`)
 *      and TLP holds (no alert unless the member may see a bank holding the URL).
 * The first check that finds a link removed is its takedown time (bounded by the check
 * before it); measure.ts turns these into figures.
 */

import { RasdError, describeError, isRasdError } from "../../core/errors.js";
import { canonicalizeUrl, hasRemovedPage, hostSuffixes, type ShortenerSet } from "../../kernels/url/index.js";
import { getLogger } from "../../logging/logger.js";
import type {
  Accepted,
  CheckResult,
  Link,
  LinkStore,
  NewContent,
  OrgDomain,
  SignalStore,
} from "../../storage/ports/index.js";
import type { AccessService } from "../access.js";
import { chainStatus, followChain, type Chain, type LinkHttp } from "./follow.js";

export interface LivenessOptions {
  readonly owner: string;
  readonly checkMs: number;
  readonly hostGapMs: number;
  readonly concurrency: number;
  /** How often the banked URLs are enrolled again (default 5 minutes). */
  readonly enrolEveryMs?: number;
  /** First retry after an error (default 5 minutes), doubling per error in a row. */
  readonly errorBaseMs?: number;
  readonly leaseMs?: number;
  readonly pollMs?: number;
  /** Jitter source (tests fix it); default Math.random. */
  readonly random?: () => number;
}

export interface LivenessDeps {
  readonly links: LinkStore;
  readonly signals: SignalStore;
  readonly access: AccessService;
  readonly http: LinkHttp;
  readonly shorteners: ShortenerSet;
  /** Submits the content item an alert travels as (the submission batcher). */
  readonly submit: (item: NewContent) => Promise<Accepted | RasdError>;
}

/** The content id of an alert's item: how the pipeline knows to send `link.alert`. */
export const LINK_ALERT_PREFIX = "rasd-link-alert:";

const DEFAULT_LEASE_MS = 120_000;
const JITTER = 0.1;
const DOMAINS_TTL_MS = 10_000;

export class LinkLiveness {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private enrolledAt = -Infinity;
  private domains: { at: number; list: OrgDomain[] } | undefined;
  private readonly log = getLogger("links");

  constructor(
    private readonly deps: LivenessDeps,
    private readonly options: LivenessOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round()
        .catch((error: unknown) => {
          this.log.warn({ err: describeError(error) }, "link check round failed");
          return 0;
        })
        .then((n) => {
          this.running = undefined;
          // Work left: go on at once (the hosts' pace is the store's); none: wait.
          this.schedule(n > 0 ? 0 : (this.options.pollMs ?? 1000));
        });
    }, ms);
    this.timer.unref();
  }

  /** Adds every active URL signal's canonical URL not enrolled yet; returns how many. */
  async enrol(now = Date.now()): Promise<number> {
    this.enrolledAt = now;
    let added = 0;
    for await (const page of this.deps.signals.activeSignalPages(1000, ["url"])) {
      const links = page.flatMap((s) => {
        try {
          return [{ url: s.value, host: canonicalizeUrl(s.value).host }];
        } catch {
          return [];
        }
      });
      added += await this.deps.links.enrol(links, now);
    }
    return added;
  }

  /** One round: enrol when due, lease the links due, check them; returns how many were checked. */
  async round(now = Date.now()): Promise<number> {
    if (now - this.enrolledAt >= (this.options.enrolEveryMs ?? 300_000)) await this.enrol(now);
    const leased = await this.deps.links.leaseDue({
      owner: this.options.owner,
      now,
      leaseMs: this.options.leaseMs ?? DEFAULT_LEASE_MS,
      limit: this.options.concurrency,
      hostGapMs: this.options.hostGapMs,
    });
    await Promise.all(leased.map((l) => this.checkLeased(l)));
    return leased.length;
  }

  /** Checks link `id` now, whatever its schedule (the CLI, the API); "conflict" while another worker holds it. */
  async checkNow(id: number): Promise<Link> {
    const leased = await this.deps.links.leaseOne(
      id,
      this.options.owner,
      Date.now(),
      this.options.leaseMs ?? DEFAULT_LEASE_MS,
    );
    if (!leased) {
      if (!(await this.deps.links.get(id))) throw new RasdError("not_found", `no link with id ${id}`);
      throw new RasdError("conflict", `link ${id} is being checked by another worker`);
    }
    await this.checkLeased(leased);
    return (await this.deps.links.get(id))!;
  }

  private async checkLeased(link: Link): Promise<void> {
    let chain: Chain;
    try {
      chain = await followChain(link.url, this.deps.http, {
        shorteners: this.deps.shorteners,
        readFinal: (host) => hasRemovedPage(host),
      });
    } catch (error) {
      chain = { hops: [], finalUrl: null, error: describeError(error), finalStatus: null };
    }
    const checkedAt = Date.now();
    const { status, detail } = chainStatus(chain);
    const failures = status === "error" ? link.failures + 1 : 0;
    const result: CheckResult = {
      checkedAt,
      status,
      httpStatus: chain.finalStatus,
      detail,
      hops: chain.hops,
      finalUrl: chain.finalUrl,
      nextCheckAt: checkedAt + this.nextDelay(failures, chain.retryAfterMs),
      ...(chain.retryAfterMs !== undefined ? { hostNotBefore: checkedAt + chain.retryAfterMs } : {}),
    };
    const kept = await this.deps.links.recordCheck(link.id, this.options.owner, result);
    if (!kept) {
      this.log.warn({ link: link.id }, "a link check outlived its lease; another worker records it");
      return;
    }
    if (status === "online") await this.alert(link, checkedAt);
  }

  /** The delay before the next check: the interval ±10%, or after errors a doubling back-off (and a host's Retry-After). */
  nextDelay(failures: number, retryAfter?: number): number {
    const random = this.options.random ?? Math.random;
    const jitter = 1 + JITTER * (2 * random() - 1);
    const interval = this.options.checkMs;
    const base = this.options.errorBaseMs ?? 300_000;
    const wait = failures === 0 ? interval : Math.min(interval, base * 2 ** Math.min(failures - 1, 30));
    return Math.round(Math.max(wait, retryAfter ?? 0) * jitter);
  }

  /** The member that lists the link's host (or a parent domain) as its own; the longest domain wins. */
  async hostOwner(host: string): Promise<OrgDomain | undefined> {
    const now = Date.now();
    if (!this.domains || now - this.domains.at > DOMAINS_TTL_MS)
      this.domains = { at: now, list: await this.deps.links.listDomains() };
    const byDomain = new Map(this.domains.list.map((d) => [d.domain, d]));
    for (const suffix of hostSuffixes(host)) {
      const d = byDomain.get(suffix);
      if (d) return d;
    }
    return undefined;
  }

  /** Forgets the cached domains (after a change in this process). */
  forgetDomains(): void {
    this.domains = undefined;
  }

  /** Alerts the member hosting a live banked link, once, if it may see a bank holding it. */
  private async alert(link: Link, at: number): Promise<void> {
    const owner = await this.hostOwner(link.host);
    if (!owner) return;
    const people = await this.deps.access.store.listPeople(owner.orgId);
    // The alert is submitted as the member's admin (or its first person): its visible banks decide.
    const person = people.find((p) => p.role === "admin") ?? people[0];
    if (!person) {
      this.log.warn(
        { org: owner.orgId, link: link.id },
        "a live banked link is on a member's domain, but the member has no one to alert",
      );
      return;
    }
    const visible = await this.deps.access.visibleBankIds({
      orgId: owner.orgId,
      personId: person.id,
      role: person.role,
    });
    if (!(await this.deps.links.visible(link.url, [...visible]))) return;
    const alert = await this.deps.links.recordAlert({
      linkId: link.id,
      orgId: owner.orgId,
      itemId: null,
      alertedAt: at,
    });
    if (!alert) return;
    const r = await this.deps.submit({
      orgId: owner.orgId,
      personId: person.id,
      idempotencyKey: `${LINK_ALERT_PREFIX}${alert.id}`,
      requestHash: `${LINK_ALERT_PREFIX}${alert.id}`,
      kind: "url",
      contentId: `${LINK_ALERT_PREFIX}${link.id}`,
      authorId: "",
      postedAt: null,
      mediaType: null,
      media: null,
      url: `https://${link.url}`,
      text: null,
      receivedAt: at,
    });
    if (isRasdError(r)) {
      this.log.warn({ link: link.id, err: r.message }, "the alert's item was refused");
      return;
    }
    await this.deps.links.setAlertItem(alert.id, r.id);
    this.log.info({ link: link.id, org: owner.orgId, item: r.id }, "alerted the host of a live banked link");
  }
}
