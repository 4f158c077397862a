/**
 * npm run bench -- stance-fusion      (or: node --import tsx bench/stance-fusion.ts)
 *
 * Decision 0037: does a better alfifi-only s1 lift the shipped (fused) model's alfifi figure? The
 * pipeline of `rasd train` on its train split only (10 folds stratified by label and corpus, seed
 * 1): out-of-fold logits of the general model, then for every Arabic text out-of-fold specialist
 * scores and a cross-fitted fusion, with s1 one of
 *   impl "shipped"      the shipped s1 (hashed NB-SVM, counts/√n, α 0.1, C 10),
 *   impl "shipped+mnb"  the shipped s1 and the char_wb binarised MNB (α 0.5) both as inputs,
 *   impl "mnb"          the char_wb binarised MNB instead of the shipped s1,
 * each with the fusion's alfifi weight ×1 (as shipped) and ×3. Prints alfifi pro vs not (the
 * label the model gives: argmax), its false negatives and positives, the false pro share of the
 * other Arabic corpora, and Arabic pro precision and recall. Takes a few minutes (the general
 * model is trained 10 times).
 */

import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { charWbScore, trainCharWb } from "../src/kernels/stance/charwb.js";
import {
  DEFAULT_TRAIN_OPTIONS,
  featureMatrix,
  fitLogistic,
  naiveBayesRatios,
  nbSvmScore,
  stanceLogits,
  stratifiedFolds,
  trainNbSvm,
  trainStance,
} from "../src/kernels/stance/index.js";
import { labelIndex } from "../src/kernels/stance/labels.js";
import { logSumExp2 } from "../src/kernels/stance/specialist.js";
import { hasStanceCorpora, loadStanceCorpus } from "../src/signals/stance/corpus.js";
import { ARABIC_NBSVM, sampleWeight } from "../src/signals/stance/training.js";
import { SHARED } from "../test/support/shared.js";
import { emit, note } from "./_util.js";

export function runStanceFusionBench(): void {
  if (!hasStanceCorpora(SHARED)) {
    note(`SKIPPED: ${SHARED}/testdata/text lacks the stance corpora (the shared test data)`);
    return;
  }
  const folds = 10;
  const o = DEFAULT_TRAIN_OPTIONS;
  const train = loadStanceCorpus(SHARED, { split: "train" });
  const matrix = featureMatrix(
    train.map((x) => x.text),
    o.dims,
  );
  const labels = Int8Array.from(train.map((x) => labelIndex(x.label)));
  const w = train.map(sampleWeight);
  const fold = stratifiedFolds(
    train.map((x) => `${x.label}|${x.source}`),
    folds,
    o.seed,
  );
  note(
    `train split: ${train.length} texts; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
  const oof: Float64Array[] = new Array<Float64Array>(train.length);
  for (let k = 0; k < folds; k++) {
    const rows = train.flatMap((_, i) => (fold[i] !== k ? [i] : []));
    const model = trainStance(matrix, labels, Float64Array.from(w), rows, o, () => {});
    train.forEach((x, i) => {
      if (fold[i] !== k) return;
      stanceLogits(model, x.text, (oof[i] = new Float64Array(3)));
    });
  }
  const ar = train.flatMap((x, i) => (x.lang === "ar" ? [i] : []));
  const isA = (i: number): boolean => train[i]!.source === "alfifi";
  const pro = (i: number): boolean => train[i]!.label === "pro";
  const s1 = new Float64Array(train.length);
  const s2 = new Float64Array(train.length);
  const s3 = new Float64Array(train.length);
  for (let k = 0; k < folds; k++) {
    const rows = ar.filter((i) => fold[i] !== k);
    const alf = rows.filter(isA);
    const nb = trainNbSvm(matrix, alf, pro, () => 1, ARABIC_NBSVM);
    const mnb = trainCharWb(
      alf.map((i) => train[i]!.text),
      alf.map(pro),
      { loss: "nb", beta: 1, alpha: 0.5 },
    );
    const ratio = alf.length / (rows.length - alf.length);
    const r2 = naiveBayesRatios(matrix, rows, isA, (i) => (isA(i) ? 1 : ratio));
    for (const i of ar) {
      if (fold[i] !== k) continue;
      s1[i] = nbSvmScore(nb, matrix, i) - nb.bias; // as the pipeline: the sum over features, /√n
      s3[i] = charWbScore(mnb, train[i]!.text);
      for (let q = matrix.offsets[i]!; q < matrix.offsets[i + 1]!; q++) s2[i] = s2[i]! + r2[matrix.indices[q]!]!;
    }
  }
  const d = (i: number): number => oof[i]![0]! - logSumExp2(oof[i]![1]!, oof[i]![2]!);
  const sig = (x: number): number => 1 / (1 + Math.exp(-x));
  // The shipped fusion inputs (`fusionInputs`: s/10), with the shipped s1, the MNB or both.
  const inputs: Record<string, (i: number) => number[]> = {
    shipped: (i) => [d(i), s1[i]! / 10, s2[i]! / 10, (s1[i]! / 10) * sig(s2[i]! / 10), 1],
    "shipped+mnb": (i) => [
      d(i),
      s1[i]! / 10,
      s2[i]! / 10,
      (s1[i]! / 10) * sig(s2[i]! / 10),
      s3[i]! / 10,
      (s3[i]! / 10) * sig(s2[i]! / 10),
      1,
    ],
    mnb: (i) => [d(i), s3[i]! / 10, s2[i]! / 10, (s3[i]! / 10) * sig(s2[i]! / 10), 1],
  };
  for (const alfifiWeight of [1, 3]) {
    for (const [impl, x] of Object.entries(inputs)) {
      const fused = new Float64Array(train.length);
      const weight = (i: number): number => w[i]! * (isA(i) ? alfifiWeight : 1);
      for (let k = 0; k < folds; k++) {
        const rows = ar.filter((i) => fold[i] !== k);
        const theta = fitLogistic(
          rows.map(x),
          rows.map((i) => (pro(i) ? 1 : 0)),
          rows.map(weight),
        );
        for (const i of ar) if (fold[i] === k) fused[i] = x(i).reduce((s, v, j) => s + v * theta[j]!, 0);
      }
      const saysPro = (i: number): boolean =>
        fused[i]! + logSumExp2(oof[i]![1]!, oof[i]![2]!) > Math.max(oof[i]![1]!, oof[i]![2]!);
      const alf = ar.filter(isA);
      const fn = alf.filter((i) => pro(i) && !saysPro(i)).length;
      const fp = alf.filter((i) => !pro(i) && saysPro(i)).length;
      const others = ar.filter((i) => !isA(i) && !pro(i));
      const tp = ar.filter((i) => pro(i) && saysPro(i)).length;
      const base = { bench: "stance-fusion", case: `alfifi-weight-x${alfifiWeight}`, impl };
      emit({ ...base, metric: "alfifi_accuracy", value: 1 - (fn + fp) / alf.length, n: alf.length, fn, fp });
      emit({
        ...base,
        metric: "other_arabic_false_pro_share",
        value: others.filter(saysPro).length / others.length,
        n: others.length,
      });
      emit({ ...base, metric: "arabic_pro_precision", value: tp / ar.filter(saysPro).length });
      emit({ ...base, metric: "arabic_pro_recall", value: tp / ar.filter(pro).length });
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStanceFusionBench();
}
