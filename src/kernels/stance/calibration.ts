/**
 * Temperature scaling (Guo et al. 2017): one scalar T > 0 that divides every logit, chosen to
 * minimise the negative log-likelihood of held-out (cross-validated) predictions. It changes
 * the confidence of each prediction, never which label wins.
 */

import { NUM_CLASSES } from "./labels.js";

/** Mean negative log-likelihood of `truth` under softmax(logits / t). */
function negativeLogLikelihood(logits: readonly ArrayLike<number>[], truth: readonly number[], t: number): number {
  let sum = 0;
  logits.forEach((z, i) => {
    let max = -Infinity;
    for (let c = 0; c < NUM_CLASSES; c++) max = Math.max(max, z[c]! / t);
    let lse = 0;
    for (let c = 0; c < NUM_CLASSES; c++) lse += Math.exp(z[c]! / t - max);
    sum += max + Math.log(lse) - z[truth[i]!]! / t;
  });
  return logits.length > 0 ? sum / logits.length : 0;
}

/**
 * The temperature in [0.05, 20] that minimises the NLL, by golden-section search on log T
 * (the NLL is unimodal in T for fixed logits). Deterministic.
 * @example fitTemperature(cvLogits, cvTruth) // e.g. 0.62: the raw model was under-confident
 */
export function fitTemperature(logits: readonly ArrayLike<number>[], truth: readonly number[]): number {
  if (logits.length === 0) return 1;
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = negativeLogLikelihood(logits, truth, Math.exp(a));
  let fb = negativeLogLikelihood(logits, truth, Math.exp(b));
  for (let i = 0; i < 60; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = negativeLogLikelihood(logits, truth, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = negativeLogLikelihood(logits, truth, Math.exp(b));
    }
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * A monotone map from a predicted probability to an observed frequency: knots `x` (increasing)
 * and `y` (non-decreasing, in [0, 1]), linear in between, flat beyond the ends.
 */
export interface IsotonicMap {
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/**
 * Isotonic regression (pool adjacent violators, weighted) of the outcomes `hit` on the predicted
 * probabilities `p`; each pooled block becomes one knot at its weighted mean prediction. Blocks are
 * pooled further until each holds at least `minWeight` of weight, so that a few items never make a
 * step of their own (the map would then follow noise). Deterministic.
 * @example fitIsotonic([0.1, 0.4, 0.9], [false, true, true], [1, 1, 1], 1) // { x: [0.1, 0.65], y: [0, 1] }
 */
export function fitIsotonic(
  p: readonly number[],
  hit: readonly boolean[],
  weight: readonly number[],
  minWeight = 20,
): IsotonicMap {
  const order = p.map((_, i) => i).sort((a, b) => p[a]! - p[b]! || a - b);
  // Blocks: weight, Σ w·p, Σ w·hit.
  const w: number[] = [];
  const sx: number[] = [];
  const sy: number[] = [];
  const merge = (): void => {
    const k = w.length - 1;
    w[k - 1] = w[k - 1]! + w[k]!;
    sx[k - 1] = sx[k - 1]! + sx[k]!;
    sy[k - 1] = sy[k - 1]! + sy[k]!;
    w.pop();
    sx.pop();
    sy.pop();
  };
  for (const i of order) {
    const wi = weight[i]!;
    if (!(wi > 0)) continue;
    w.push(wi);
    sx.push(wi * p[i]!);
    sy.push(hit[i] ? wi : 0);
    // Pool while the last block is lighter than minWeight or violates monotonicity.
    while (w.length > 1) {
      const k = w.length - 1;
      const small = w[k - 1]! < minWeight;
      if (small || sy[k - 1]! / w[k - 1]! >= sy[k]! / w[k]!) merge();
      else break;
    }
  }
  // A light last block joins its neighbour.
  while (w.length > 1 && w[w.length - 1]! < minWeight) merge();
  if (w.length === 0) return { x: [0, 1], y: [0, 1] };
  // Knots strictly increasing in x (blocks of equal mean prediction become one).
  const x: number[] = [];
  const y: number[] = [];
  const wx: number[] = [];
  w.forEach((wk, k) => {
    const xk = sx[k]! / wk;
    const yk = sy[k]! / wk;
    const last = x.length - 1;
    if (last >= 0 && xk <= x[last]!) {
      y[last] = (y[last]! * wx[last]! + yk * wk) / (wx[last]! + wk);
      wx[last] = wx[last]! + wk;
    } else {
      x.push(xk);
      y.push(yk);
      wx.push(wk);
    }
  });
  return { x, y };
}

/** The map at `p`: linear between knots, flat beyond them. */
export function applyIsotonic(map: IsotonicMap, p: number): number {
  const { x, y } = map;
  const n = x.length;
  if (p <= x[0]!) return y[0]!;
  if (p >= x[n - 1]!) return y[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= p) lo = mid;
    else hi = mid;
  }
  const t = (p - x[lo]!) / (x[hi]! - x[lo]! || 1);
  return y[lo]! + t * (y[hi]! - y[lo]!);
}
