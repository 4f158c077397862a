/**
 * Intervals and tests for campaign figures (counter-messaging, issue 20). Pure.
 *
 * - A click-through rate is a proportion: Wilson's score interval (`wilson`, ppi.ts).
 * - Mean watch time: Student's t-interval on the per-view watch times (the mean of many
 *   skewed but bounded durations is close to normal; bench/counter-stats.ts measures the
 *   coverage this gives at the sample sizes campaigns have).
 * - Two items' CTRs: the pooled two-proportion z-test for "is the difference real" (its
 *   p-value) and Newcombe's hybrid score interval (method 10) for the difference; the bench
 *   checks its false-positive rate at equal CTRs is about 5%.
 * - Two items' watch times: Welch's unequal-variance t-test and its interval of the difference.
 *
 * The Student t distribution comes from the regularised incomplete beta function (Lentz's
 * continued fraction, as in Numerical Recipes §6.4); accurate to ~1e-10 over the range used.
 */

import { normalQuantile, wilson } from "./ppi.js";

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** ln Γ(x) (Lanczos, g = 7, n = 9). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let a = c[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * P(|T| ≥ |t|) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is).
 * @example twoSidedTP(2.228, 10) // ≈ 0.05
 */
export function twoSidedTP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  if (!(df > 0)) return 1;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** P(|Z| ≥ |z|) for the standard normal. */
export function twoSidedZP(z: number): number {
  return twoSidedTP(z, 1e9);
}

/** The t quantile with `p` two-sided (0.05 → t such that P(|T| ≥ t) = 0.05), by bisection. */
export function tQuantile(twoSidedP: number, df: number): number {
  if (!(df > 0)) return Infinity;
  if (df > 1e6) return normalQuantile(1 - twoSidedP / 2);
  let low = 0;
  let high = 1;
  while (twoSidedTP(high, df) > twoSidedP) high *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (low + high) / 2;
    if (twoSidedTP(mid, df) > twoSidedP) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** A proportion with its 95% Wilson interval. */
export interface ProportionEstimate extends Interval {
  readonly successes: number;
  readonly trials: number;
  /** successes / trials, or 0 with no trials. */
  readonly rate: number;
}

export function proportion(successes: number, trials: number, level = 0.95): ProportionEstimate {
  const rate = trials > 0 ? successes / trials : 0;
  const z = normalQuantile(1 - (1 - level) / 2);
  return { successes, trials, rate, ...wilson(rate, trials, z) };
}

/** A mean with its t-interval. */
export interface MeanEstimate extends Interval {
  readonly n: number;
  readonly mean: number;
  readonly sd: number;
}

/** Mean, sample standard deviation and the t-interval; with fewer than two values the interval is unbounded. */
export function meanInterval(values: readonly number[], level = 0.95): MeanEstimate {
  const n = values.length;
  if (n === 0) return { n, mean: 0, sd: 0, low: 0, high: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, sd: 0, low: -Infinity, high: Infinity };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const sd = Math.sqrt(variance);
  const half = tQuantile(1 - level, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, low: mean - half, high: mean + half };
}

export interface DifferenceTest {
  /** a − b. */
  readonly difference: number;
  /** The 95% interval of a − b. */
  readonly low: number;
  readonly high: number;
  readonly statistic: number;
  readonly pValue: number;
  /** pValue < 1 − level. */
  readonly significant: boolean;
  readonly method: string;
}

/**
 * Two proportions: the pooled z-test's p-value and Newcombe's hybrid score interval of a − b.
 * @example compareProportions(120, 1000, 80, 1000).pValue // ≈ 0.0029
 */
export function compareProportions(xa: number, na: number, xb: number, nb: number, level = 0.95): DifferenceTest {
  const method = "two-proportion z-test (pooled); Newcombe hybrid score interval (method 10)";
  const pa = na > 0 ? xa / na : 0;
  const pb = nb > 0 ? xb / nb : 0;
  const difference = pa - pb;
  const z = normalQuantile(1 - (1 - level) / 2);
  if (!(na > 0 && nb > 0)) return { difference, low: -1, high: 1, statistic: 0, pValue: 1, significant: false, method };
  const a = wilson(pa, na, z);
  const b = wilson(pb, nb, z);
  const low = difference - Math.sqrt((pa - a.low) ** 2 + (b.high - pb) ** 2);
  const high = difference + Math.sqrt((a.high - pa) ** 2 + (pb - b.low) ** 2);
  const pooled = (xa + xb) / (na + nb);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb));
  const statistic = se > 0 ? difference / se : 0;
  const pValue = se > 0 ? twoSidedZP(statistic) : 1;
  return { difference, low, high, statistic, pValue, significant: pValue < 1 - level, method };
}

/**
 * Two means: Welch's t-test (Welch–Satterthwaite degrees of freedom) and its interval of a − b.
 * @example compareMeans([1, 2, 3, 4], [5, 6, 7, 8]).pValue // ≈ 0.0047
 */
export function compareMeans(a: readonly number[], b: readonly number[], level = 0.95): DifferenceTest {
  const method = "Welch's unequal-variance t-test; Welch–Satterthwaite interval";
  const ma = meanInterval(a, level);
  const mb = meanInterval(b, level);
  const difference = ma.mean - mb.mean;
  if (ma.n < 2 || mb.n < 2)
    return { difference, low: -Infinity, high: Infinity, statistic: 0, pValue: 1, significant: false, method };
  const va = (ma.sd * ma.sd) / ma.n;
  const vb = (mb.sd * mb.sd) / mb.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    const differs = difference !== 0;
    return {
      difference,
      low: difference,
      high: difference,
      statistic: differs ? Infinity : 0,
      pValue: differs ? 0 : 1,
      significant: differs,
      method,
    };
  }
  const df = (va + vb) ** 2 / (va ** 2 / (ma.n - 1) + vb ** 2 / (mb.n - 1));
  const statistic = difference / se;
  const pValue = twoSidedTP(statistic, df);
  const half = tQuantile(1 - level, df) * se;
  return {
    difference,
    low: difference - half,
    high: difference + half,
    statistic,
    pValue,
    significant: pValue < 1 - level,
    method,
  };
}
