/**
 * The stance classifier against the shared corpora (../shared/testdata/text; see
 * training/stance/README.md). Skips visibly without the data. No corpus text is stored in the
 * repository: the texts are read here, at test time.
 *
 * (a) The shipped model's held-out figures are reproduced: the final model on the test split
 *     (never trained on), alfifi pro vs not, and all three classes.
 * (b) Cross-validation is reproduced on a subset (5 folds, 1,000 texts per corpus) and must
 *     agree with the shipped header's figures within a margin; the full 10-fold run is
 *     `rasd train` (about 90 s on an idle machine), whose figures are stored in models/stance-v2.json.
 * The asserted floors sit a little under what was measured (decisions 0008 and 0014 have the
 * figures). Issue 16's floor, 97% on alfifi in cross-validation, is NOT met: stance-v2 measures
 * 92.59% in 10-fold CV with the fused Arabic specialist, 93.29% held out (decision 0030). The
 * paper's NB-SVM over an exact char_wb vocabulary, alfifi-only, gets 93.6% in CV on the train split
 * and the paper's MNB 95.8% (97.3% held out), but they call 2.4–15.3% of everyday Arabic tweets pro
 * (decision 0037; `npm run bench -- stance-nbsvm`).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { STANCE_LABELS, argmax, isTrainedLanguage, stanceLogits } from "../../src/kernels/stance/index.js";
import { hasStanceCorpora, loadStanceCorpus } from "../../src/signals/stance/corpus.js";
import { loadStanceModel } from "../../src/signals/stance/model.js";
import { trainStancePipeline } from "../../src/signals/stance/training.js";
import { SHARED } from "../support/shared.js";

const skip: string | false = hasStanceCorpora(SHARED)
  ? false
  : `SKIPPED: needs ${SHARED}/testdata/text (the shared test data), which is absent on this machine`;

describe("stance classifier on the shared corpora", { skip }, () => {
  it("reproduces the held-out figures stored in the shipped model", () => {
    const model = loadStanceModel();
    const test = loadStanceCorpus(SHARED, { split: "test" });
    assert.equal(test.length, model.heldOut.n);
    let correct = 0;
    let alfifi = 0;
    let alfifiCorrect = 0;
    let unknown = 0;
    const z = new Float64Array(3);
    for (const x of test) {
      // The header's figures are over every held-out text; `classify` says `unknown` for texts in
      // untrained languages, so those are scored by the raw logits here, and counted.
      let predicted: string = model.label(x.text);
      if (predicted === "unknown") {
        unknown++;
        assert.ok(!isTrainedLanguage(x.lang), x.text);
        stanceLogits(model.weights, x.text, z);
        predicted = STANCE_LABELS[argmax(z)]!;
      }
      if (predicted === x.label) correct++;
      if (x.source === "alfifi") {
        alfifi++;
        if ((predicted === "pro") === (x.label === "pro")) alfifiCorrect++;
      }
    }
    const accuracy = correct / test.length;
    const alfifiAccuracy = alfifiCorrect / alfifi;
    console.log(
      `# held out: ${test.length} texts (${unknown} in untrained languages), accuracy ${accuracy.toFixed(4)}; alfifi ${alfifi}: ${alfifiAccuracy.toFixed(4)}`,
    );
    assert.ok(Math.abs(accuracy - model.heldOut.accuracy) < 0.002, `${accuracy} vs header ${model.heldOut.accuracy}`);
    assert.ok(accuracy >= 0.975);
    assert.ok(alfifiAccuracy >= 0.905, `alfifi held out ${alfifiAccuracy}`);
    assert.ok(Math.abs(alfifiAccuracy - model.heldOut.alfifiBinaryAccuracy) < 0.002);
    assert.ok(model.validation.alfifiBinaryAccuracy >= 0.91);
    assert.ok(model.validation.accuracy >= 0.98);
    assert.ok((model.validation.perLanguage.en?.perClass.anti?.recall ?? 0) >= 0.55, "English anti recall in CV");
    assert.ok(model.validation.ece < 0.01);
    assert.ok(model.weights.arabic !== undefined, "the shipped model carries the Arabic specialist");
  });

  it("reproduces cross-validation on a subset, deterministically", () => {
    const run = () => trainStancePipeline({ sharedDir: SHARED, folds: 5, limitPerSource: 1000 });
    const { bytes, header } = run();
    const v = header.validation;
    console.log(
      `# 5-fold CV on ${v.n} texts: accuracy ${v.accuracy.toFixed(4)}, alfifi ${v.alfifiBinaryAccuracy.toFixed(4)}, ECE ${v.ece.toFixed(4)}`,
    );
    assert.ok(v.accuracy >= 0.85);
    assert.ok(v.alfifiBinaryAccuracy >= 0.85);
    assert.deepEqual(
      v.confusion.flat().reduce((a, b) => a + b, 0),
      v.n,
    );
    assert.ok(Buffer.from(run().bytes).equals(Buffer.from(bytes)));
  });
});
