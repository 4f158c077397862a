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
