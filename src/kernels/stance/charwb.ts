/**
 * The NB-SVM baseline written as Wang & Manning (2012, "Baselines and bigrams") describe it, over
 * an exact vocabulary of character n-grams within word boundaries (scikit-learn's `char_wb`):
 *   - each word of the folded text (`foldForStance`: rasd's Arabic normalisation) is padded with one
 *     space on each side, and its n-grams of every length in [minN, maxN] are the features; a padded
 *     word shorter than n gives itself once, as scikit-learn does;
 *   - features are binarised, f̂ = 1{f > 0};
 *   - r = log(p / |p|₁) − log(q / |q|₁), p = α + Σ over positive texts of f̂, q likewise (α = 1);
 *   - a linear model on x̃ = r ∘ f̂: the L2-regularised squared-hinge SVM (the paper's) or L2
 *     logistic regression, both by dual coordinate descent (Hsieh et al. 2008; Yu, Huang & Lin
 *     2011, the LIBLINEAR solvers), the bias a feature of value 1 as LIBLINEAR's `-B 1`;
 *   - interpolation w' = (1 − β)·w̄ + β·w, w̄ = |w|₁ / |V| (the paper's β = 0.25).
 * The ratio and the weight fold into one number per n-gram. Deterministic (seeded shuffles).
 * Decision 0037. Pure, no I/O.
 */

import { foldForStance } from "./fold.js";
import { mulberry32 } from "../random.js";

export interface CharWbOptions {
  /** Shortest and longest n-gram (default 1–5). */
  readonly minN: number;
  readonly maxN: number;
  /** Laplace smoothing of the binarised counts (default 1, the paper's). */
  readonly alpha: number;
  /** Cost C (default 1, the paper's). */
  readonly cost: number;
  /** Interpolation toward the mean magnitude (default 0.25, the paper's for SVM). */
  readonly beta: number;
  /**
   * `svm`: squared hinge (the paper's NB-SVM); `lr`: logistic regression (NB-LR); `nb`: no linear
   * model, w = 1 and b = log(n₊ / n₋) (the paper's MNB over binarised features, its other baseline).
   */
  readonly loss: "svm" | "lr" | "nb";
  /** Scale each row x̃ to unit length (not in the paper; default false). */
  readonly unitRows: boolean;
  /** Passes of coordinate descent at most (default 1,000), and the stopping tolerance. */
  readonly epochs: number;
  readonly tolerance: number;
  readonly seed: number;
  /**
   * Word n-grams of lengths 1 to `wordN` beside the char n-grams (default 0: none; not in the
   * paper's char_wb baseline, its word-bigram NB-SVM; decision 0046).
   */
  readonly wordN: number;
  /**
   * scikit-learn's own `char_wb` input instead of rasd's folding (default false; decision 0052):
   * the text lower-cased and split on white space, links, mentions, punctuation and emoji kept,
   * n-grams over code points.
   */
  readonly raw: boolean;
}

export const DEFAULT_CHARWB_OPTIONS: CharWbOptions = {
  minN: 1,
  maxN: 5,
  alpha: 1,
  cost: 1,
  beta: 0.25,
  loss: "svm",
  unitRows: false,
  epochs: 1000,
  tolerance: 1e-4,
  seed: 1,
  wordN: 0,
  raw: false,
};

/** The distinct char_wb n-grams of `text` after folding (scikit-learn's `_char_wb_ngrams`). */
export function charWbNgrams(text: string, minN: number, maxN: number, wordN = 0, raw = false): Set<string> {
  const out = new Set<string>();
  const words = (raw ? text.toLowerCase().split(/\s+/u) : foldForStance(text).split(" ")).filter((w) => w.length > 0);
  // Word n-grams carry a NUL, which no char n-gram of a folded text holds.
  for (let n = 1; n <= wordN; n++)
    for (let i = 0; i + n <= words.length; i++) out.add(`\u0000${words.slice(i, i + n).join(" ")}`);
  for (const word of words) {
    if (word.length === 0) continue;
    // Raw: over code points, as Python slices a str; folded text has no surrogates.
    const w = raw ? [...` ${word} `] : ` ${word} `;
    for (let n = minN; n <= maxN; n++) {
      if (w.length < n) {
        out.add(raw ? (w as string[]).join("") : (w as string));
        break;
      }
      for (let i = 0; i + n <= w.length; i++)
        out.add(raw ? (w as string[]).slice(i, i + n).join("") : (w as string).slice(i, i + n));
    }
  }
  return out;
}

/** A trained char_wb NB-SVM: one folded weight r_j·w'_j per n-gram, and a bias. */
export interface CharWbModel {
  readonly minN: number;
  readonly maxN: number;
  readonly wordN?: number;
  readonly raw?: boolean;
  readonly weights: ReadonlyMap<string, number>;
  readonly bias: number;
  /** With `unitRows`: r_j² per n-gram, for the row norm. */
  readonly squares?: ReadonlyMap<string, number>;
}

/**
 * Trains on `texts` with binary truth `positive`.
 * @example
 * const m = trainCharWb(["الله اكبر", "مباراة اليوم"], [true, false]);
 * charWbScore(m, "الله اكبر") > 0 // true
 */
export function trainCharWb(
  texts: readonly string[],
  positive: readonly boolean[],
  options: Partial<CharWbOptions> = {},
  sampleWeights?: readonly number[],
): CharWbModel {
  const o = { ...DEFAULT_CHARWB_OPTIONS, ...options };
  // Per-text weights (decision 0046): they multiply the text's counts in p and q and its cost C.
  const sw = (i: number): number => sampleWeights?.[i] ?? 1;
  const vocab = new Map<string, number>();
  const rows: Int32Array[] = texts.map((t) => {
    const ids: number[] = [];
    for (const g of charWbNgrams(t, o.minN, o.maxN, o.wordN, o.raw)) {
      let id = vocab.get(g);
      if (id === undefined) vocab.set(g, (id = vocab.size));
      ids.push(id);
    }
    return Int32Array.from(ids);
  });
  const dims = vocab.size;
  const p = new Float64Array(dims).fill(o.alpha);
  const q = new Float64Array(dims).fill(o.alpha);
  rows.forEach((ids, i) => {
    const target = positive[i] ? p : q;
    const wi = sw(i);
    for (const j of ids) target[j]! += wi;
  });
  let sp = 0;
  let sq = 0;
  for (let j = 0; j < dims; j++) {
    sp += p[j]!;
    sq += q[j]!;
  }
  const r = new Float64Array(dims);
  for (let j = 0; j < dims; j++) r[j] = Math.log(p[j]! / sp) - Math.log(q[j]! / sq);

  const n = rows.length;
  const y = Int8Array.from(positive, (b) => (b ? 1 : -1));
  const scale = new Float64Array(n).fill(1);
  const qii = new Float64Array(n);
  rows.forEach((ids, i) => {
    let s = 0;
    for (const j of ids) s += r[j]! ** 2;
    if (o.unitRows && s > 0) scale[i] = 1 / Math.sqrt(s);
    qii[i] = s * scale[i]! ** 2 + 1; // + 1: the bias feature
  });
  const w = new Float64Array(dims);
  let b = 0;
  const costs = Float64Array.from({ length: n }, (_, i) => o.cost * sw(i));
  const a = new Float64Array(n);
  const dot = (i: number): number => {
    let u = 0;
    for (const j of rows[i]!) u += w[j]! * r[j]!;
    return u * scale[i]! + b;
  };
  const add = (i: number, d: number): void => {
    const ds = d * scale[i]!;
    for (const j of rows[i]!) w[j] = w[j]! + ds * r[j]!;
    b += d;
  };
  if (o.loss === "lr") {
    // Dual LR: α_i ∈ (0, C), started inside the box as LIBLINEAR does.
    for (let i = 0; i < n; i++) {
      const start = Math.min(0.001 * costs[i]!, 1e-8);
      a[i] = start;
      add(i, y[i]! * start);
    }
  }
  if (o.loss === "nb") {
    w.fill(1);
    let wp = 0;
    let wn = 0;
    positive.forEach((pos, i) => {
      if (pos) wp += sw(i);
      else wn += sw(i);
    });
    b = Math.log(Math.max(wp, 1) / Math.max(wn, 1));
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const random = mulberry32(o.seed);
  for (let epoch = 0; epoch < (o.loss === "nb" ? 0 : o.epochs); epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    let maxChange = 0;
    for (const i of order) {
      const C = costs[i]!;
      if (!(C > 0)) continue;
      const g0 = y[i]! * dot(i);
      let next: number;
      if (o.loss === "svm") {
        // L2-loss SVM dual: D_ii = 1/(2C), no upper bound.
        const g = g0 - 1 + a[i]! / (2 * C);
        next = Math.max(a[i]! - g / (qii[i]! + 1 / (2 * C)), 0);
      } else {
        // min over z ∈ (0, C): ½Q(z − a)² + (z − a)·g0 + z log z + (C − z) log(C − z); its derivative
        // Q(z − a) + g0 + log(z / (C − z)) is increasing: safeguarded Newton on it.
        const ai = a[i]!;
        let lo = 0;
        let hi = C;
        let z = Math.min(Math.max(ai, 1e-12 * C), C * (1 - 1e-12));
        for (let it = 0; it < 100; it++) {
          const f = qii[i]! * (z - ai) + g0 + Math.log(z / (C - z));
          if (Math.abs(f) < 1e-12) break;
          if (f > 0) hi = z;
          else lo = z;
          const fp = qii[i]! + C / (z * (C - z));
          let t = z - f / fp;
          if (!(t > lo && t < hi)) t = (lo + hi) / 2;
          if (Math.abs(t - z) < 1e-15 * C) {
            z = t;
            break;
          }
          z = t;
        }
        next = z;
      }
      const d = (next - a[i]!) * y[i]!;
      if (d === 0) continue;
      a[i] = next;
      maxChange = Math.max(maxChange, Math.abs(d));
      add(i, d);
    }
    if (maxChange < o.tolerance) break;
  }

  let sum = 0;
  for (let j = 0; j < dims; j++) sum += Math.abs(w[j]!);
  const mean = dims > 0 ? sum / dims : 0;
  const weights = new Map<string, number>();
  const squares = o.unitRows ? new Map<string, number>() : undefined;
  for (const [g, j] of vocab) {
    weights.set(g, ((1 - o.beta) * mean + o.beta * w[j]!) * r[j]!);
    squares?.set(g, r[j]! ** 2);
  }
  // The paper interpolates w only; the bias b stays as learnt.
  const bias = b;
  const words = { ...(o.wordN > 0 ? { wordN: o.wordN } : {}), ...(o.raw ? { raw: true } : {}) };
  return squares
    ? { minN: o.minN, maxN: o.maxN, ...words, weights, bias, squares }
    : { minN: o.minN, maxN: o.maxN, ...words, weights, bias };
}

/** The model's score of `text` (> 0: positive). Unknown n-grams weigh nothing. */
export function charWbScore(model: CharWbModel, text: string): number {
  let s = 0;
  let norm = 0;
  for (const g of charWbNgrams(text, model.minN, model.maxN, model.wordN ?? 0, model.raw ?? false)) {
    s += model.weights.get(g) ?? 0;
    if (model.squares) norm += model.squares.get(g) ?? 0;
  }
  return (model.squares && norm > 0 ? s / Math.sqrt(norm) : s) + model.bias;
}
