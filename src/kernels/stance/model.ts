/**
 * Inference: a multinomial logistic regression over hashed n-gram features (`features.ts`),
 * with a temperature for calibration. Weights are one Float32Array, interleaved by bucket
 * (`weights[bucket * 3 + class]`), so a feature's three class weights share a cache line.
 */

import { behaviourOf } from "./behaviour.js";
import { extractFeatures, maxFeatures } from "./features.js";
import { detectLanguage } from "./language.js";
import {
  NUM_CLASSES,
  STANCE_LABELS,
  isTrainedLanguage,
  type StanceBehaviour,
  type StanceLabel,
  type StanceLanguage,
} from "./labels.js";
import { fuseLogits, logSumExp2, type ArabicSpecialist } from "./specialist.js";
import { applyIsotonic, type IsotonicMap } from "./calibration.js";

/** The learnt parameters. `dims` is a power of two; `weights.length === dims * 3`. */
export interface StanceWeights {
  readonly dims: number;
  readonly weights: Float32Array;
  readonly bias: Float64Array | Float32Array;
  /** Logits are divided by this before the softmax (temperature scaling); 1 = uncalibrated. */
  readonly temperature: number;
  /**
   * Per language, Platt scaling of the tempered pro log-odds d = z_pro − logsumexp(z_anti, z_neutral):
   * d := slope · d + intercept, fitted on out-of-fold logits of that language (decision 0014). The
   * anti : neutral ratio is kept.
   */
  readonly platt?: Readonly<Record<string, readonly [number, number]>>;
  /** For texts detected as Arabic: the specialist fused into the pro logit (`specialist.ts`). */
  readonly arabic?: ArabicSpecialist;
  /**
   * Per language, an isotonic map for each class but `isotonicRest` (pro and anti in decision 0019's
   * models, pro and neutral since 0030), from the tempered probability to the
   * observed frequency, fitted on out-of-fold predictions (decision 0019).
   * Applied to the scores; the label stays the argmax before it.
   */
  readonly isotonic?: Readonly<Record<string, readonly IsotonicMap[]>>;
  /**
   * The class that is the rest of the isotonic maps (the maps are for the other two, in class
   * order): 2, neutral, when absent (decision 0019); 1, anti, in models since decision 0030, where
   * mapping pro and neutral and leaving the rare class the rest is calibrated better.
   */
  readonly isotonicRest?: number;
}

/** What `classify` says about one text. `unknown`: a language the model was not trained for. */
export interface StanceResult {
  readonly label: StanceLabel | "unknown";
  /** Calibrated probability of `label` (0 for `unknown`). */
  readonly score: number;
  /** Calibrated probability of each label; they sum to 1 (all 0 for `unknown`: never pro). */
  readonly scores: { readonly pro: number; readonly anti: number; readonly neutral: number };
  readonly lang: StanceLanguage;
  /** For `pro` only, when a lexicon rule fires (`behaviour.ts`). */
  readonly behaviour?: StanceBehaviour;
}

let buffer = new Int32Array(4096);

function featureBuffer(length: number): Int32Array {
  const need = maxFeatures(length);
  if (buffer.length < need) buffer = new Int32Array(Math.max(need, buffer.length * 2));
  return buffer;
}

/**
 * Writes the raw (untempered) logits of `text` into `out` (length 3). Returns the number of
 * features. When the model has an Arabic specialist and the text is Arabic (`lang`, detected
 * when not given), its pro logit is the fused one. Allocates nothing but a rare growth of the
 * shared feature buffer.
 */
export function stanceLogits(model: StanceWeights, text: string, out: Float64Array, lang?: StanceLanguage): number {
  const features = featureBuffer(text.length);
  const n = extractFeatures(text, model.dims, features);
  const arabic = model.arabic;
  const scale = n > 0 ? 1 / Math.sqrt(n) : 0;
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  if (arabic !== undefined && (lang ?? detectLanguage(text)) === "ar") {
    // Both models' weights of a bucket side by side: one memory access instead of two.
    const w = interleavedOf(model, arabic);
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < n; j++) {
      const base = features[j]! * 5;
      z0 += w[base]!;
      z1 += w[base + 1]!;
      z2 += w[base + 2]!;
      s1 += w[base + 3]!;
      s2 += w[base + 4]!;
    }
    out[0] = z0 * scale + model.bias[0]!;
    out[1] = z1 * scale + model.bias[1]!;
    out[2] = z2 * scale + model.bias[2]!;
    fuseLogits(arabic.fuse, out, arabic.s1Scaled === true ? s1 * scale : s1, s2);
    return n;
  }
  const w = model.weights;
  for (let j = 0; j < n; j++) {
    const base = features[j]! * 3;
    z0 += w[base]!;
    z1 += w[base + 1]!;
    z2 += w[base + 2]!;
  }
  out[0] = z0 * scale + model.bias[0]!;
  out[1] = z1 * scale + model.bias[1]!;
  out[2] = z2 * scale + model.bias[2]!;
  return n;
}

const interleaved = new WeakMap<StanceWeights, Float32Array>();

/** The general model's 3 weights and the specialist's 2 per bucket, interleaved (built once per model). */
function interleavedOf(model: StanceWeights, arabic: ArabicSpecialist): Float32Array {
  let w = interleaved.get(model);
  if (!w) {
    w = new Float32Array(model.dims * 5);
    for (let i = 0; i < model.dims; i++) {
      w[i * 5] = model.weights[i * 3]!;
      w[i * 5 + 1] = model.weights[i * 3 + 1]!;
      w[i * 5 + 2] = model.weights[i * 3 + 2]!;
      w[i * 5 + 3] = arabic.weights[i * 2]!;
      w[i * 5 + 4] = arabic.weights[i * 2 + 1]!;
    }
    interleaved.set(model, w);
  }
  return w;
}

/**
 * The calibrated probabilities of raw logits `z` of a text in `lang`: softmax(z / T), with the pro
 * log-odds Platt-scaled when the model has a fit for `lang`. Writes into `out`.
 */
export function calibratedInto(model: StanceWeights, z: ArrayLike<number>, lang: string, out: Float64Array): void {
  const ab = model.platt?.[lang];
  if (ab === undefined) return softmaxInto(z, model.temperature, out);
  const t = model.temperature;
  const zAnti = z[1]! / t;
  const zNeutral = z[2]! / t;
  const rest = logSumExp2(zAnti, zNeutral);
  const d = ab[0] * (z[0]! / t - rest) + ab[1];
  scratch[0] = d + rest;
  scratch[1] = zAnti;
  scratch[2] = zNeutral;
  softmaxInto(scratch, 1, out);
}

const scratch = new Float64Array(NUM_CLASSES);

/** The smallest and largest probability an isotonic map may give (no score says "never" or "certain"). */
const ISOTONIC_FLOOR = 0.001;

/**
 * The probabilities `p` (tempered) through a language's isotonic maps, into `out`: the two classes
 * other than `rest` each through its map (floored; `maps` in class order), `rest` the remainder,
 * so that the three sum to 1 (mapping all three and renormalising pulls every class off its map).
 * When the two mapped alone pass 1 they are scaled down and `rest` gets the floor. `rest` is 2
 * (neutral) for decision 0019's models and 1 (anti) since decision 0030. `p` is copied when `maps`
 * is undefined.
 */
export function isotonicInto(
  maps: readonly IsotonicMap[] | undefined,
  p: ArrayLike<number>,
  out: Float64Array,
  rest = 2,
): void {
  if (maps === undefined) {
    for (let c = 0; c < NUM_CLASSES; c++) out[c] = p[c]!;
    return;
  }
  const a = rest === 0 ? 1 : 0;
  const b = rest === 2 ? 1 : 2;
  const qa = Math.min(1 - ISOTONIC_FLOOR, Math.max(ISOTONIC_FLOOR, applyIsotonic(maps[0]!, p[a]!)));
  const qb = Math.min(1 - ISOTONIC_FLOOR, Math.max(ISOTONIC_FLOOR, applyIsotonic(maps[1]!, p[b]!)));
  const left = 1 - qa - qb;
  if (left >= ISOTONIC_FLOOR) {
    out[a] = qa;
    out[b] = qb;
    out[rest] = left;
    return;
  }
  const k = (1 - ISOTONIC_FLOOR) / (qa + qb);
  out[a] = qa * k;
  out[b] = qb * k;
  out[rest] = ISOTONIC_FLOOR;
}

/** Softmax of `logits / temperature`, in place into `out`. */
export function softmaxInto(logits: ArrayLike<number>, temperature: number, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < NUM_CLASSES; c++) max = Math.max(max, logits[c]! / temperature);
  let sum = 0;
  for (let c = 0; c < NUM_CLASSES; c++) {
    const e = Math.exp(logits[c]! / temperature - max);
    out[c] = e;
    sum += e;
  }
  for (let c = 0; c < NUM_CLASSES; c++) out[c] = out[c]! / sum;
}

/** Index of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < values.length; c++) if (values[c]! > values[best]!) best = c;
  return best;
}

const UNKNOWN_SCORES = Object.freeze({ pro: 0, anti: 0, neutral: 0 });

const logits = new Float64Array(NUM_CLASSES);
const probs = new Float64Array(NUM_CLASSES);
const calibrated = new Float64Array(NUM_CLASSES);

/**
 * Classifies one text. A text in a language the model was not trained for (`TRAINED_LANGUAGES`;
 * also a text with no letters, `und`) gets `unknown`, never a stance.
 * @example classifyStance(weights, "داعش عصابة إرهابية لا تمثل الإسلام").label // "anti"
 */
export function classifyStance(model: StanceWeights, text: string): StanceResult {
  if (typeof text !== "string") throw new TypeError("classifyStance: text must be a string");
  const lang = detectLanguage(text);
  if (!isTrainedLanguage(lang)) return { label: "unknown", score: 0, scores: UNKNOWN_SCORES, lang };
  stanceLogits(model, text, logits, lang);
  calibratedInto(model, logits, lang, probs);
  const best = argmax(probs);
  const label = STANCE_LABELS[best]!;
  isotonicInto(model.isotonic?.[lang], probs, calibrated, model.isotonicRest);
  const scores = { pro: calibrated[0]!, anti: calibrated[1]!, neutral: calibrated[2]! };
  if (label === "pro") {
    const behaviour = behaviourOf(text);
    if (behaviour !== undefined) return { label, score: calibrated[best]!, scores, lang, behaviour };
  }
  return { label, score: calibrated[best]!, scores, lang };
}

/** Just the label index (no behaviour or probabilities): the fastest path; -1 for `unknown`. */
export function predictIndex(model: StanceWeights, text: string): number {
  const lang = detectLanguage(text);
  if (!isTrainedLanguage(lang)) return -1;
  stanceLogits(model, text, logits, lang);
  if (model.platt?.[lang] === undefined) return argmax(logits);
  calibratedInto(model, logits, lang, probs);
  return argmax(probs);
}
