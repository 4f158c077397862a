/**
 * The median of durations that are all observed (no censoring), with the distribution-free
 * interval from order statistics: [x(j), x(n−j+1)] where j is the largest rank with
 * P(Binomial(n, ½) < j) ≤ α/2, so the interval holds the true median with probability at
 * least the level whatever the distribution (Hahn & Meeker, Statistical Intervals, 5.2). With
 * too few durations to reach the level (n < 6 at 95%) both bounds are null. Pure.
 * bench/account-figures.ts prints its coverage on known truth beside Brookmeyer–Crowley's.
 */

import { normalQuantile } from "./ppi.js";
import type { MedianEstimate } from "./survival.js";

/** The largest j with P(Binomial(n, ½) ≤ j − 1) ≤ tail, or 0 when none. */
export function orderRank(n: number, tail: number): number {
  if (n <= 0) return 0;
  if (n > 1000) {
    // Normal approximation, continuity-corrected; exact enough at this size.
    const z = normalQuantile(1 - tail);
    return Math.max(0, Math.floor(n / 2 - (z * Math.sqrt(n)) / 2 - 0.5) + 1);
  }
  let pmf = Math.pow(0.5, n);
  let cdf = 0;
  let j = 0;
  for (let k = 0; k <= n; k++) {
    cdf += pmf; // P(X ≤ k)
    if (cdf > tail) break;
    j = k + 1;
    pmf = (pmf * (n - k)) / (k + 1);
  }
  return j;
}

/**
 * The sample median of `values` (the mean of the two middle ones for an even count) and its
 * order-statistic interval at `level` (default 95%).
 * @example observedMedian([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).median // 5.5
 */
export function observedMedian(values: readonly number[], level = 0.95): MedianEstimate {
  const n = values.length;
  if (n === 0) return { n: 0, events: 0, median: null, low: null, high: null, level };
  const x = [...values].sort((a, b) => a - b);
  const median = n % 2 ? x[(n - 1) / 2]! : (x[n / 2 - 1]! + x[n / 2]!) / 2;
  const j = orderRank(n, (1 - level) / 2);
  return {
    n,
    events: n,
    median,
    low: j >= 1 ? x[j - 1]! : null,
    high: j >= 1 ? x[n - j]! : null,
    level,
  };
}
