/**
 * Evaluation figures for a three-class classifier: confusion matrix, accuracy, per-class
 * precision and recall, macro-F1, and calibration (expected calibration error, Brier score).
 */

import { NUM_CLASSES, STANCE_LABELS, type StanceLabel } from "./labels.js";

/** counts[true][predicted], in STANCE_LABELS order (rows = true class, columns = predicted). */
export type Confusion = number[][];

function emptyConfusion(): Confusion {
  return STANCE_LABELS.map(() => STANCE_LABELS.map(() => 0));
}

export function confusionOf(truth: readonly number[], predicted: readonly number[]): Confusion {
  const m = emptyConfusion();
  truth.forEach((t, i) => m[t]![predicted[i]!]!++);
  return m;
}

export interface ClassFigures {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface StanceMetrics {
  readonly n: number;
  readonly accuracy: number;
  /** Mean F1 over the classes that occur in the truth or the predictions. */
  readonly macroF1: number;
  readonly perClass: Record<StanceLabel, ClassFigures>;
  readonly confusion: Confusion;
}

/** Figures from a confusion matrix. A class with no predictions has precision 0 (and no NaN). */
export function metricsFromConfusion(confusion: Confusion): StanceMetrics {
  let n = 0;
  let correct = 0;
  const perClass = {} as Record<StanceLabel, ClassFigures>;
  let f1Sum = 0;
  let f1Count = 0;
  for (let c = 0; c < NUM_CLASSES; c++) {
    let support = 0;
    let predicted = 0;
    for (let k = 0; k < NUM_CLASSES; k++) {
      support += confusion[c]![k]!;
      predicted += confusion[k]![c]!;
      n += confusion[c]![k]!;
    }
    const tp = confusion[c]![c]!;
    correct += tp;
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[STANCE_LABELS[c]!] = { precision, recall, f1, support };
    if (support > 0 || predicted > 0) {
      f1Sum += f1;
      f1Count++;
    }
  }
  return { n, accuracy: n > 0 ? correct / n : 0, macroF1: f1Count > 0 ? f1Sum / f1Count : 0, perClass, confusion };
}

/**
 * Expected calibration error of the top label over `bins` equal-width confidence bins:
 * Σ (bin size / n) · |accuracy in bin − mean confidence in bin|.
 */
export function expectedCalibrationError(
  confidence: readonly number[],
  correct: readonly boolean[],
  bins = 15,
): number {
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  confidence.forEach((p, i) => {
    const b = Math.min(bins - 1, Math.floor(p * bins));
    count[b]!++;
    conf[b]! += p;
    if (correct[i]) hits[b]!++;
  });
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b]! > 0) ece += (count[b]! / confidence.length) * Math.abs(hits[b]! / count[b]! - conf[b]! / count[b]!);
  }
  return confidence.length > 0 ? ece : 0;
}

/** Multi-class Brier score: mean over items of Σ_c (p_c − [c = truth])². */
export function brierScore(probabilities: readonly ArrayLike<number>[], truth: readonly number[]): number {
  let sum = 0;
  probabilities.forEach((p, i) => {
    for (let c = 0; c < NUM_CLASSES; c++) sum += (p[c]! - (c === truth[i] ? 1 : 0)) ** 2;
  });
  return probabilities.length > 0 ? sum / probabilities.length : 0;
}

/** One bin of a reliability diagram: predictions with probability in [lo, hi). */
export interface ReliabilityBin {
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
  /** Mean predicted probability in the bin. */
  readonly predicted: number;
  /** Share of the bin's items that are of the class. */
  readonly observed: number;
}

/**
 * Reliability of one class's probability: for equal-width bins of p, the mean p against the
 * share of items truly of the class, and the ECE of that class (Σ bin share · |observed − predicted|).
 * "A score means what it says within 5 points" is ECE ≤ 0.05 and, in every bin with enough
 * items, |observed − predicted| ≤ 0.05.
 * @example reliability([0.9, 0.8, 0.1], [true, true, false], 10).ece
 */
export function reliability(
  probability: readonly number[],
  isClass: readonly boolean[],
  bins = 10,
): { readonly bins: ReliabilityBin[]; readonly ece: number } {
  const count = new Array<number>(bins).fill(0);
  const sum = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  probability.forEach((p, i) => {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b]!++;
    sum[b]! += p;
    if (isClass[i]) hits[b]!++;
  });
  const out: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    const predicted = sum[b]! / count[b]!;
    const observed = hits[b]! / count[b]!;
    out.push({ lo: b / bins, hi: (b + 1) / bins, n: count[b]!, predicted, observed });
    ece += (count[b]! / probability.length) * Math.abs(observed - predicted);
  }
  return { bins: out, ece: probability.length > 0 ? ece : 0 };
}
