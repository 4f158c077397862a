/**
 * Figures about accounts and ban evasion (issue 19, decision 0031), from stored signals and
 * items only:
 *   - accounts suspended: account signals banked in the period (platforms report a suspension
 *     by banking the account), per reporting member and per the account's platform;
 *   - returning accounts found: distinct author accounts of submitted items whose first match to
 *     a suspended account falls in the period (an account is its platform and platform id, or
 *     its handle without one), and how fast: the time from the suspended account's suspension
 *     (its `suspended` date, or when it was banked without one) to that first match, as a median
 *     with a 95% interval (every found return is an observed duration, so the interval is the
 *     distribution-free one of order statistics: kernels/quantify/order-median.ts).
 *     bench/account-figures.ts simulates returns of known truth and prints the interval's
 *     coverage and the median's bias.
 * Only matches to banks the caller may see count, and suppressed ones never.
 */

import { periodsBetween, type Interval } from "../core/periods.js";
import { parseAccountJson } from "../kernels/accounts/index.js";
import { observedMedian, type MedianEstimate } from "../kernels/quantify/index.js";
import type { AccountMatchItem, AccountSignalRow, MeasureScope, MeasurementReads } from "../storage/ports/index.js";

/** A suspended account as the figures need it. */
export interface SuspendedAccount {
  readonly signalId: number;
  /** The platform the account was on (its record's `platform`). */
  readonly platform: string;
  /** The member that banked it (the bank's owner). */
  readonly reporter: string;
  readonly bankedAt: number;
  /** Its `suspended` date; null when the record has none (then bankedAt counts). */
  readonly suspendedAt: number | null;
}

/** One sighting of a returning account: an item whose author matched a suspended account. */
export interface ReturnSighting {
  /** Who returned: "platform:id" or "platform:@handle". */
  readonly key: string;
  readonly platform: string;
  readonly at: number;
  /** The suspended account it matched best, and the score. */
  readonly signalId: number;
  readonly score: number;
  /** The item it was seen in, when known. */
  readonly itemId?: number;
}

export interface AccountPeriod {
  readonly start: string;
  readonly end: string;
  readonly suspended: number;
  readonly returns: number;
  /** Of the returns, those whose suspended account's time is known and before the match. */
  readonly timed: number;
  readonly timeToReturn: MedianEstimate;
}

export interface AccountMeasurement {
  readonly from: string;
  readonly to: string;
  readonly interval: Interval;
  readonly overall: AccountPeriod;
  readonly periods: readonly AccountPeriod[];
  /** Over the range, per the account's platform (most accounts first). */
  readonly byPlatform: readonly {
    readonly platform: string;
    readonly suspended: number;
    readonly returns: number;
    readonly timeToReturn: MedianEstimate;
  }[];
  /** Over the range, accounts suspended per reporting member. */
  readonly byReporter: readonly { readonly reporter: string; readonly suspended: number }[];
  /** The returns counted over the range: the item each was first seen in and its time (null: not timed). */
  readonly returnRecords: readonly { readonly itemId: number | null; readonly ms: number | null }[];
  readonly definitions: Readonly<Record<string, string>>;
}

export const ACCOUNT_DEFINITIONS: Readonly<Record<string, string>> = {
  suspended:
    "account signals banked in the period (a platform reports a suspension by banking the account), active ones in banks you may see",
  returns:
    "distinct author accounts (platform and platform id, or handle) of items in scope whose first match to a suspended account in a bank you may see falls in the period; suppressed matches never count",
  timeToReturn:
    "from the suspended account's suspension (its `suspended` date, else when it was banked) to the first match of the account returning, sample median with a 95% distribution-free interval from order statistics (every found return is observed; null bounds with fewer than 6); returns whose matched account was suspended after the match are not timed",
  platform: "the platform of the account (its record's `platform`)",
  reporter: "the member owning the bank the suspended account is in",
};

interface StoredAccountMatch {
  readonly signalId: number;
  readonly bankId: number;
  readonly type: string;
  readonly similarity?: number;
  readonly suppressed?: boolean;
}

function parseMatches(text: string): StoredAccountMatch[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as StoredAccountMatch[]) : [];
  } catch {
    return [];
  }
}

function dateOf(iso: string | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

/** The suspended account of a banked account signal (undefined: not a readable account). */
export function suspendedOf(row: AccountSignalRow, reporter: string): SuspendedAccount | undefined {
  try {
    const r = parseAccountJson(row.value);
    return {
      signalId: row.id,
      platform: r.platform,
      reporter,
      bankedAt: row.createdAt,
      suspendedAt: dateOf(r.suspended),
    };
  } catch {
    return undefined;
  }
}

/** The sighting of an item's author returning, from its best visible unsuppressed account match. */
export function sightingOf(item: AccountMatchItem, visible: ReadonlySet<number>): ReturnSighting | undefined {
  let best: StoredAccountMatch | undefined;
  for (const m of parseMatches(item.matches))
    if (m.type === "account" && !m.suppressed && visible.has(m.bankId))
      if (!best || (m.similarity ?? 0) > (best.similarity ?? 0)) best = m;
  if (!best) return undefined;
  try {
    const a = parseAccountJson(item.author);
    return {
      key: a.id ? `${a.platform}:${a.id}` : `${a.platform}:@${a.handle.toLowerCase()}`,
      platform: a.platform,
      at: item.matchedAt ?? item.receivedAt,
      signalId: best.signalId,
      score: best.similarity ?? 0,
      itemId: item.id,
    };
  } catch {
    return undefined;
  }
}

/** Each returning account's first sighting (earliest; ties: the higher score). */
export function firstSightings(sightings: readonly ReturnSighting[]): ReturnSighting[] {
  const first = new Map<string, ReturnSighting>();
  for (const s of sightings) {
    const seen = first.get(s.key);
    if (!seen || s.at < seen.at || (s.at === seen.at && s.score > seen.score)) first.set(s.key, s);
  }
  return [...first.values()].sort((a, b) => a.at - b.at);
}

/** A return's time from suspension (or banking) to its first match; undefined when not known or negative. */
export function returnDelay(s: ReturnSighting, suspended: ReadonlyMap<number, SuspendedAccount>): number | undefined {
  const a = suspended.get(s.signalId);
  if (!a) return undefined;
  const since = a.suspendedAt ?? a.bankedAt;
  const ms = s.at - since;
  return ms >= 0 ? ms : undefined;
}

/**
 * The figures over [from, to) per `interval` from the accounts suspended in the range, the
 * returns' first sightings in the range, and the suspended accounts those returns matched
 * (`matched`, by signal id; any banking time). Pure. Undefined with more than 400 periods.
 */
export function accountFigures(q: {
  readonly from: number;
  readonly to: number;
  readonly interval: Interval;
  readonly suspended: readonly SuspendedAccount[];
  readonly returns: readonly ReturnSighting[];
  readonly matched: ReadonlyMap<number, SuspendedAccount>;
}): AccountMeasurement | undefined {
  const periods = periodsBetween(q.from, q.to, q.interval, 400);
  if (!periods) return undefined;
  const period = (start: number, end: number): AccountPeriod => {
    const own = q.returns.filter((r) => r.at >= start && r.at < end);
    const delays = own.flatMap((r) => returnDelay(r, q.matched) ?? []);
    return {
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      suspended: q.suspended.filter((a) => a.bankedAt >= start && a.bankedAt < end).length,
      returns: own.length,
      timed: delays.length,
      timeToReturn: observedMedian(delays),
    };
  };
  const platforms = new Set([...q.suspended.map((a) => a.platform), ...q.returns.map((r) => r.platform)]);
  const byPlatform = [...platforms]
    .map((platform) => {
      const own = q.returns.filter((r) => r.platform === platform);
      return {
        platform,
        suspended: q.suspended.filter((a) => a.platform === platform).length,
        returns: own.length,
        timeToReturn: observedMedian(own.flatMap((r) => returnDelay(r, q.matched) ?? [])),
      };
    })
    .sort((a, b) => b.suspended + b.returns - (a.suspended + a.returns) || a.platform.localeCompare(b.platform));
  const reporters = new Map<string, number>();
  for (const a of q.suspended) reporters.set(a.reporter, (reporters.get(a.reporter) ?? 0) + 1);
  return {
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    interval: q.interval,
    overall: period(q.from, q.to),
    periods: periods.map((p) => period(Math.max(p.start, q.from), Math.min(p.end, q.to))),
    byPlatform,
    byReporter: [...reporters]
      .map(([reporter, suspended]) => ({ reporter, suspended }))
      .sort((a, b) => b.suspended - a.suspended || a.reporter.localeCompare(b.reporter)),
    returnRecords: q.returns
      .filter((r) => r.at >= q.from && r.at < q.to)
      .map((r) => ({ itemId: r.itemId ?? null, ms: returnDelay(r, q.matched) ?? null })),
    definitions: ACCOUNT_DEFINITIONS,
  };
}

/**
 * The figures from the store: accounts banked in `bankIds` over the scope's range, and returns
 * among the scope's items (one member's, or every member's) matched to those banks.
 */
export async function measureAccounts(
  reads: MeasurementReads,
  q: {
    readonly scope: MeasureScope;
    readonly interval: Interval;
    readonly bankIds: ReadonlySet<number>;
    /** The owner's name of each bank, by bank id. */
    readonly reporterOf: (bankId: number) => string;
  },
): Promise<AccountMeasurement | undefined> {
  if (!periodsBetween(q.scope.from, q.scope.to, q.interval, 400)) return undefined;
  const banked = await reads.accountSignals([...q.bankIds], q.scope.from, q.scope.to);
  const suspended = banked.flatMap((row) => suspendedOf(row, q.reporterOf(row.bankId)) ?? []);
  const items = await reads.accountMatchItems(q.scope);
  const returns = firstSightings(items.flatMap((item) => sightingOf(item, q.bankIds) ?? []));
  const ids = [...new Set(returns.map((r) => r.signalId))];
  const matched = new Map<number, SuspendedAccount>();
  for (const row of await reads.accountSignalsById(ids)) {
    const a = suspendedOf(row, q.reporterOf(row.bankId));
    if (a) matched.set(a.signalId, a);
  }
  return accountFigures({
    from: q.scope.from,
    to: q.scope.to,
    interval: q.interval,
    suspended,
    returns,
    matched,
  });
}
