/**
 * Shaping API answers into chart data: uPlot's column arrays (x in seconds), bars scaled to
 * a maximum, percentiles against the one-hour line. Pure, so it is tested without a browser.
 */

import type { Activity, StancePeriod as ApiStancePeriod } from "./types.js";

/** One period of the activity figures (the parts the charts read). */
export type ActivityPeriod = Pick<Activity["periods"][number], "start" | "end" | "received" | "matched" | "actions">;

/** [x (s), received, matched, actions] for uPlot. */
export function activitySeries(periods: readonly ActivityPeriod[]): [number[], number[], number[], number[]] {
  return [
    periods.map((p) => Date.parse(p.start ?? "") / 1000),
    periods.map((p) => p.received),
    periods.map((p) => p.matched),
    periods.map((p) => p.actions),
  ];
}

/** One period of the stance figures (the parts the charts read); a ratio's bounds may be null. */
export type StancePeriod = Pick<ApiStancePeriod, "start" | "end" | "items" | "ratio">;

/** [x (s), ratio, low, high], nulls where a period has no ratio; and whether any period has one. */
export function ratioSeries(periods: readonly StancePeriod[]): {
  data: [number[], (number | null)[], (number | null)[], (number | null)[]];
  any: boolean;
} {
  const finite = (v: number | null | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  return {
    data: [
      periods.map((p) => Date.parse(p.start) / 1000),
      periods.map((p) => finite(p.ratio?.estimate)),
      periods.map((p) => finite(p.ratio?.low)),
      periods.map((p) => finite(p.ratio?.high)),
    ],
    any: periods.some((p) => p.ratio !== null && finite(p.ratio.estimate) !== null),
  };
}

export interface Bar {
  label: string;
  value: number;
  /** 0..1 of the largest value. */
  share: number;
}

/** Bars for the largest `max` values, each with its share of the largest. */
export function bars(items: readonly { label: string; value: number }[], max = 10): Bar[] {
  const top = [...items].sort((a, b) => b.value - a.value).slice(0, max);
  const largest = Math.max(1, ...top.map((i) => i.value));
  return top.map((i) => ({ ...i, share: i.value / largest }));
}

export const ONE_HOUR_MS = 3600_000;

export interface PercentileBar {
  label: string;
  ms: number | null;
  /** 0..1 along an axis that reaches past both the largest value and the one-hour line. */
  share: number;
  withinHour: boolean;
}

/** The shortest time the percentile axis shows: 100 ms (anything faster sits at its start). */
export const AXIS_FLOOR_MS = 100;

/**
 * p50, p90 and p99 on one logarithmic axis, from 100 ms to past both the largest value and
 * the one-hour line at `hourShare`: a time-to-action of 80 ms and one of 3 h are both visible
 * against the hour (on a linear axis, milliseconds vanish beside the hour).
 */
export function percentileBars(p: { p50: number | null; p90: number | null; p99: number | null }): {
  bars: PercentileBar[];
  hourShare: number;
} {
  const values = [p.p50, p.p90, p.p99];
  const axis = Math.max(ONE_HOUR_MS * 1.25, ...values.map((v) => (v ?? 0) * 1.1));
  const at = (ms: number) => Math.log(Math.max(ms, AXIS_FLOOR_MS) / AXIS_FLOOR_MS) / Math.log(axis / AXIS_FLOOR_MS);
  return {
    hourShare: at(ONE_HOUR_MS),
    bars: (["p50", "p90", "p99"] as const).map((label, i) => {
      const ms = values[i] ?? null;
      return { label, ms, share: ms === null ? 0 : at(ms), withinHour: ms !== null && ms <= ONE_HOUR_MS };
    }),
  };
}

const DAY_S = 86_400;

/**
 * uPlot's axis labels in the person's locale and digits: times (x in seconds) as hours when
 * the ticks are less than a day apart, else as day and month (UTC, as the API buckets);
 * values as numbers. uPlot's own labels are English with Western digits.
 */
export function timeTickLabels(
  splits: readonly number[],
  format: (ms: number, opts: Intl.DateTimeFormatOptions) => string,
): string[] {
  const step = splits.length > 1 ? Math.abs(splits[1]! - splits[0]!) : DAY_S;
  const opts: Intl.DateTimeFormatOptions =
    step < DAY_S ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } : { day: "numeric", month: "short" };
  return splits.map((s) => format(s * 1000, opts));
}

export function valueTickLabels(splits: readonly number[], format: (n: number) => string): string[] {
  return splits.map((v) => format(v));
}

/** [x (s), pro, pro low, pro high, anti, anti low, anti high] as shares, nulls where a period has none. */
export function prevalenceSeries(periods: readonly Pick<ApiStancePeriod, "start" | "pro" | "anti">[]): {
  data: [number[], ...(number | null)[][]];
  any: boolean;
} {
  const v = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);
  return {
    data: [
      periods.map((p) => Date.parse(p.start) / 1000),
      periods.map((p) => v(p.pro?.estimate)),
      periods.map((p) => v(p.pro?.low)),
      periods.map((p) => v(p.pro?.high)),
      periods.map((p) => v(p.anti?.estimate)),
      periods.map((p) => v(p.anti?.low)),
      periods.map((p) => v(p.anti?.high)),
    ],
    any: periods.some((p) => p.pro !== null || p.anti !== null),
  };
}
