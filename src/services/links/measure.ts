/**
 * Figures about links that stay down (issue 19), from stored checks and alerts only:
 *   - per period: links alerted to their hosts; the share of banked links found offline at
 *     the period's end, per host and per platform (the member listing the host's domain,
 *     "unlisted" otherwise); the median time from alert to the first check finding the link
 *     removed, Kaplan–Meier over alerts still up counted as censored, with a 95% interval
 *     (kernels/quantify/survival.ts; bench/links.ts prints its coverage on known truth);
 *   - over the range, per host: the median time from the first check finding a link online to
 *     the first finding it removed (its time to takedown), the same way.
 * A share counts links whose last check before the moment said online or removed; links in
 * error or not checked yet are counted apart, never as up or down. A takedown time is the
 * first check that saw the link removed, so it is late by at most one check interval.
 */

import { periodsBetween, type Interval } from "../../core/periods.js";
import { hostSuffixes } from "../../kernels/url/index.js";
import { medianDuration, proportion, type Duration, type MedianEstimate } from "../../kernels/quantify/index.js";
import type { AlertOutcome, LinkStateAt, LinkStore, OrgDomain } from "../../storage/ports/index.js";

export interface OfflineShare {
  /** Links whose latest check said online or removed. */
  readonly checked: number;
  readonly offline: number;
  /** offline / checked; null with none checked. */
  readonly share: number | null;
  /** Its 95% Wilson interval; null with none checked. */
  readonly shareLow: number | null;
  readonly shareHigh: number | null;
  /** Links in error at their latest check, and not checked yet. */
  readonly errors: number;
  readonly unchecked: number;
}

export interface LinkPeriod extends OfflineShare {
  readonly start: string;
  readonly end: string;
  readonly alerted: number;
  /** Of the links alerted in the period, those seen removed since (by now). */
  readonly alertedRemoved: number;
  readonly alertToTakedown: MedianEstimate;
}

export interface LinkMeasurement {
  readonly from: string;
  readonly to: string;
  readonly interval: Interval;
  readonly overall: LinkPeriod;
  readonly periods: readonly LinkPeriod[];
  /** At `to`, per host (most links first, at most 50). */
  readonly byHost: readonly ({ readonly host: string; readonly takedown: MedianEstimate } & OfflineShare)[];
  /** At `to`, per platform: the member listing the host's domain, or "unlisted". */
  readonly byPlatform: readonly ({ readonly platform: string } & OfflineShare)[];
  readonly definitions: Readonly<Record<string, string>>;
}

export const LINK_DEFINITIONS: Readonly<Record<string, string>> = {
  share:
    "offline / checked: among banked links whose latest check before the moment said online or removed (404, 410, 451 or the host's removed page), the share removed, with a 95% Wilson interval (share_low, share_high: the chance that such a link is down, the links checked taken as draws of it); errors and unchecked links are counted apart",
  alertToTakedown:
    "time from the alert to the first check finding the link removed; Kaplan–Meier median with links still up counted as censored at their last check, 95% interval by Brookmeyer–Crowley; null when fewer than half are known removed",
  takedown:
    "per host, time from the first check finding a link online to the first finding it removed (late by at most one check interval), Kaplan–Meier median as above",
  platform: "the member organisation that lists the host's domain (or a parent domain) as its own; unlisted otherwise",
};

const MAX_HOSTS = 50;

/** The share offline among links' states at a moment, with its 95% Wilson interval. */
export function offlineShare(states: readonly Pick<LinkStateAt, "status">[]): OfflineShare {
  let online = 0;
  let offline = 0;
  let errors = 0;
  let unchecked = 0;
  for (const s of states) {
    if (s.status === "online") online++;
    else if (s.status === "removed") offline++;
    else if (s.status === "error") errors++;
    else unchecked++;
  }
  const checked = online + offline;
  const p = checked ? proportion(offline, checked) : undefined;
  return {
    checked,
    offline,
    share: p ? p.rate : null,
    shareLow: p ? p.low : null,
    shareHigh: p ? p.high : null,
    errors,
    unchecked,
  };
}

/** An alert's duration to the removal seen after it, or censored at its link's last check. */
export function alertDuration(a: AlertOutcome, until: number): Duration {
  if (a.removedAt !== null && a.removedAt < until) return { ms: a.removedAt - a.alertedAt, event: true };
  const seen = Math.min(until, a.lastCheckedAt ?? a.alertedAt);
  return { ms: Math.max(0, seen - a.alertedAt), event: false };
}

/** A link's time to takedown from first seen online, or censored at its last check; undefined if never seen online. */
export function takedownDuration(s: LinkStateAt): Duration | undefined {
  if (s.firstOnlineAt === null) return undefined;
  if (s.firstOfflineAt !== null && s.firstOfflineAt > s.firstOnlineAt)
    return { ms: s.firstOfflineAt - s.firstOnlineAt, event: true };
  if (s.firstOfflineAt !== null) return undefined; // seen removed before it was ever seen up: it came back
  return { ms: Math.max(0, (s.lastCheckedAt ?? s.firstOnlineAt) - s.firstOnlineAt), event: false };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}

/** The platform a host belongs to: the member listing its longest listed domain. */
export function platformOf(host: string, domains: ReadonlyMap<string, string>): string {
  for (const suffix of hostSuffixes(host)) {
    const name = domains.get(suffix);
    if (name !== undefined) return name;
  }
  return "unlisted";
}

/**
 * The figures over [from, to) per `interval`, for links banked in `bankIds`. Undefined when
 * there would be more than 400 periods.
 */
export async function measureLinks(
  store: LinkStore,
  q: {
    readonly from: number;
    readonly to: number;
    readonly interval: Interval;
    readonly bankIds: readonly number[];
    /** Organisation names by id, for the platform breakdown. */
    readonly orgNames: ReadonlyMap<number, string>;
    /** Checks up to this moment count for alerts' outcomes (default now). */
    readonly now?: number;
  },
): Promise<LinkMeasurement | undefined> {
  const periods = periodsBetween(q.from, q.to, q.interval, 400);
  if (!periods) return undefined;
  // Removals seen up to now count for alerts of any period (the alert's outcome came later).
  const until = q.now ?? Date.now();
  const alerts = await store.alertOutcomes(q.from, q.to, q.bankIds);
  const domains: OrgDomain[] = await store.listDomains();
  const platformNames = new Map(domains.map((d) => [d.domain, q.orgNames.get(d.orgId) ?? `org ${d.orgId}`]));
  const period = async (start: number, end: number): Promise<LinkPeriod> => {
    const at = Math.min(end, q.to);
    const states = await store.statesAt(at, q.bankIds);
    const own = alerts.filter((a) => a.alertedAt >= start && a.alertedAt < end);
    return {
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      ...offlineShare(states),
      alerted: own.length,
      alertedRemoved: own.filter((a) => a.removedAt !== null && a.removedAt < until).length,
      alertToTakedown: medianDuration(own.map((a) => alertDuration(a, until))),
    };
  };
  const out: LinkPeriod[] = [];
  for (const p of periods) out.push(await period(Math.max(p.start, q.from), p.end));
  const overall = await period(q.from, q.to);
  const atEnd = await store.statesAt(q.to, q.bankIds);
  const hosts = [...groupBy(atEnd, (s) => s.host)]
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    .slice(0, MAX_HOSTS)
    .map(([host, states]) => ({
      host,
      ...offlineShare(states),
      takedown: medianDuration(states.flatMap((s) => takedownDuration(s) ?? [])),
    }));
  const platforms = [...groupBy(atEnd, (s) => platformOf(s.host, platformNames))]
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    .map(([platform, states]) => ({ platform, ...offlineShare(states) }));
  return {
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    interval: q.interval,
    overall,
    periods: out,
    byHost: hosts,
    byPlatform: platforms,
    definitions: LINK_DEFINITIONS,
  };
}
