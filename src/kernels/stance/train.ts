/**
 * Training: multinomial logistic regression by stochastic gradient descent, pure and
 * deterministic — the same data, options and seed give the same weights, bit for bit (the
 * order of every floating-point operation is fixed; the shuffles come from a seeded PRNG).
 *
 * L2 regularisation uses Bottou's scaling trick (weights = s · v, and the decay multiplies s),
 * so each step costs only the text's own features. The step size decays as
 * η_t = η0 / (1 + η0 · λ · t) per the usual SGD schedule, and also halves between epochs.
 */

import type { FeatureMatrix } from "./features.js";
import { NUM_CLASSES } from "./labels.js";
import type { StanceWeights } from "./model.js";
import { mulberry32, shuffled } from "../random.js";

export interface TrainOptions {
  readonly dims: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly seed: number;
  /** The step size is multiplied by this between epochs (default 0.5). */
  readonly epochDecay?: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  dims: 1 << 18,
  epochs: 8,
  learningRate: 2,
  l2: 1e-6,
  seed: 20151113,
};

/**
 * Trains on the rows `rows` of `matrix` with labels `labels[row]` (0 pro, 1 anti, 2 neutral)
 * and per-row sample weights. `onEpoch` reports progress. Returns weights with temperature 1.
 */
export function trainStance(
  matrix: FeatureMatrix,
  labels: ArrayLike<number>,
  sampleWeights: ArrayLike<number>,
  rows: readonly number[],
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
  onEpoch?: (epoch: number) => void,
): StanceWeights {
  const { dims, epochs, learningRate, l2, seed } = options;
  if (matrix.dims !== dims) throw new RangeError(`feature matrix has ${matrix.dims} buckets, options ${dims}`);
  const v = new Float64Array(dims * NUM_CLASSES);
  const bias = new Float64Array(NUM_CLASSES);
  const z = new Float64Array(NUM_CLASSES);
  const g = new Float64Array(NUM_CLASSES);
  const { offsets, indices } = matrix;
  let s = 1;
  let t = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = shuffled(rows, mulberry32((seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0));
    const epochRate = learningRate * (options.epochDecay ?? 0.5) ** epoch;
    for (const row of order) {
      const from = offsets[row]!;
      const to = offsets[row + 1]!;
      const m = to - from;
      const eta = epochRate / (1 + epochRate * l2 * t++);
      const x = m > 0 ? 1 / Math.sqrt(m) : 0;
      let z0 = 0;
      let z1 = 0;
      let z2 = 0;
      for (let k = from; k < to; k++) {
        const base = indices[k]! * 3;
        z0 += v[base]!;
        z1 += v[base + 1]!;
        z2 += v[base + 2]!;
      }
      z[0] = s * x * z0 + bias[0]!;
      z[1] = s * x * z1 + bias[1]!;
      z[2] = s * x * z2 + bias[2]!;
      const max = Math.max(z[0], z[1], z[2]);
      const e0 = Math.exp(z[0] - max);
      const e1 = Math.exp(z[1] - max);
      const e2 = Math.exp(z[2] - max);
      const sum = e0 + e1 + e2;
      const y = labels[row]!;
      const w = sampleWeights[row]!;
      g[0] = w * (e0 / sum - (y === 0 ? 1 : 0));
      g[1] = w * (e1 / sum - (y === 1 ? 1 : 0));
      g[2] = w * (e2 / sum - (y === 2 ? 1 : 0));
      s *= 1 - eta * l2;
      const step = (eta * x) / s;
      const d0 = step * g[0];
      const d1 = step * g[1];
      const d2 = step * g[2];
      for (let k = from; k < to; k++) {
        const base = indices[k]! * 3;
        v[base] = v[base]! - d0;
        v[base + 1] = v[base + 1]! - d1;
        v[base + 2] = v[base + 2]! - d2;
      }
      bias[0] = bias[0]! - eta * 0.1 * g[0];
      bias[1] = bias[1]! - eta * 0.1 * g[1];
      bias[2] = bias[2]! - eta * 0.1 * g[2];
      if (s < 1e-6) {
        for (let k = 0; k < v.length; k++) v[k] = v[k]! * s;
        s = 1;
      }
    }
    onEpoch?.(epoch + 1);
  }
  const weights = new Float32Array(v.length);
  for (let k = 0; k < v.length; k++) weights[k] = v[k]! * s;
  return { dims, weights, bias: Float32Array.from(bias), temperature: 1 };
}

/**
 * Assigns each item to one of `k` folds, stratified by `strata[i]` (e.g. "label|corpus"):
 * within each stratum the items are shuffled with `seed` and dealt round-robin, so every fold
 * gets its share of every stratum. Deterministic.
 */
export function stratifiedFolds(strata: readonly string[], k: number, seed: number): Int32Array {
  const fold = new Int32Array(strata.length);
  const groups = new Map<string, number[]>();
  strata.forEach((s, i) => {
    const g = groups.get(s);
    if (g) g.push(i);
    else groups.set(s, [i]);
  });
  let offset = 0;
  for (const key of [...groups.keys()].sort()) {
    shuffled(groups.get(key)!, mulberry32(seed)).forEach((item, j) => {
      fold[item] = (j + offset) % k;
    });
    offset += groups.get(key)!.length;
  }
  return fold;
}
