/**
 * Takedown figures from recorded events: how many items matched, were acted on by rasd and
 * were removed by their platform, how fast, and whether removal orders were met within the
 * hour the EU terrorist-content regulation allows (Art. 3(3)). Pure: every figure is a
 * count or percentile over the records given, so anyone with the records can recompute it.
 */

import { percentiles, type Percentiles } from "./percentiles.js";

export const ONE_HOUR_MS = 3_600_000;

/** One item's life, as the figures need it. */
export interface TakedownRecord {
  readonly itemId: number;
  readonly platform: string;
  readonly bankIds: readonly number[];
  readonly receivedAt: number;
  /** When the platform says it was posted; null when not given. */
  readonly postedAt?: number | null;
  /** Content type, language and behaviour label, for the breakdowns peers publish. */
  readonly kind?: string;
  readonly lang?: string | null;
  readonly behaviour?: string | null;
  readonly actedAt: number | null;
  /** The first removal order, removal (or disabling) and restoration, if any. */
  readonly orderAt: number | null;
  readonly removedAt: number | null;
  readonly restoredAt: number | null;
}

export interface TakedownFigures {
  /** Items in scope: matched, acted on, or with a reported outcome. */
  readonly items: number;
  readonly matched: number;
  readonly actioned: number;
  readonly removed: number;
  /** removed / items. */
  readonly shareRemoved: number | null;
  /** Of removed items: the share removed within one hour of the order, or of receipt without one. */
  readonly withinHourShare: number | null;
  readonly ordersReceived: number;
  /** Of removal orders: the share met (removed or disabled) within one hour. */
  readonly ordersWithinHourShare: number | null;
  readonly restored: number;
  /** Received → rasd's action, ms. */
  readonly timeToAction: Percentiles;
  /** Order (or receipt) → removal, ms. */
  readonly timeToRemoval: Percentiles;
  /** Posted → removed, ms: how long removed items were online (items with a posting time). */
  readonly timeOnline: Percentiles;
  /** Items still online: not removed, or restored after removal. */
  readonly stillOnline: number;
  /** stillOnline / items (Tech Against Terrorism's "still online" share). */
  readonly shareStillOnline: number | null;
  /** The distribution of time online (the items timeOnline counts), in bins up to each bound. */
  readonly timeOnlineBins: readonly TimeBin[];
}

/** Items whose duration was at most `upToMs` and more than the previous bin's bound (null: no bound). */
export interface TimeBin {
  readonly upToMs: number | null;
  readonly items: number;
}

/** The bounds of the time-online bins: 1 hour, 6 hours, 1 day, 7 days, 30 days, longer. */
export const TIME_ONLINE_BOUNDS_MS = [
  ONE_HOUR_MS,
  6 * ONE_HOUR_MS,
  24 * ONE_HOUR_MS,
  168 * ONE_HOUR_MS,
  720 * ONE_HOUR_MS,
];

/** Counts durations per bin (`bounds` ascending; the last bin is open-ended). */
export function timeBins(values: readonly number[], bounds: readonly number[] = TIME_ONLINE_BOUNDS_MS): TimeBin[] {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const v of values) {
    let i = 0;
    while (i < bounds.length && v > bounds[i]!) i++;
    counts[i]!++;
  }
  return counts.map((items, i) => ({ upToMs: bounds[i] ?? null, items }));
}

/** One item's times, ms (null when they do not apply): what items.csv carries. */
export function itemDurations(r: TakedownRecord): { timeToRemoval: number | null; timeOnline: number | null } {
  if (r.removedAt === null) return { timeToRemoval: null, timeOnline: null };
  const since = r.orderAt !== null && r.orderAt <= r.removedAt ? r.orderAt : r.receivedAt;
  return {
    timeToRemoval: Math.max(0, r.removedAt - since),
    timeOnline: r.postedAt !== null && r.postedAt !== undefined ? Math.max(0, r.removedAt - r.postedAt) : null,
  };
}

const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export function takedownFigures(records: readonly TakedownRecord[]): TakedownFigures {
  let matched = 0;
  let actioned = 0;
  let removed = 0;
  let withinHour = 0;
  let orders = 0;
  let ordersWithinHour = 0;
  let restored = 0;
  const toAction: number[] = [];
  const toRemoval: number[] = [];
  const online: number[] = [];
  let stillOnline = 0;
  for (const r of records) {
    if (r.removedAt === null || r.restoredAt !== null) stillOnline++;
    if (r.bankIds.length) matched++;
    if (r.actedAt !== null) {
      actioned++;
      toAction.push(r.actedAt - r.receivedAt);
    }
    if (r.orderAt !== null) orders++;
    if (r.removedAt !== null) {
      removed++;
      const { timeToRemoval: took, timeOnline } = itemDurations(r);
      toRemoval.push(took!);
      if (timeOnline !== null) online.push(timeOnline);
      if (took! <= ONE_HOUR_MS) withinHour++;
      if (r.orderAt !== null && r.removedAt - r.orderAt <= ONE_HOUR_MS) ordersWithinHour++;
    }
    if (r.restoredAt !== null) restored++;
  }
  return {
    items: records.length,
    matched,
    actioned,
    removed,
    shareRemoved: share(removed, records.length),
    withinHourShare: share(withinHour, removed),
    ordersReceived: orders,
    ordersWithinHourShare: share(ordersWithinHour, orders),
    restored,
    timeToAction: percentiles(toAction),
    timeToRemoval: percentiles(toRemoval),
    timeOnline: percentiles(online),
    stillOnline,
    shareStillOnline: share(stillOnline, records.length),
    timeOnlineBins: timeBins(online),
  };
}

/** The same figures per group (platform, bank); an item in several banks counts in each. */
export function takedownBy<K>(
  records: readonly TakedownRecord[],
  keysOf: (r: TakedownRecord) => readonly K[],
): Map<K, TakedownFigures> {
  const groups = new Map<K, TakedownRecord[]>();
  for (const r of records)
    for (const k of new Set(keysOf(r))) {
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(r);
    }
  return new Map([...groups].map(([k, g]) => [k, takedownFigures(g)]));
}
