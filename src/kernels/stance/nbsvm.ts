/**
 * NB-SVM (Wang & Manning 2012, "Baselines and bigrams"): a linear SVM over binarised features
 * scaled by their Naive Bayes log-count ratios r = log(p / |p|₁) − log(q / |q|₁), then the
 * weights interpolated toward their mean magnitude, w' = (1 − β)·mean|w| + β·w. The SVM is the
 * L2-regularised squared-hinge SVM solved by dual coordinate descent (Hsieh et al. 2008, the
 * LIBLINEAR solver), per-sample costs, seeded shuffles: deterministic to the bit.
 *
 * At inference the ratio and the weight fold into one number per bucket (v_j = r_j · w'_j), so a
 * text's score is a sum over its distinct buckets plus a bias: as cheap as the general model.
 * Pure, no I/O.
 */

import type { FeatureMatrix } from "./features.js";
import { mulberry32 } from "../random.js";

export interface NbSvmOptions {
  /** Laplace smoothing of the feature counts (default 1). */
  readonly alpha: number;
  /** SVM cost C per unit sample weight (default 0.1). */
  readonly cost: number;
  /**
   * Interpolation β toward the mean weight magnitude (Wang & Manning use 0.25 with a vocabulary;
   * over hashed buckets the mean is taken over all of them and β < 1 cost 4 points in our CV,
   * decision 0014; default 1: no interpolation).
   */
  readonly beta: number;
  /** Passes of coordinate descent (default 30). */
  readonly epochs: number;
  readonly seed: number;
  /**
   * `distinct`: binarised features, each text's NB-weighted vector scaled to unit length (as
   * Wang & Manning with TF-IDF-style normalisation). `counts`: feature counts scaled by
   * 1/√(number of features), exactly the general model's feature vector, so that the folded
   * weights can be summed in the same pass (`StanceWeights.arabic`). Default `counts`.
   */
  readonly features: "distinct" | "counts";
}

export const DEFAULT_NBSVM_OPTIONS: NbSvmOptions = {
  alpha: 0.1,
  cost: 10,
  beta: 1,
  epochs: 30,
  seed: 1,
  features: "counts",
};

/**
 * A binary NB-SVM folded into one weight per bucket: score = Σ over feature occurrences v / √n + bias
 * (`counts`), or Σ over distinct buckets v / √(Σ r²) + bias (`distinct`).
 */
export interface NbSvmWeights {
  readonly weights: Float32Array;
  readonly bias: number;
  /** With `distinct` features: r_j², so that a text's norm is √(Σ over its distinct buckets). */
  readonly squares?: Float32Array;
}

/** The distinct buckets of row `row` (sorted), into `out`; returns how many. */
export function distinctBuckets(matrix: FeatureMatrix, row: number, out: Int32Array): number {
  const from = matrix.offsets[row]!;
  const to = matrix.offsets[row + 1]!;
  const n = to - from;
  for (let k = 0; k < n; k++) out[k] = matrix.indices[from + k]!;
  const view = out.subarray(0, n).sort();
  let m = 0;
  for (let k = 0; k < n; k++) if (k === 0 || view[k] !== view[k - 1]) out[m++] = view[k]!;
  return m;
}

/**
 * Trains on `rows` of `matrix` (binary truth `positive`, sample weights `weight`).
 * @example
 * const m = trainNbSvm(matrix, rows, (i) => y[i] === 1, () => 1);
 * nbSvmScore(m, matrix, row) > 0 // predicted positive
 */
export function trainNbSvm(
  matrix: FeatureMatrix,
  rows: readonly number[],
  positive: (row: number) => boolean,
  weight: (row: number) => number,
  options: Partial<NbSvmOptions> = {},
): NbSvmWeights {
  const o = { ...DEFAULT_NBSVM_OPTIONS, ...options };
  const dims = matrix.dims;
  // Distinct buckets of each row, once.
  let longest = 0;
  for (const row of rows) longest = Math.max(longest, matrix.offsets[row + 1]! - matrix.offsets[row]!);
  const scratch = new Int32Array(longest);
  const starts = new Int32Array(rows.length + 1);
  const parts: Int32Array[] = [];
  let total = 0;
  const counted: Float64Array[] = [];
  const counts = o.features === "counts";
  const scale = new Float64Array(rows.length).fill(1);
  rows.forEach((row, i) => {
    const n = matrix.offsets[row + 1]! - matrix.offsets[row]!;
    const m = distinctBuckets(matrix, row, scratch);
    const distinct = scratch.slice(0, m);
    const val = new Float64Array(m).fill(1);
    if (counts) {
      const at = new Map<number, number>();
      distinct.forEach((b, k) => at.set(b, k));
      for (let k = matrix.offsets[row]!; k < matrix.offsets[row + 1]!; k++) val[at.get(matrix.indices[k]!)!]! += 1;
      for (let k = 0; k < m; k++) val[k] = val[k]! - 1;
      if (n > 0) scale[i] = 1 / Math.sqrt(n);
    }
    parts.push(distinct);
    counted.push(val);
    total += m;
    starts[i + 1] = total;
  });
  const idx = new Int32Array(total);
  const val = new Float64Array(total);
  parts.forEach((p, i) => {
    idx.set(p, starts[i]!);
    val.set(counted[i]!, starts[i]!);
  });
  const y = Int8Array.from(rows, (row) => (positive(row) ? 1 : -1));
  const c = Float64Array.from(rows, (row) => o.cost * weight(row));

  // Naive Bayes ratios over the features (binarised or counted), weighted.
  const p = new Float64Array(dims).fill(o.alpha);
  const q = new Float64Array(dims).fill(o.alpha);
  for (let i = 0; i < rows.length; i++) {
    const target = y[i]! > 0 ? p : q;
    const w = weight(rows[i]!);
    for (let k = starts[i]!; k < starts[i + 1]!; k++) target[idx[k]!]! += w * val[k]!;
  }
  let sp = 0;
  let sq = 0;
  for (let j = 0; j < dims; j++) {
    sp += p[j]!;
    sq += q[j]!;
  }
  const r = new Float64Array(dims);
  for (let j = 0; j < dims; j++) r[j] = Math.log(p[j]! / sp) - Math.log(q[j]! / sq);

  // Dual coordinate descent, L2-loss SVM, with a bias feature of value 1.
  const w = new Float64Array(dims);
  let b = 0;
  const alpha = new Float64Array(rows.length);
  const qii = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    let s = 0;
    for (let k = starts[i]!; k < starts[i + 1]!; k++) s += (val[k]! * r[idx[k]!]!) ** 2;
    if (!counts && s > 0) scale[i] = 1 / Math.sqrt(s);
    qii[i] = s * scale[i]! ** 2 + 1 + (c[i]! > 0 ? 1 / (2 * c[i]!) : Infinity);
  }
  const order = Int32Array.from(rows, (_, i) => i);
  const random = mulberry32(o.seed);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    let maxChange = 0;
    for (const i of order) {
      if (!(c[i]! > 0)) continue;
      let u = 0;
      for (let k = starts[i]!; k < starts[i + 1]!; k++) u += w[idx[k]!]! * r[idx[k]!]! * val[k]!;
      u = u * scale[i]! + b;
      const g = y[i]! * u - 1 + alpha[i]! / (2 * c[i]!);
      const next = Math.max(alpha[i]! - g / qii[i]!, 0);
      const d = (next - alpha[i]!) * y[i]!;
      if (d === 0) continue;
      alpha[i] = next;
      maxChange = Math.max(maxChange, Math.abs(d));
      const ds = d * scale[i]!;
      for (let k = starts[i]!; k < starts[i + 1]!; k++) w[idx[k]!] = w[idx[k]!]! + ds * r[idx[k]!]! * val[k]!;
      b += d;
    }
    if (maxChange < 1e-6) break;
  }

  // Interpolation toward the mean magnitude, w' = (1 − β)·w̄ + β·w (w̄ = |w|₁ / dims: toward
  // multinomial NB), folded with r into one weight per bucket.
  let sum = 0;
  for (let j = 0; j < dims; j++) sum += Math.abs(w[j]!);
  const mean = sum / dims;
  const v = new Float32Array(dims);
  for (let j = 0; j < dims; j++) v[j] = ((1 - o.beta) * mean + o.beta * w[j]!) * r[j]!;
  if (counts) return { weights: v, bias: b };
  return { weights: v, bias: b, squares: Float32Array.from(r, (x) => x * x) };
}

/** The NB-SVM score of row `row` of `matrix` (> 0: positive). */
export function nbSvmScore(model: NbSvmWeights, matrix: FeatureMatrix, row: number, scratch?: Int32Array): number {
  if (!model.squares) {
    // counts: Σ over every feature occurrence, scaled by 1/√n
    const from = matrix.offsets[row]!;
    const to = matrix.offsets[row + 1]!;
    let sum = 0;
    for (let k = from; k < to; k++) sum += model.weights[matrix.indices[k]!]!;
    return (to > from ? sum / Math.sqrt(to - from) : 0) + model.bias;
  }
  const buf = scratch ?? new Int32Array(matrix.offsets[row + 1]! - matrix.offsets[row]!);
  const m = distinctBuckets(matrix, row, buf);
  let s = 0;
  let norm = 0;
  const squares = model.squares;
  for (let k = 0; k < m; k++) {
    s += model.weights[buf[k]!]!;
    if (squares) norm += squares[buf[k]!]!;
  }
  return (squares && norm > 0 ? s / Math.sqrt(norm) : s) + model.bias;
}
