/**
 * The dashboard's figures for one organisation: per period, items received, items matched
 * and actions taken; matches by bank (only banks the caller may see) and by label. Periods
 * are whole UTC hours, days or ISO weeks (starting on Monday).
 */

import { RasdError } from "../core/errors.js";
import type { Labels, Signal } from "../core/model.js";
import type { DashboardReads, SignalQuery } from "../storage/ports/index.js";

export const INTERVALS = ["hour", "day", "week"] as const;
export type Interval = (typeof INTERVALS)[number];

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const MAX_PERIODS = 2000;

/** The start of the period that holds `t`. */
export function periodStart(t: number, interval: Interval): number {
  if (interval === "hour") return Math.floor(t / HOUR) * HOUR;
  const day = Math.floor(t / DAY) * DAY;
  if (interval === "day") return day;
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  return day - weekday * DAY;
}

function periodEnd(start: number, interval: Interval): number {
  return start + (interval === "hour" ? HOUR : interval === "day" ? DAY : 7 * DAY);
}

/** The starts of every period that overlaps [from, to). */
function periodStarts(from: number, to: number, interval: Interval): number[] {
  const out: number[] = [];
  for (let t = periodStart(from, interval); t < to; t = periodEnd(t, interval)) {
    out.push(t);
    if (out.length > MAX_PERIODS)
      throw new RasdError("invalid", `from..to: more than ${MAX_PERIODS} ${interval}s; use a longer interval`);
  }
  return out;
}

interface StoredMatchLike {
  readonly bankId: number;
  readonly labels?: Labels;
  readonly suppressed?: boolean;
}

function parseMatches(text: string): StoredMatchLike[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as StoredMatchLike[]) : [];
  } catch {
    return [];
  }
}

export interface Activity {
  readonly from: number;
  readonly to: number;
  readonly interval: Interval;
  readonly periods: { start: number; end: number; received: number; matched: number; actions: number }[];
  readonly totals: { received: number; matched: number; actions: number };
  readonly byBank: { bankId: number; bankName: string; matches: number }[];
  readonly byLabel: { kind: "entity" | "behaviour" | "language"; label: string; matches: number }[];
}

export class DashboardService {
  constructor(private readonly store: DashboardReads) {}

  /** Signals of visible banks by value (or part of one) and type; the caller filters labels. */
  searchSignals(query: SignalQuery): Promise<Signal[]> {
    return this.store.searchSignals(query);
  }

  async activity(
    orgId: number,
    visibleBanks: ReadonlyMap<number, string>,
    from: number,
    to: number,
    interval: Interval,
  ): Promise<Activity> {
    if (!(from < to)) throw new RasdError("invalid", "from: must be before to");
    const starts = periodStarts(from, to, interval);
    const index = new Map(starts.map((s, i) => [s, i]));
    const periods = starts.map((start) => ({
      start,
      end: periodEnd(start, interval),
      received: 0,
      matched: 0,
      actions: 0,
    }));
    const at = (t: number) => periods[index.get(periodStart(t, interval)) ?? -1];
    const rows = await this.store.activity(orgId, from, to);
    const byBank = new Map<number, number>();
    const byLabel = new Map<string, number>();
    for (const item of rows.items) {
      const p = at(item.receivedAt);
      if (p) p.received++;
      const matches = parseMatches(item.matches).filter((m) => !m.suppressed && visibleBanks.has(m.bankId));
      if (matches.length === 0) continue;
      if (p) p.matched++;
      for (const bankId of new Set(matches.map((m) => m.bankId))) byBank.set(bankId, (byBank.get(bankId) ?? 0) + 1);
      const labels = new Set<string>();
      for (const m of matches)
        for (const kind of ["entity", "behaviour", "language"] as const)
          for (const l of m.labels?.[kind] ?? []) labels.add(`${kind}\u0000${l}`);
      for (const l of labels) byLabel.set(l, (byLabel.get(l) ?? 0) + 1);
    }
    for (const a of rows.actions) {
      const p = at(a.createdAt);
      if (p) p.actions++;
    }
    const sum = (k: "received" | "matched" | "actions") => periods.reduce((n, p) => n + p[k], 0);
    return {
      from,
      to,
      interval,
      periods,
      totals: { received: sum("received"), matched: sum("matched"), actions: sum("actions") },
      byBank: [...byBank]
        .map(([bankId, matches]) => ({ bankId, bankName: visibleBanks.get(bankId) ?? "?", matches }))
        .sort((a, b) => b.matches - a.matches || a.bankId - b.bankId),
      byLabel: [...byLabel]
        .map(([key, matches]) => {
          const [kind, label] = key.split("\u0000") as ["entity" | "behaviour" | "language", string];
          return { kind, label, matches };
        })
        .sort((a, b) => b.matches - a.matches || a.label.localeCompare(b.label)),
    };
  }
}
