/**
 * npm run bench -- stance-nbsvm      (or: node --import tsx bench/stance-nbsvm.ts [FOLDS] [SHUFFLES])
 *
 * The NB-SVM baseline as Wang & Manning (2012) wrote it (`kernels/stance/charwb.ts`: exact
 * vocabulary of char n-grams within word boundaries, binarised, log-count ratios with α = 1, a
 * linear model on x̃ = r ∘ f̂, interpolation β), compared by k-fold cross-validation **on the train
 * split of alfifi only** (`loadStanceCorpus(…, { split: "train" })`, the texts `rasd train` trains
 * on). Decision 0037. The variant with the best mean CV accuracy over the shuffles is then trained
 * on the whole train split and scored once on alfifi's held-out split (`split: "test"`, never used
 * for a choice); so is the paper's own configuration, for reference.
 * Prints JSON lines: metric "cv_accuracy" (mean over shuffles, with min and max), "heldout_accuracy".
 */

import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { charWbScore, trainCharWb, type CharWbOptions } from "../src/kernels/stance/charwb.js";
import { stratifiedFolds } from "../src/kernels/stance/index.js";
import { hasStanceCorpora, loadStanceCorpus } from "../src/signals/stance/corpus.js";
import { SHARED } from "../test/support/shared.js";
import { emit, note } from "./_util.js";

/** The variants compared. "paper": char_wb 1–5, α 1, C 1, β 0.25, squared-hinge SVM. */
export const NBSVM_VARIANTS: Record<string, Partial<CharWbOptions>> = {
  paper: {},
  "paper-2to5": { minN: 2 },
  "beta1": { beta: 1 },
  "beta1-2to5": { beta: 1, minN: 2 },
  "beta1-C0.1": { beta: 1, cost: 0.1 },
  "lr-beta1": { loss: "lr", beta: 1 },
  "lr-beta0.25": { loss: "lr" },
  "lr-beta1-C10": { loss: "lr", beta: 1, cost: 10 },
  "unit-beta1-C10": { beta: 1, cost: 10, unitRows: true },
  "unit-beta0.25-C10": { cost: 10, unitRows: true },
  "mnb-alpha1": { loss: "nb", beta: 1 },
  "mnb-alpha0.5": { loss: "nb", beta: 1, alpha: 0.5 },
  "mnb-alpha0.5-2to5": { loss: "nb", beta: 1, alpha: 0.5, minN: 2 },
};

export function runStanceNbsvmBench(folds = 10, shuffles = 3): void {
  if (!hasStanceCorpora(SHARED)) {
    note(`SKIPPED: ${SHARED}/testdata/text lacks the stance corpora (the shared test data)`);
    return;
  }
  const train = loadStanceCorpus(SHARED, { split: "train" }).filter((x) => x.source === "alfifi");
  const test = loadStanceCorpus(SHARED, { split: "test" }).filter((x) => x.source === "alfifi");
  const texts = train.map((x) => x.text);
  const pro = train.map((x) => x.label === "pro");
  note(
    `alfifi train split: ${train.length} texts (${pro.filter(Boolean).length} pro); held out: ${test.length}; ` +
      `${folds}-fold CV × ${shuffles} shuffles; load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")}`,
  );
  const foldings = Array.from({ length: shuffles }, (_, s) =>
    stratifiedFolds(
      train.map((x) => x.label),
      folds,
      s + 1,
    ),
  );
  let best = "";
  let bestMean = -1;
  for (const [impl, options] of Object.entries(NBSVM_VARIANTS)) {
    const t0 = process.hrtime.bigint();
    const accuracies = foldings.map((fold) => {
      let correct = 0;
      for (let k = 0; k < folds; k++) {
        const rows = train.flatMap((_, i) => (fold[i] !== k ? [i] : []));
        const model = trainCharWb(
          rows.map((i) => texts[i]!),
          rows.map((i) => pro[i]!),
          options,
        );
        train.forEach((_, i) => {
          if (fold[i] === k && charWbScore(model, texts[i]!) > 0 === pro[i]) correct++;
        });
      }
      return correct / train.length;
    });
    const mean = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    emit({
      bench: "stance-nbsvm",
      case: "alfifi-train-cv",
      impl,
      metric: "cv_accuracy",
      value: mean,
      min: Math.round(Math.min(...accuracies) * 10000) / 10000,
      max: Math.round(Math.max(...accuracies) * 10000) / 10000,
      folds,
      shuffles,
      seconds: Math.round(seconds * 10) / 10,
    });
    if (mean > bestMean) {
      bestMean = mean;
      best = impl;
    }
  }
  for (const impl of new Set(["paper", best])) {
    const model = trainCharWb(texts, pro, NBSVM_VARIANTS[impl]);
    let correct = 0;
    for (const x of test) if (charWbScore(model, x.text) > 0 === (x.label === "pro")) correct++;
    emit({
      bench: "stance-nbsvm",
      case: "alfifi-heldout",
      impl,
      metric: "heldout_accuracy",
      value: correct / test.length,
      n: test.length,
      chosen: impl === best ? "by CV" : "paper",
    });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runStanceNbsvmBench(Number(process.argv[2] ?? 10), Number(process.argv[3] ?? 3));
}
