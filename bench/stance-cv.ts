/**
 * npm run bench -- stance-cv      (or: node --import tsx bench/stance-cv.ts [FOLDS])
 *
 * k-fold cross-validation (default 10 folds, stratified, seed 1) of Arabic pro vs not on the
 * shared Arabic set (alfifi, ../shared/testdata/text/alfifi-isis-arabic; 1,013 texts after
 * de-duplication), for the techniques compared in decision 0014, all on the same hashed features
 * (`kernels/stance/features.ts`) and the same folds:
 *   impl "nb"             multinomial Naive Bayes (alpha 0.5), decision 0008's s1
 *   impl "nbsvm-counts"   NB-SVM, counts/√n (the shipped s1: ARABIC_NBSVM)
 *   impl "nbsvm-distinct" NB-SVM, binarised, unit-length rows (Wang & Manning with TF-IDF-style norm)
 * metric "accuracy" (threshold 0) and "accuracy_platt" (threshold from a Platt fit on the
 * training folds' own out-of-fold scores: nested, so it never sees the test fold). The shipped
 * model's figure (the fused model, cross-fitted) is `rasd eval`'s first line.
 * Note: it reads alfifi's both splits (`split: "all"`), so its folds include the 149 texts of
 * `rasd train`'s held-out split. For choices made on the train split only, and the paper's NB-SVM
 * over an exact char_wb vocabulary, see `stance-nbsvm` and `stance-fusion` (decision 0037).
 */

import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import {
  featureMatrix,
  fitLogistic,
  naiveBayesRatios,
  nbSvmScore,
  stratifiedFolds,
  trainNbSvm,
  type FeatureMatrix,
} from "../src/kernels/stance/index.js";
import { hasStanceCorpora, loadStanceCorpus } from "../src/signals/stance/corpus.js";
import { ARABIC_NBSVM } from "../src/signals/stance/training.js";
import { SHARED } from "../test/support/shared.js";
import { emit, note } from "./_util.js";

type Scorer = (matrix: FeatureMatrix, rows: readonly number[], pro: (i: number) => boolean) => (i: number) => number;

const SCORERS: Record<string, Scorer> = {
  nb: (matrix, rows, pro) => {
    const r = naiveBayesRatios(matrix, rows, pro, () => 1);
    let prior = 0;
    for (const i of rows) prior += pro(i) ? 1 : -1;
    return (i) => {
      let s = Math.log((rows.length + prior) / (rows.length - prior));
      for (let k = matrix.offsets[i]!; k < matrix.offsets[i + 1]!; k++) s += r[matrix.indices[k]!]!;
      return s;
    };
  },
  "nbsvm-counts": (matrix, rows, pro) => {
    const m = trainNbSvm(matrix, rows, pro, () => 1, ARABIC_NBSVM);
    return (i) => nbSvmScore(m, matrix, i);
  },
  "nbsvm-distinct": (matrix, rows, pro) => {
    const m = trainNbSvm(matrix, rows, pro, () => 1, { ...ARABIC_NBSVM, features: "distinct", alpha: 0.03 });
    return (i) => nbSvmScore(m, matrix, i);
  },
};

export function runStanceCvBench(folds = 10): void {
  if (!hasStanceCorpora(SHARED)) {
    note(`SKIPPED: ${SHARED}/testdata/text lacks the stance corpora (the shared test data)`);
    return;
  }
  const alfifi = loadStanceCorpus(SHARED, { split: "all" }).filter((x) => x.source === "alfifi");
  const matrix = featureMatrix(
    alfifi.map((x) => x.text),
    1 << 18,
  );
  const pro = (i: number): boolean => alfifi[i]!.label === "pro";
  const fold = stratifiedFolds(
    alfifi.map((x) => x.label),
    folds,
    1,
  );
  note(
    `alfifi: ${alfifi.length} texts, ${folds}-fold CV; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
  for (const [impl, scorer] of Object.entries(SCORERS)) {
    const t0 = process.hrtime.bigint();
    let correct = 0;
    let correctPlatt = 0;
    for (let k = 0; k < folds; k++) {
      const rows = alfifi.flatMap((_, i) => (fold[i] !== k ? [i] : []));
      const score = scorer(matrix, rows, pro);
      // Nested: Platt's intercept and slope from 5 inner folds of the training rows.
      const inner = stratifiedFolds(
        rows.map((i) => alfifi[i]!.label),
        5,
        2,
      );
      const xs: number[][] = [];
      const ys: number[] = [];
      for (let j = 0; j < 5; j++) {
        const innerScore = scorer(
          matrix,
          rows.filter((_, r) => inner[r] !== j),
          pro,
        );
        rows.forEach((i, r) => {
          if (inner[r] !== j) return;
          xs.push([innerScore(i), 1]);
          ys.push(pro(i) ? 1 : 0);
        });
      }
      const [a, b] = fitLogistic(
        xs,
        ys,
        ys.map(() => 1),
      );
      alfifi.forEach((_, i) => {
        if (fold[i] !== k) return;
        const s = score(i);
        if (s > 0 === pro(i)) correct++;
        if (a! * s + b! > 0 === pro(i)) correctPlatt++;
      });
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    emit({ bench: "stance-cv", case: "alfifi", impl, metric: "accuracy", value: correct / alfifi.length, folds });
    emit({
      bench: "stance-cv",
      case: "alfifi",
      impl,
      metric: "accuracy_platt",
      value: correctPlatt / alfifi.length,
      folds,
    });
    emit({ bench: "stance-cv", case: "alfifi", impl, metric: "seconds", value: seconds, folds });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStanceCvBench(Number(process.argv[2] ?? 10));
}
