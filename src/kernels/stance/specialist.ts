/**
 * The Arabic specialist: two multinomial Naive Bayes scores over the same hashed features as the
 * general model, fused with the general model's pro log-odds by a small logistic layer (stacking).
 *   - s1, "pro vs not": NB log-count ratios learnt on the clean Arabic pro/not set (alfifi), the
 *     distinction the general model, trained on ~47,000 texts, under-fits;
 *   - s2, "domain": NB log-count ratios of that set against the other Arabic corpora (balanced),
 *     which tells the fusion when s1 is to be trusted (s1 alone flags political news as pro).
 * The fusion replaces the pro log-odds d = z_pro − logsumexp(z_anti, z_neutral) of an Arabic text by
 * θ · [d, s1/10, s2/10, (s1/10)·σ(s2/10), 1], keeping the general model's anti : neutral ratio.
 * θ is fitted on out-of-fold scores (`fitLogistic`). Everything is deterministic.
 */

import type { FeatureMatrix } from "./features.js";

/** The specialist's parameters. `weights[bucket * 2]` is s1's, `weights[bucket * 2 + 1]` s2's. */
export interface ArabicSpecialist {
  readonly weights: Float32Array;
  /**
   * True when s1 is an NB-SVM (`nbsvm.ts`, decision 0014): its sum is scaled by 1/√(number of
   * features) like the general model's; false or absent: a Naive Bayes ratio sum, unscaled.
   */
  readonly s1Scaled?: boolean;
  /** θ of the fusion (FUSION_FEATURES values, the last one the intercept). */
  readonly fuse: readonly number[];
}

/** Number of inputs of the fusion layer (intercept included). */
const FUSION_FEATURES = 5;

/** Laplace smoothing of the Naive Bayes counts. */
const NB_ALPHA = 0.5;

/**
 * Multinomial NB log-count ratios per bucket: log P(bucket | positive) − log P(bucket | negative),
 * from the rows with a non-zero weight (feature counts times the row's weight).
 */
export function naiveBayesRatios(
  matrix: FeatureMatrix,
  rows: readonly number[],
  positive: (row: number) => boolean,
  weight: (row: number) => number,
  alpha = NB_ALPHA,
): Float64Array {
  const { dims, offsets, indices } = matrix;
  const p = new Float64Array(dims);
  const q = new Float64Array(dims);
  let sp = 0;
  let sq = 0;
  for (const row of rows) {
    const w = weight(row);
    if (w === 0) continue;
    const pos = positive(row);
    const to = offsets[row + 1]!;
    for (let k = offsets[row]!; k < to; k++) {
      if (pos) {
        p[indices[k]!]! += w;
        sp += w;
      } else {
        q[indices[k]!]! += w;
        sq += w;
      }
    }
  }
  const r = new Float64Array(dims);
  const lp = Math.log(sp + alpha * dims);
  const lq = Math.log(sq + alpha * dims);
  for (let j = 0; j < dims; j++) r[j] = Math.log(p[j]! + alpha) - lp - (Math.log(q[j]! + alpha) - lq);
  return r;
}

/** Interleaves the two ratio vectors into the specialist's weight layout. */
export function interleaveRatios(s1: ArrayLike<number>, s2: ArrayLike<number>): Float32Array {
  const out = new Float32Array(s1.length * 2);
  for (let j = 0; j < s1.length; j++) {
    out[j * 2] = s1[j]!;
    out[j * 2 + 1] = s2[j]!;
  }
  return out;
}

/** The two specialist scores (sums over the text's features) of row `row` of `matrix`. */
export function specialistScores(weights: ArrayLike<number>, matrix: FeatureMatrix, row: number): [number, number] {
  let s1 = 0;
  let s2 = 0;
  const to = matrix.offsets[row + 1]!;
  for (let k = matrix.offsets[row]!; k < to; k++) {
    const base = matrix.indices[k]! * 2;
    s1 += weights[base]!;
    s2 += weights[base + 1]!;
  }
  return [s1, s2];
}

/** The fusion inputs for pro log-odds `d` and specialist scores `s1`, `s2`. */
export function fusionInputs(d: number, s1: number, s2: number): number[] {
  const a = s1 / 10;
  const b = s2 / 10;
  return [d, a, b, a / (1 + Math.exp(-b)), 1];
}

/** log(exp(a) + exp(b)), stably. */
export function logSumExp2(a: number, b: number): number {
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * Replaces the pro logit of `z` (raw logits, length 3) in place by the fused one:
 * z_pro := θ · fusionInputs(d, s1, s2) + logsumexp(z_anti, z_neutral).
 */
export function fuseLogits(fuse: readonly number[], z: Float64Array, s1: number, s2: number): void {
  const rest = logSumExp2(z[1]!, z[2]!);
  const a = s1 / 10;
  const b = s2 / 10;
  z[0] =
    fuse[0]! * (z[0]! - rest) + fuse[1]! * a + fuse[2]! * b + (fuse[3]! * a) / (1 + Math.exp(-b)) + fuse[4]! + rest;
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k] = m[r]![k]! - f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/**
 * Weighted binary logistic regression (y ∈ {0, 1}) with a small L2 penalty, by Newton's method
 * with step halving: deterministic, and exact enough for a handful of inputs.
 */
export function fitLogistic(x: readonly number[][], y: readonly number[], w: readonly number[], l2 = 1e-4): number[] {
  const k = x[0]?.length ?? FUSION_FEATURES;
  let theta = new Array<number>(k).fill(0);
  const loss = (t: readonly number[]): number => {
    let f = 0;
    for (const v of t) f += 0.5 * l2 * v * v;
    x.forEach((xi, i) => {
      let u = 0;
      for (let j = 0; j < k; j++) u += xi[j]! * t[j]!;
      f += w[i]! * (Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u))) - y[i]! * u);
    });
    return f;
  };
  for (let it = 0; it < 100; it++) {
    const g = theta.map((t) => l2 * t);
    const h = theta.map((_, a) => theta.map((__, b) => (a === b ? l2 : 0)));
    x.forEach((xi, i) => {
      let u = 0;
      for (let j = 0; j < k; j++) u += xi[j]! * theta[j]!;
      const p = 1 / (1 + Math.exp(-u));
      const d = w[i]! * (p - y[i]!);
      const c = w[i]! * p * (1 - p);
      for (let a = 0; a < k; a++) {
        g[a] = g[a]! + d * xi[a]!;
        for (let b = 0; b < k; b++) h[a]![b] = h[a]![b]! + c * xi[a]! * xi[b]!;
      }
    });
    const step = solve(h, g);
    const f0 = loss(theta);
    let t = 1;
    let next = theta;
    for (let halvings = 0; halvings < 40; halvings++) {
      next = theta.map((v, a) => v - t * step[a]!);
      if (loss(next) <= f0) break;
      t /= 2;
    }
    theta = next;
    if (Math.max(...step.map(Math.abs)) * t < 1e-10) break;
  }
  return theta;
}
