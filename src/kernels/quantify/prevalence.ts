/**
 * Prevalence with its uncertainty: adjusted classify-and-count per stratum (one per
 * language, each with the error rates measured for that language), combined by stratum
 * size, and percentile bootstrap intervals that resample both the items counted and the
 * validation items the error rates were measured on — so a weak or thinly validated
 * classifier gives honestly wide intervals. Deterministic for a given seed.
 */

import { misclassificationRates, RateModel } from "./adjusted-count.js";
import { multinomial, seededRandom } from "./random.js";

export interface Stratum {
  /** Items counted per predicted class. */
  readonly observed: readonly number[];
  /** Validation confusion counts: rows true class, columns predicted class (same class order). */
  readonly confusion: readonly (readonly number[])[];
  /**
   * Bootstrap replicates of the error rates (`resampleRates`), at least as many as the
   * replicates asked for. Computed from `confusion` when absent; pass them to reuse one set
   * across many estimates (the validation data is the same for every period).
   */
  readonly resampled?: readonly RateModel[];
}

/** `replicates` rate models from the confusion counts, each row resampled multinomially. */
export function resampleRates(
  confusion: readonly (readonly number[])[],
  replicates: number,
  seed: number,
): RateModel[] {
  const random = seededRandom(seed);
  const out: RateModel[] = [];
  for (let r = 0; r < replicates; r++) {
    const counts = confusion.map((row) => {
      const m = row.reduce((a, b) => a + b, 0);
      return multinomial(
        m,
        row.map((c) => (m > 0 ? c / m : 0)),
        random,
      );
    });
    out.push(new RateModel(misclassificationRates(counts)));
  }
  return out;
}

export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

/** A ratio's bounds may be unbounded (no items of the denominator's class): null. */
export interface RatioInterval {
  readonly estimate: number | null;
  readonly low: number | null;
  readonly high: number | null;
}

export interface PrevalenceEstimate {
  readonly items: number;
  /** Raw predicted-label shares (classify and count), for comparison. */
  readonly observed: readonly number[];
  /** Adjusted true-class shares with their intervals, in class order. */
  readonly shares: readonly Interval[];
}

export interface BootstrapOptions {
  readonly replicates?: number;
  /** Two-sided coverage, default 0.95. */
  readonly level?: number;
  readonly seed: number;
}

/** Shares combined over strata by size, each from its own rate model; undefined with no items. */
function combine(observed: readonly (readonly number[])[], models: readonly RateModel[]): number[] | undefined {
  let total = 0;
  let shares: number[] | undefined;
  for (let i = 0; i < observed.length; i++) {
    const counts = observed[i]!;
    const n = counts.reduce((a, b) => a + b, 0);
    const p = models[i]!.shares(counts);
    if (!p) continue;
    shares ??= new Array<number>(p.length).fill(0);
    for (let j = 0; j < p.length; j++) shares[j]! += n * p[j]!;
    total += n;
  }
  return shares && total > 0 ? shares.map((x) => x / total) : undefined;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (lo === hi || sorted[lo] === sorted[hi]) return sorted[lo]!;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The point estimate and bootstrap replicates of the true shares; undefined with no items. */
function bootstrapShares(
  strata: readonly Stratum[],
  options: BootstrapOptions,
): { estimate: number[]; replicates: number[][] } | undefined {
  const estimate = combine(
    strata.map((s) => s.observed),
    strata.map((s) => new RateModel(misclassificationRates(s.confusion))),
  );
  if (!estimate) return undefined;
  const count = options.replicates ?? 1000;
  const resampled = strata.map((s, i) =>
    s.resampled && s.resampled.length >= count
      ? s.resampled
      : resampleRates(s.confusion, count, (options.seed ^ (0x5bd1e995 * (i + 1))) >>> 0),
  );
  const random = seededRandom(options.seed);
  const probabilities = strata.map((s) => {
    const n = s.observed.reduce((a, b) => a + b, 0);
    return { n, p: s.observed.map((c) => (n > 0 ? c / n : 0)) };
  });
  const replicates: number[][] = [];
  for (let r = 0; r < count; r++) {
    const p = combine(
      probabilities.map(({ n, p: probs }) => multinomial(n, probs, random)),
      resampled.map((models) => models[r]!),
    );
    if (p) replicates.push(p);
  }
  return { estimate, replicates };
}

function quantileInterval(values: number[], alpha: number): { low: number; high: number } {
  const sorted = values.sort((a, b) => a - b);
  return { low: quantile(sorted, alpha), high: quantile(sorted, 1 - alpha) };
}

/**
 * Shares of every class with percentile intervals, and optionally the ratio of two
 * classes' shares (e.g. anti:pro) from the same replicates. Replicates where the
 * denominator is zero are infinite: an interval reaching them has no upper bound (null).
 */
export function estimatePrevalence(
  strata: readonly Stratum[],
  options: BootstrapOptions & { readonly ratio?: { readonly numerator: number; readonly denominator: number } },
): (PrevalenceEstimate & { readonly ratio?: RatioInterval }) | undefined {
  const items = strata.reduce((a, s) => a + s.observed.reduce((x, y) => x + y, 0), 0);
  const boot = bootstrapShares(strata, options);
  if (!boot) return undefined;
  const alpha = (1 - (options.level ?? 0.95)) / 2;
  const k = boot.estimate.length;
  const observed = new Array<number>(k).fill(0);
  for (const s of strata) s.observed.forEach((c, j) => (observed[j]! += c / items));
  const shares = boot.estimate.map((estimate, j) => ({
    estimate,
    ...quantileInterval(
      boot.replicates.map((r) => r[j]!),
      alpha,
    ),
  }));
  if (!options.ratio) return { items, observed, shares };
  const { numerator, denominator } = options.ratio;
  const ratioOf = (p: readonly number[]) => (p[denominator]! > 1e-12 ? p[numerator]! / p[denominator]! : Infinity);
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const bounds = quantileInterval(boot.replicates.map(ratioOf), alpha);
  return {
    items,
    observed,
    shares,
    ratio: { estimate: finite(ratioOf(boot.estimate)), low: finite(bounds.low), high: finite(bounds.high) },
  };
}
