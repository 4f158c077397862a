/**
 * Prevalence from a labelled sample and the model together: a stratified prediction-powered
 * (difference) estimator, as in Angelopoulos et al. (Science 2023) and the model-assisted
 * difference estimator of survey sampling (Särndal, Swensson & Wretman 1992, §6.3).
 *
 * Every item of a stratum h has the model's class probabilities f(x); a simple random sample
 * of n_h of its N_h items carries a person's label y. For each class k the stratum's share is
 *
 *     θ̂_h = mean over all N_h items of f_k  +  mean over the n_h labelled of (1[y = k] − f_k)
 *
 * and the population share is Σ_h (N_h / N) θ̂_h. The second term corrects the model's bias
 * whatever it is — the estimate is unbiased under any classifier error and any shift, because
 * the correction is measured on a random sample of these very items; a good model only makes
 * the residuals small, and so the interval narrow. With hard predictions and strata by
 * predicted label this is stratified sampling with the model choosing the strata.
 *
 * Variance: Σ_h W_h² (1 − n_h/N_h) s²_h / n_h (finite-population inference: the figure is the
 * share among the items submitted). where a stratum's sample residuals do not vary (no
 * item of the class seen, say), s²_h is computed with two half-weight pseudo-labels (one of
 * class k, one not), so that such a stratum does not claim zero variance (as Agresti–Coull's
 * added counts). Intervals are Wilson score intervals on the
 * effective sample size θ̂(1 − θ̂)/V (Korn & Graubard 1998), which keeps them inside [0, 1]
 * and honest near 0. The anti:pro ratio's interval is Fieller's; when the denominator's share
 * cannot be told from zero the answer is a one-sided lower bound, said so.
 *
 * A stratum with items but no labels is model-only: its model share enters the estimate, but
 * its interval is the worst case (anything from 0 to all of its items), so the interval stays
 * valid and the figure is marked unvalidated.
 */

export interface LabelledItem {
  /** The reviewer's class (an index into the classes). */
  readonly truth: number;
  /** The model's probabilities per class for this item (need not sum to 1; zeros for none). */
  readonly predicted: readonly number[];
}

export interface PpiStratum {
  /** Items in the stratum (N_h). */
  readonly size: number;
  /** Mean over all N_h items of the model's probability per class. */
  readonly predictedMean: readonly number[];
  /** A simple random sample of the stratum's items, labelled. */
  readonly labelled: readonly LabelledItem[];
}

export interface ShareInterval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** Standard error of the estimate over the labelled strata (0 when none). */
  readonly standardError: number;
}

export type RatioKind = "two-sided" | "lower-bound" | "unbounded";

export interface RatioEstimate {
  /** numerator / denominator share; null when the denominator's estimate is 0. */
  readonly estimate: number | null;
  readonly low: number;
  /** null when unbounded above (see `kind`). */
  readonly high: number | null;
  /** two-sided; lower-bound (the denominator may be zero: only "at least `low`"); unbounded. */
  readonly kind: RatioKind;
}

export interface PpiEstimate {
  readonly items: number;
  readonly labelled: number;
  /** Items in strata without labels: their share is the model's alone. */
  readonly modelOnlyItems: number;
  /** Every stratum with items has labels. */
  readonly validated: boolean;
  readonly shares: readonly ShareInterval[];
  readonly ratio?: RatioEstimate;
  /** More labels (same allocation) that would halve the widest share's interval; null if no labels. */
  readonly labelsToHalveWidth: number | null;
}

export interface PpiOptions {
  readonly classes: number;
  /** Two-sided coverage, default 0.95. */
  readonly level?: number;
  readonly ratio?: { readonly numerator: number; readonly denominator: number };
}

/** The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError("p must be in (0, 1)");
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowTail = 0.02425;
  if (p < lowTail) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lowTail) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Wilson's score interval for a proportion `p` seen on `n` (possibly fractional) trials. */
export function wilson(p: number, n: number, z: number): { low: number; high: number } {
  if (!(n > 0)) return { low: 0, high: 1 };
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt(Math.max(0, (p * (1 - p)) / n + z2 / (4 * n * n)));
  return { low: p <= 0 ? 0 : Math.max(0, centre - half), high: p >= 1 ? 1 : Math.min(1, centre + half) };
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
/** Rounding noise (1 − 1 + 1e-16) is not a share: values within 1e-9 of 0 or 1 are 0 or 1. */
const snap = (x: number) => (Math.abs(x) < 1e-9 ? 0 : Math.abs(1 - x) < 1e-9 ? 1 : x);

/** Per labelled stratum and class: residual mean, guarded variance; and residual covariances. */
interface StratumMoments {
  readonly weight: number;
  readonly n: number;
  readonly size: number;
  /** θ̂_h per class. */
  readonly theta: number[];
  /** Guarded s²_h per class. */
  readonly variance: number[];
  /** Plain residual covariance between two classes (for the ratio). */
  covariance(a: number, b: number): number;
}

function moments(s: PpiStratum, weight: number, k: number): StratumMoments {
  const n = s.labelled.length;
  const residual = (item: LabelledItem, j: number) => (item.truth === j ? 1 : 0) - (item.predicted[j] ?? 0);
  const mean = new Array<number>(k).fill(0);
  for (const item of s.labelled) for (let j = 0; j < k; j++) mean[j]! += residual(item, j) / n;
  const theta = mean.map((m, j) => snap((s.predictedMean[j] ?? 0) + m));
  const variance = new Array<number>(k).fill(0);
  for (let j = 0; j < k; j++) {
    // Two half-weight pseudo-labels at the stratum's mean prediction: one of class j, one not.
    const f = s.predictedMean[j] ?? 0;
    // (Used only when the sample's own residuals do not vary: a stratum that showed no item
    // of the class is not taken to have none.)
    const values: [number, number][] = s.labelled.map((item) => [residual(item, j), 1]);
    values.push([1 - f, 0.5], [0 - f, 0.5]);
    const w = n + 1;
    const m = values.reduce((a, [v, wt]) => a + v * wt, 0) / w;
    const guarded = values.reduce((a, [v, wt]) => a + wt * (v - m) ** 2, 0) / Math.max(1, w - 1);
    const plain = n >= 2 ? s.labelled.reduce((a, item) => a + (residual(item, j) - mean[j]!) ** 2, 0) / (n - 1) : 0;
    variance[j] = plain > 1e-12 ? plain : guarded;
  }
  return {
    weight,
    n,
    size: s.size,
    theta,
    variance,
    covariance(a, b) {
      if (n < 2) return 0;
      let c = 0;
      for (const item of s.labelled) c += (residual(item, a) - mean[a]!) * (residual(item, b) - mean[b]!);
      return c / (n - 1);
    },
  };
}

/** Σ W² (1 − n/N) x / n over labelled strata. */
function sumVariance(strata: readonly StratumMoments[], term: (m: StratumMoments) => number, scale = 1): number {
  let v = 0;
  for (const m of strata) {
    const n = Math.min(m.size, m.n * scale);
    v += ((m.weight * m.weight * Math.max(0, 1 - n / m.size)) / n) * term(m);
  }
  return v;
}

/** Fieller's interval for a/b given their variances and covariance. */
export function fieller(
  a: number,
  b: number,
  va: number,
  vb: number,
  cab: number,
  z: number,
): { low: number; high: number | null; kind: RatioKind } {
  const z2 = z * z;
  const qa = b * b - z2 * vb;
  const qb = a * b - z2 * cab;
  const qc = a * a - z2 * va;
  const disc = qb * qb - qa * qc;
  if (qa > 0) {
    const root = Math.sqrt(Math.max(0, disc));
    return { low: Math.max(0, (qb - root) / qa), high: Math.max(0, (qb + root) / qa), kind: "two-sided" };
  }
  // The denominator cannot be told from zero: the set is unbounded above.
  if (disc <= 0 || qa === 0) return { low: 0, high: null, kind: "unbounded" };
  const root = Math.sqrt(disc);
  const r1 = (qb - root) / qa;
  const r2 = (qb + root) / qa;
  const lo = Math.min(r1, r2);
  const hi = Math.max(r1, r2);
  if (lo <= 0 && hi > 0) return { low: hi, high: null, kind: "lower-bound" };
  return { low: 0, high: null, kind: "unbounded" };
}

/** The stratified prediction-powered estimate of every class's share; undefined with no items. */
export function estimateShares(strata: readonly PpiStratum[], options: PpiOptions): PpiEstimate | undefined {
  const k = options.classes;
  const z = normalQuantile(1 - (1 - (options.level ?? 0.95)) / 2);
  const items = strata.reduce((a, s) => a + s.size, 0);
  if (items <= 0) return undefined;
  const labelledStrata = strata.filter((s) => s.size > 0 && s.labelled.length > 0);
  const modelOnly = strata.filter((s) => s.size > 0 && s.labelled.length === 0);
  const labelledItems = labelledStrata.reduce((a, s) => a + s.size, 0);
  const labelled = labelledStrata.reduce((a, s) => a + s.labelled.length, 0);
  const modelOnlyItems = modelOnly.reduce((a, s) => a + s.size, 0);
  const wLab = labelledItems / items;
  // Moments with weights within the labelled part (they sum to 1 there).
  const m = labelledStrata.map((s) => moments(s, s.size / Math.max(1, labelledItems), k));
  const inner = (j: number) => m.reduce((a, x) => a + x.weight * x.theta[j]!, 0);
  const varianceOf = (j: number, scale = 1) => sumVariance(m, (x) => x.variance[j]!, scale);
  const shares: ShareInterval[] = [];
  for (let j = 0; j < k; j++) {
    const theta = clamp01(snap(inner(j)));
    const v = varianceOf(j);
    let low = theta;
    let high = theta;
    if (m.length > 0 && v > 0) {
      // Effective sample size; near 0 or 1 the share is floored at half a label's worth.
      const floor = 0.5 / labelled;
      const t = Math.min(1 - floor, Math.max(floor, theta));
      const nEff = (t * (1 - t)) / v;
      ({ low, high } = wilson(theta, nEff, z));
    }
    const modelShare = modelOnly.reduce((a, s) => a + (s.size / items) * (s.predictedMean[j] ?? 0), 0);
    shares.push({
      estimate: wLab * theta + modelShare,
      low: m.length > 0 ? wLab * low : 0,
      high: m.length > 0 ? Math.min(1, wLab * high + modelOnlyItems / items) : 1,
      standardError: wLab * Math.sqrt(v),
    });
  }
  let ratio: RatioEstimate | undefined;
  if (options.ratio) {
    const { numerator: a, denominator: b } = options.ratio;
    const num = shares[a]!;
    const den = shares[b]!;
    const estimate = den.estimate > 0 ? num.estimate / den.estimate : null;
    if (modelOnlyItems > 0 || m.length === 0) {
      // Worst-case bounds from the shares' own (valid) intervals.
      const high = den.low > 0 ? num.high / den.low : null;
      ratio = {
        estimate,
        low: den.high > 0 ? num.low / den.high : 0,
        high,
        kind: high === null ? (num.low > 0 ? "lower-bound" : "unbounded") : "two-sided",
      };
    } else {
      const f = fieller(
        inner(a),
        inner(b),
        varianceOf(a),
        varianceOf(b),
        sumVariance(m, (x) => x.covariance(a, b)),
        z,
      );
      ratio = { estimate, ...f };
    }
  }
  return {
    items,
    labelled,
    modelOnlyItems,
    validated: modelOnlyItems === 0,
    shares,
    ...(ratio ? { ratio } : {}),
    labelsToHalveWidth: m.length > 0 ? labelsToHalve(m, k) : null,
  };
}

/**
 * How many more labels, spread as the current ones are (each stratum's count times c, at
 * most its size), bring every share's variance down to a quarter — half the width.
 */
function labelsToHalve(m: readonly StratumMoments[], k: number): number {
  const now = m.reduce((a, x) => a + x.n, 0);
  const maxScale = Math.max(...m.map((x) => x.size / x.n));
  const enough = (c: number) => {
    for (let j = 0; j < k; j++) {
      const v = sumVariance(m, (x) => x.variance[j]!);
      if (sumVariance(m, (x) => x.variance[j]!, c) > v / 4 + 1e-15) return false;
    }
    return true;
  };
  if (enough(1)) return 0;
  let lo = 1;
  let hi = Math.max(1, maxScale);
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (enough(mid)) hi = mid;
    else lo = mid;
  }
  const total = m.reduce((a, x) => a + Math.min(x.size, Math.ceil(x.n * hi)), 0);
  return Math.max(0, total - now);
}

/**
 * How to spread a labelling budget over strata: square-root allocation (n_h ∝ √N_h, a
 * compromise between proportional and equal allocation that gives rare strata — the items
 * predicted pro — enough labels), at least `minimum` per stratum where the budget allows,
 * never more than a stratum's size. The counts sum to min(budget, Σ N_h).
 */
export function allocateLabels(sizes: readonly number[], budget: number, minimum = 2): number[] {
  const out = sizes.map(() => 0);
  const total = sizes.reduce((a, b) => a + b, 0);
  let left = Math.min(Math.max(0, Math.floor(budget)), total);
  // Floors first, in order of size (the largest strata are the most important).
  const order = sizes.map((_, i) => i).sort((x, y) => sizes[y]! - sizes[x]! || x - y);
  for (const i of order) {
    const take = Math.min(sizes[i]!, minimum, left);
    out[i] = take;
    left -= take;
  }
  while (left > 0) {
    const open = order.filter((i) => out[i]! < sizes[i]!);
    if (open.length === 0) break;
    const weights = open.map((i) => Math.sqrt(sizes[i]!));
    const sum = weights.reduce((a, b) => a + b, 0);
    let given = 0;
    open.forEach((i, idx) => {
      const want = Math.floor((left * weights[idx]!) / sum);
      const take = Math.min(want, sizes[i]! - out[i]!);
      out[i]! += take;
      given += take;
    });
    if (given === 0) {
      // Remainders: one each, largest strata first.
      for (const i of open) {
        if (left - given <= 0) break;
        if (out[i]! >= sizes[i]!) continue;
        out[i]! += 1;
        given++;
      }
    }
    left -= given;
  }
  return out;
}
