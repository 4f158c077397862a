/**
 * The training pipeline behind `rasd train`: reads the train split of the stance corpus,
 * cross-validates (k-fold, stratified by label and corpus), fits the temperature on the
 * out-of-fold logits, trains the final model on the whole train split, scores the held-out
 * test split, and returns the model file's bytes. Deterministic: the same data and options
 * give byte-identical files (nothing in the header depends on time or machine).
 */

import {
  DEFAULT_TRAIN_OPTIONS,
  NUM_CLASSES,
  STANCE_LABELS,
  TRAINED_LANGUAGES,
  argmax,
  isTrainedLanguage,
  calibratedInto,
  brierScore,
  confusionOf,
  encodeStanceModel,
  expectedCalibrationError,
  featureMatrix,
  fitIsotonic,
  fitLogistic,
  fitTemperature,
  isotonicInto,
  reliability,
  fuseLogits,
  fusionInputs,
  interleaveRatios,
  logSumExp2,
  naiveBayesRatios,
  specialistScores,
  labelIndex,
  metricsFromConfusion,
  softmaxInto,
  stanceLogits,
  stratifiedFolds,
  trainStance,
  trainNbSvm,
  type Confusion,
  type FeatureMatrix,
  type IsotonicMap,
  type ReliabilityBin,
  type StanceLanguage,
  type StanceWeights,
  type TrainOptions,
} from "../../kernels/stance/index.js";
import { loadStanceCorpus, type ExtraLabel, type StanceCorpusName, type StanceItem } from "./corpus.js";

export const STANCE_MODEL_VERSION = "stance-v2";

/** The NB-SVM of the Arabic specialist's s1 (decision 0014: chosen by 10-fold CV on alfifi). */
export const ARABIC_NBSVM = { alpha: 0.1, cost: 10, beta: 1, epochs: 30, seed: 1, features: "counts" } as const;

/** How much each training item counts, by corpus and label (see training/stance/README.md). */
export function sampleWeight(item: Pick<StanceItem, "source" | "label">): number {
  if (item.source === "fifthtribe" && item.label === "pro") return 0.5; // noisy: not every fanboy tweet is propaganda
  if (item.label === "anti") return 5; // few, hand-labelled
  // The only labelled Arabic pro set is small against ~25,000 Arabic neutral tweets.
  if (item.source === "alfifi" || item.source === "handwritten" || item.source === "labels") return 10;
  return 1;
}

/** Figures of one evaluation, as stored in the model header. */
export interface StanceFigures {
  readonly n: number;
  /** counts[true][predicted] over pro, anti, neutral. */
  readonly confusion: Confusion;
  readonly accuracy: number;
  readonly macroF1: number;
  readonly perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  /** Expected calibration error of the top label (15 bins), with the fitted temperature. */
  readonly ece: number;
  readonly brier: number;
}

/** The validation block of the model header. */
export interface StanceValidation extends StanceFigures {
  readonly method: string;
  readonly folds: number;
  /** ECE of the uncalibrated (temperature 1) out-of-fold predictions. */
  readonly eceUncalibrated: number;
  readonly perLanguage: Partial<Record<StanceLanguage, StanceFigures>>;
  readonly perSource: Partial<Record<StanceCorpusName, StanceFigures>>;
  /** The alfifi task as published: pro vs not (anti and neutral both count as not). */
  readonly alfifiBinaryAccuracy: number;
}

/** How the Arabic specialist was built (`kernels/stance/specialist.ts`). */
export interface StanceSpecialistInfo {
  readonly method: string;
  /** Fusion θ over [d, s1/10, s2/10, (s1/10)·σ(s2/10), 1]. */
  readonly fuse: readonly number[];
  /** The general model alone, cross-validated: alfifi pro vs not, and all three classes. */
  readonly generalOnly: { readonly alfifiBinaryAccuracy: number; readonly accuracy: number };
}

/** One class's calibration on some items: reliability bins, ECE, and the largest gap of a well-filled bin. */
export interface ClassCalibrationFigures {
  readonly ece: number;
  /** max |observed − predicted| over bins holding at least `CALIBRATION_MIN_BIN` items (0 if none). */
  readonly maxGap: number;
  /**
   * Bins (any size) whose 95% Wilson interval of the observed share lies wholly more than 5 points
   * from the bin's mean prediction: the bins the data show to be off by more than 5 points, as
   * opposed to bins too small to tell (decision 0030).
   */
  readonly beyond5: number;
  readonly bins: readonly ReliabilityBin[];
}

/** The 95% Wilson score interval of `k` successes in `n` trials. */
export function wilsonInterval(k: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.959964;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Whether a bin's observed share is shown (95%) to be more than 5 points off its mean prediction. */
export function binBeyond5(bin: ReliabilityBin): boolean {
  if (bin.n === 0) return false;
  const [lo, hi] = wilsonInterval(Math.round(bin.observed * bin.n), bin.n);
  return lo > bin.predicted + 0.05 || hi < bin.predicted - 0.05;
}

/** Per scope ("all" and each trained language), per class. */
export type CalibrationReport = Record<string, Record<string, ClassCalibrationFigures>>;

/** Bins with fewer items than this are reported but not held to the 5-point bound (their noise is larger). */
export const CALIBRATION_MIN_BIN = 30;

/** The calibration block of the model header (decision 0019). */
export interface StanceCalibrationInfo {
  readonly method: string;
  /** Out-of-fold: temperature only, and with the isotonic maps cross-fitted (fold k's maps from the other folds). */
  readonly cvTemperatureOnly: CalibrationReport;
  readonly cv: CalibrationReport;
  /** The shipped model on the held-out split: temperature only, and with the shipped maps. */
  readonly heldOutTemperatureOnly: CalibrationReport;
  readonly heldOut: CalibrationReport;
}

/**
 * Reliability of each class's probability, overall and per language of `langs`.
 * @example calibrationReport(["ar", "en"], truth, probs).ar.pro.ece
 */
export function calibrationReport(
  langs: readonly string[],
  truth: readonly number[],
  probs: readonly ArrayLike<number>[],
): CalibrationReport {
  const scopes = ["all", ...[...new Set(langs)].filter(isTrainedLanguage).sort()];
  const out: CalibrationReport = {};
  for (const scope of scopes) {
    const idx = truth.flatMap((_, i) => (scope === "all" || langs[i] === scope ? [i] : []));
    out[scope] = Object.fromEntries(
      STANCE_LABELS.map((label, c) => {
        const r = reliability(
          idx.map((i) => probs[i]![c]!),
          idx.map((i) => truth[i] === c),
        );
        const gaps = r.bins.filter((b) => b.n >= CALIBRATION_MIN_BIN).map((b) => Math.abs(b.observed - b.predicted));
        const maxGap = gaps.length > 0 ? Math.max(...gaps) : 0;
        return [label, { ece: r.ece, maxGap, beyond5: r.bins.filter(binBeyond5).length, bins: r.bins }];
      }),
    );
  }
  return out;
}

/**
 * The class left as the rest of the isotonic maps: anti, the rare class in both languages (decision
 * 0030: mapping pro and neutral brought every well-filled bin within 5 points in cross-fitted CV,
 * where decision 0019's pro and anti maps left neutral up to 12.5 points off).
 */
export const ISOTONIC_REST = 1;

/** The two classes mapped (in class order): the ones other than `ISOTONIC_REST`. */
const MAPPED = [0, 1, 2].filter((c) => c !== ISOTONIC_REST);

/** Isotonic maps per trained language (pro, neutral) from the tempered probabilities of `rows`. */
function fitIsotonicMaps(
  items: readonly StanceItem[],
  truth: readonly number[],
  probs: readonly ArrayLike<number>[],
  rows: readonly number[],
): Record<string, IsotonicMap[]> {
  const out: Record<string, IsotonicMap[]> = {};
  for (const lang of TRAINED_LANGUAGES) {
    const idx = rows.filter((i) => items[i]!.lang === lang);
    if (idx.length === 0) continue;
    out[lang] = MAPPED.map((c) =>
      fitIsotonic(
        idx.map((i) => probs[i]![c]!),
        idx.map((i) => truth[i] === c),
        idx.map(() => 1),
      ),
    );
  }
  return out;
}

function throughMaps(
  maps: Record<string, readonly IsotonicMap[]>,
  items: readonly StanceItem[],
  probs: readonly ArrayLike<number>[],
): Float64Array[] {
  return probs.map((p, i) => {
    const out = new Float64Array(NUM_CLASSES);
    isotonicInto(maps[items[i]!.lang], p, out, ISOTONIC_REST);
    return out;
  });
}

export interface StanceModelHeader {
  readonly format: "rasd-stance";
  readonly version: string;
  readonly dims: number;
  readonly temperature: number;
  readonly scale: number;
  readonly labels: readonly string[];
  readonly features: { readonly charNgrams: readonly [number, number]; readonly wordNgrams: readonly [number, number] };
  readonly training: {
    readonly options: TrainOptions;
    readonly items: Record<string, Record<string, number>>;
    readonly testShare: number;
    readonly arabicSpecialist: StanceSpecialistInfo;
  };
  readonly validation: StanceValidation;
  readonly calibration: StanceCalibrationInfo;
  /** The final model on the held-out test split (never trained on). */
  readonly heldOut: Omit<StanceValidation, "method" | "folds" | "eceUncalibrated">;
}

export interface TrainPipelineOptions {
  readonly sharedDir: string;
  readonly folds?: number;
  readonly train?: Partial<TrainOptions>;
  /** Use only the first N items of each corpus (for quick runs and tests). */
  readonly limitPerSource?: number;
  readonly referencesDir?: string;
  /** Extra labelled texts (`rasd train --with-labels`), added to the train split. */
  readonly extraLabels?: readonly ExtraLabel[];
  /** Platt-scale the pro log-odds per trained language after the temperature (default false). */
  readonly platt?: boolean;
  /** Sample weights by item; default `sampleWeight`. */
  readonly weightOf?: (item: StanceItem) => number;
  /** Progress: a step name, work done and total. */
  readonly onProgress?: (step: string, done: number, total: number) => void;
}

function limit(items: StanceItem[], perSource: number | undefined): StanceItem[] {
  if (perSource === undefined) return items;
  const seen = new Map<string, number>();
  return items.filter((x) => {
    const n = seen.get(x.source) ?? 0;
    seen.set(x.source, n + 1);
    return n < perSource;
  });
}

function figures(truth: number[], logits: Float64Array[], temperature: number): StanceFigures {
  const probs = logits.map((z) => {
    const p = new Float64Array(NUM_CLASSES);
    softmaxInto(z, temperature, p);
    return p;
  });
  const predicted = probs.map((p) => argmax(p));
  const m = metricsFromConfusion(confusionOf(truth, predicted));
  return {
    n: m.n,
    confusion: m.confusion,
    accuracy: m.accuracy,
    macroF1: m.macroF1,
    perClass: m.perClass,
    ece: expectedCalibrationError(
      probs.map((p) => Math.max(...p)),
      predicted.map((p, i) => p === truth[i]),
    ),
    brier: brierScore(probs, truth),
  };
}

function breakdown(
  items: readonly StanceItem[],
  truth: number[],
  logits: Float64Array[],
  temperature: number,
): Omit<StanceValidation, "method" | "folds" | "eceUncalibrated"> {
  const by = <K extends string>(key: (x: StanceItem) => K): Partial<Record<K, StanceFigures>> => {
    const out: Partial<Record<K, StanceFigures>> = {};
    for (const k of [...new Set(items.map(key))].sort()) {
      const idx = items.flatMap((x, i) => (key(x) === k ? [i] : []));
      out[k] = figures(
        idx.map((i) => truth[i]!),
        idx.map((i) => logits[i]!),
        temperature,
      );
    }
    return out;
  };
  const alfifi = items.flatMap((x, i) => (x.source === "alfifi" ? [i] : []));
  const alfifiCorrect = alfifi.filter((i) => (argmax(logits[i]!) === 0) === (truth[i] === 0)).length;
  return {
    ...figures(truth, logits, temperature),
    perLanguage: by((x) => x.lang),
    perSource: by((x) => x.source),
    alfifiBinaryAccuracy: alfifi.length > 0 ? alfifiCorrect / alfifi.length : 0,
  };
}

/** Log of the calibrated probabilities (temperature, then Platt per language): logits for `breakdown` at T = 1. */
function calibratedLogs(
  model: StanceWeights,
  logits: readonly Float64Array[],
  items: readonly StanceItem[],
): Float64Array[] {
  return logits.map((z, i) => {
    const p = new Float64Array(NUM_CLASSES);
    calibratedInto(model, z, items[i]!.lang, p);
    return p.map((x) => Math.log(Math.max(x, 1e-300)));
  });
}

function logitsOf(model: StanceWeights, texts: readonly string[]): Float64Array[] {
  return texts.map((t) => {
    const z = new Float64Array(NUM_CLASSES);
    stanceLogits(model, t, z);
    return z;
  });
}

/**
 * The Arabic specialist's weights from the Arabic rows among `rows`: s1, an NB-SVM of alfifi pro
 * vs not (decision 0014; its weights are summed and scaled like the general model's), and s2,
 * Naive Bayes ratios of alfifi vs the other Arabic corpora (each side weighing the same in total).
 */
function specialistRatios(matrix: FeatureMatrix, items: readonly StanceItem[], rows: readonly number[]): Float32Array {
  const arabic = rows.filter((i) => items[i]!.lang === "ar");
  const isAlfifi = (i: number): boolean => items[i]!.source === "alfifi";
  const nAlfifi = arabic.filter(isAlfifi).length;
  const nOther = arabic.length - nAlfifi;
  const s1 = trainNbSvm(
    matrix,
    arabic.filter(isAlfifi),
    (i) => items[i]!.label === "pro",
    () => 1,
    ARABIC_NBSVM,
  ).weights;
  const s2 = naiveBayesRatios(matrix, arabic, isAlfifi, (i) => (isAlfifi(i) ? 1 : nOther > 0 ? nAlfifi / nOther : 0));
  return interleaveRatios(s1, s2);
}

/**
 * Runs the whole pipeline. Returns the model file's bytes and its header.
 * @example
 * const { bytes, header } = trainStancePipeline({ sharedDir: "../shared" });
 * header.validation.alfifiBinaryAccuracy // ≈ 0.92
 */
export function trainStancePipeline(options: TrainPipelineOptions): { bytes: Uint8Array; header: StanceModelHeader } {
  const folds = options.folds ?? 10;
  const trainOptions: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...options.train };
  const progress = options.onProgress ?? (() => {});
  const corpusOptions = options.referencesDir !== undefined ? { referencesDir: options.referencesDir } : {};
  const extra = options.extraLabels !== undefined ? { extraLabels: options.extraLabels } : {};
  const train = limit(
    loadStanceCorpus(options.sharedDir, { ...corpusOptions, ...extra, split: "train" }),
    options.limitPerSource,
  );
  const test = limit(loadStanceCorpus(options.sharedDir, { ...corpusOptions, split: "test" }), options.limitPerSource);
  const matrix = featureMatrix(
    train.map((x) => x.text),
    trainOptions.dims,
  );
  const labels = Int8Array.from(train.map((x) => labelIndex(x.label)));
  const weights = Float64Array.from(train.map(options.weightOf ?? sampleWeight));
  const truth = Array.from(labels);

  // Cross-validation: out-of-fold logits for every training item.
  const fold = stratifiedFolds(
    train.map((x) => `${x.label}|${x.source}`),
    folds,
    trainOptions.seed,
  );
  const oof: Float64Array[] = new Array<Float64Array>(train.length);
  const steps = (folds + 1) * trainOptions.epochs;
  for (let k = 0; k < folds; k++) {
    const rows = train.flatMap((_, i) => (fold[i] !== k ? [i] : []));
    const model = trainStance(matrix, labels, weights, rows, trainOptions, (e) =>
      progress("cross-validation", k * trainOptions.epochs + e, steps),
    );
    train.forEach((x, i) => {
      if (fold[i] !== k) return;
      const z = new Float64Array(NUM_CLASSES);
      stanceLogits(model, x.text, z);
      oof[i] = z;
    });
  }
  const general = breakdown(train, truth, oof, 1);

  // The Arabic specialist: NB scores out of fold (same folds), then the fusion, cross-fitted:
  // the θ applied to fold k is fitted on the out-of-fold scores of the other folds only.
  const arabicRows = train.flatMap((x, i) => (x.lang === "ar" ? [i] : []));
  const s1 = new Float64Array(train.length);
  const s2 = new Float64Array(train.length);
  for (let k = 0; k < folds; k++) {
    const ratios = specialistRatios(
      matrix,
      train,
      train.flatMap((_, i) => (fold[i] !== k ? [i] : [])),
    );
    for (const i of arabicRows) {
      if (fold[i] !== k) continue;
      [s1[i], s2[i]] = specialistScores(ratios, matrix, i);
      const n = matrix.offsets[i + 1]! - matrix.offsets[i]!;
      s1[i] = n > 0 ? s1[i]! / Math.sqrt(n) : 0;
    }
  }
  const fuseOn = (rows: readonly number[]): number[] =>
    fitLogistic(
      rows.map((i) => fusionInputs(oof[i]![0]! - logSumExp2(oof[i]![1]!, oof[i]![2]!), s1[i]!, s2[i]!)),
      rows.map((i) => (truth[i] === 0 ? 1 : 0)),
      rows.map((i) => weights[i]!),
    );
  const fused = oof.map((z) => Float64Array.from(z));
  for (let k = 0; k < folds; k++) {
    const theta = fuseOn(arabicRows.filter((i) => fold[i] !== k));
    for (const i of arabicRows) if (fold[i] === k) fuseLogits(theta, fused[i]!, s1[i]!, s2[i]!);
  }
  const fuse = fuseOn(arabicRows);

  const temperature = fitTemperature(fused, truth);
  // With `platt`: Platt per trained language on the tempered pro log-odds of the out-of-fold
  // logits (decision 0014; not in the shipped model, which it made worse on alfifi and English anti).
  const platt: Record<string, [number, number]> = {};
  for (const lang of options.platt === true ? TRAINED_LANGUAGES : []) {
    const rows = train.flatMap((x, i) => (x.lang === lang ? [i] : []));
    if (rows.length === 0 || !rows.some((i) => truth[i] === 0)) continue;
    const [slope, intercept] = fitLogistic(
      rows.map((i) => {
        const z = fused[i]!;
        return [z[0]! / temperature - logSumExp2(z[1]! / temperature, z[2]! / temperature), 1];
      }),
      rows.map((i) => (truth[i] === 0 ? 1 : 0)),
      rows.map(() => 1),
    );
    platt[lang] = [slope!, intercept!];
  }
  const calibrator: StanceWeights = {
    dims: 1,
    weights: new Float32Array(3),
    bias: new Float64Array(3),
    temperature,
    platt,
  };
  const cv = breakdown(train, truth, calibratedLogs(calibrator, fused, train), 1);

  // Isotonic maps per language and class on the tempered out-of-fold probabilities (decision
  // 0019); the figures cross-fitted: fold k goes through maps fitted on the other folds only.
  const tempered = calibratedLogs(calibrator, fused, train).map((z) => z.map(Math.exp));
  const trainLangs = train.map((x) => x.lang);
  const cvIsotonic: Float64Array[] = new Array<Float64Array>(train.length);
  for (let k = 0; k < folds; k++) {
    const maps = fitIsotonicMaps(
      train,
      truth,
      tempered,
      train.flatMap((_, i) => (fold[i] !== k ? [i] : [])),
    );
    const inFold = train.flatMap((_, i) => (fold[i] === k ? [i] : []));
    const mapped = throughMaps(
      maps,
      inFold.map((i) => train[i]!),
      inFold.map((i) => tempered[i]!),
    );
    inFold.forEach((i, j) => (cvIsotonic[i] = mapped[j]!));
  }
  const isotonic = fitIsotonicMaps(
    train,
    truth,
    tempered,
    train.map((_, i) => i),
  );
  const eceUncalibrated = figures(truth, fused, 1).ece;

  // The final model, on the whole train split.
  const all = train.map((_, i) => i);
  const final = trainStance(matrix, labels, weights, all, trainOptions, (e) =>
    progress("final model", folds * trainOptions.epochs + e, steps),
  );
  const model: StanceWeights = {
    ...final,
    temperature,
    ...(options.platt === true ? { platt } : {}),
    isotonic,
    isotonicRest: ISOTONIC_REST,
    arabic: { weights: specialistRatios(matrix, train, all), fuse, s1Scaled: true },
  };
  const testLogits = logitsOf(
    model,
    test.map((x) => x.text),
  );
  const heldOut =
    options.platt === true
      ? breakdown(
          test,
          test.map((x) => labelIndex(x.label)),
          calibratedLogs(model, testLogits, test),
          1,
        )
      : breakdown(
          test,
          test.map((x) => labelIndex(x.label)),
          testLogits,
          temperature,
        );

  const testTruth = test.map((x) => labelIndex(x.label));
  const testLangs = test.map((x) => x.lang);
  const testTempered = calibratedLogs(model, testLogits, test).map((z) => z.map(Math.exp));
  const calibration: StanceCalibrationInfo = {
    method:
      "isotonic regression (pool adjacent violators, blocks of at least 20 items) per trained language of the pro " +
      "and the neutral probability (tempered, out of fold, train split); anti is the rest (decision 0030); " +
      `the label is the argmax before it. Bins of 0.1; maxGap over bins of at least ${CALIBRATION_MIN_BIN} items; ` +
      "beyond5 counts the bins whose 95% Wilson interval of the observed share lies wholly more than 5 points from the mean prediction",
    cvTemperatureOnly: calibrationReport(trainLangs, truth, tempered),
    cv: calibrationReport(trainLangs, truth, cvIsotonic),
    heldOutTemperatureOnly: calibrationReport(testLangs, testTruth, testTempered),
    heldOut: calibrationReport(testLangs, testTruth, throughMaps(isotonic, test, testTempered)),
  };

  const items: Record<string, Record<string, number>> = {};
  for (const x of train) {
    const row = (items[x.source] ??= {});
    row[x.label] = (row[x.label] ?? 0) + 1;
  }
  const headerBody = {
    version: STANCE_MODEL_VERSION,
    labels: STANCE_LABELS,
    features: { charNgrams: [2, 5] as const, wordNgrams: [1, 2] as const },
    training: {
      options: trainOptions,
      items,
      testShare: 0.15,
      arabicSpecialist: {
        method:
          "for texts detected as Arabic: NB-SVM (Wang & Manning 2012; alpha 0.1, C 10, counts/√n) alfifi pro vs " +
          "not (s1) and Naive Bayes (alpha 0.5) alfifi vs the other Arabic corpora (s2), fused with the general model's pro log-odds d by logistic regression on " +
          "out-of-fold scores (sample-weighted; cross-fitted for the figures)",
        fuse,
        generalOnly: { alfifiBinaryAccuracy: general.alfifiBinaryAccuracy, accuracy: general.accuracy },
      },
    },
    validation: {
      method: `${folds}-fold cross-validation, stratified by label and corpus, on the train split`,
      folds,
      eceUncalibrated,
      ...cv,
    },
    calibration,
    heldOut,
  };
  // Quantise first, then read the header back from the bytes so callers see what was written.
  const bytes = encodeStanceModel(model, headerBody);
  const json = new TextDecoder().decode(bytes.subarray(12, 12 + new DataView(bytes.buffer).getUint32(8, true)));
  return { bytes, header: JSON.parse(json) as StanceModelHeader };
}
