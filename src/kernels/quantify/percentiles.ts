/** Nearest-rank percentiles of durations (or any values): what time-to-action figures report. */

export interface Percentiles {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: null, p90: null, p99: null, max: null };
  const v = [...values].sort((a, b) => a - b);
  const at = (p: number) => v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)]!;
  return { count: v.length, p50: at(50), p90: at(90), p99: at(99), max: v[v.length - 1]! };
}
