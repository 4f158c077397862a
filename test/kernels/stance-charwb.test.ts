/**
 * Decision 0037: the NB-SVM baseline as Wang & Manning (2012) wrote it, over an exact vocabulary
 * of char n-grams within word boundaries (`kernels/stance/charwb.ts`), and its cross-validation on
 * alfifi's train split only (skipped visibly without ../shared).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { charWbNgrams, charWbScore, trainCharWb } from "../../src/kernels/stance/charwb.js";
import { stratifiedFolds } from "../../src/kernels/stance/index.js";
import { hasStanceCorpora, loadStanceCorpus } from "../../src/signals/stance/corpus.js";
import { SHARED } from "../support/shared.js";

describe("char_wb n-grams", () => {
  it("pads each folded word with one space and never crosses a word boundary", () => {
    assert.deepEqual(
      [...charWbNgrams("ab cd", 2, 3)].sort(),
      [" a", " ab", " c", " cd", "ab", "ab ", "b ", "cd", "cd ", "d "].sort(),
    );
    for (const g of charWbNgrams("الدولة الإسلامية باقية", 1, 5)) assert.ok(!/\S \S/.test(g), g);
  });
  it("folds as rasd does (alef, taa marbuta, diacritics, links and mentions)", () => {
    assert.deepEqual(charWbNgrams("@x الدَّوْلَةُ https://t.co/y", 7, 7), charWbNgrams("الدوله", 7, 7));
  });
  it("gives a padded word shorter than n once, as scikit-learn does", () => {
    assert.deepEqual([...charWbNgrams("a", 1, 5)].sort(), [" ", " a", " a ", "a", "a "].sort());
  });
  it("raw: scikit-learn's input, lower-cased and split on white space, over code points (0052)", () => {
    assert.deepEqual([...charWbNgrams("A@x  😀", 2, 2, 0, true)].sort(), [" a", "a@", "@x", "x ", " 😀", "😀 "].sort());
    assert.ok(charWbNgrams("الدَّوْلَةُ", 3, 3, 0, true).has("الد"));
    assert.ok(!charWbNgrams("الدَّوْلَةُ", 3, 3, 0, true).has("دول"));
    const m = trainCharWb(["@x الدولة باقية", "صباح الخير"], [true, false], { raw: true, loss: "nb" });
    assert.equal(m.raw, true);
    assert.ok(charWbScore(m, "@x الدولة") > 0);
  });
});

describe("NB-SVM over char_wb (Wang & Manning 2012)", () => {
  const texts = [
    ...["الدولة الإسلامية باقية وتتمدد", "بايعوا خليفة المسلمين", "جنود الخلافة في الرقة"],
    ...["صباح الخير يا اصدقاء", "مباراة الهلال الليلة", "القهوة مع الاصدقاء"],
  ];
  const truth = texts.map((_, i) => i < 3);
  for (const loss of ["svm", "lr", "nb"] as const) {
    for (const beta of [1, 0.25]) {
      it(`separates a toy set and is deterministic (${loss}, β ${beta})`, () => {
        const m = trainCharWb(texts, truth, { loss, beta });
        texts.forEach((t, i) => assert.equal(charWbScore(m, t) > 0, truth[i], t));
        assert.deepEqual([...trainCharWb(texts, truth, { loss, beta }).weights], [...m.weights]);
      });
    }
  }
  it("folds r and the interpolated w into one weight per n-gram: β 0 is the mean magnitude times r", () => {
    const m1 = trainCharWb(texts, truth, { beta: 1 });
    const m0 = trainCharWb(texts, truth, { beta: 0 });
    // With β = 0 every weight is w̄·r_j, so the ratio of two n-grams' weights is the ratio of their r.
    const [a, b] = [...m0.weights.keys()].filter((g) => Math.abs(m0.weights.get(g)!) > 1e-6);
    const nb = trainCharWb(texts, truth, { loss: "nb" });
    assert.ok(Math.abs(m0.weights.get(a!)! / m0.weights.get(b!)! - nb.weights.get(a!)! / nb.weights.get(b!)!) < 1e-9);
    assert.notDeepEqual([...m1.weights.values()], [...m0.weights.values()]);
  });
  it("takes per-text weights: all ones changes nothing; for MNB a weight of 2 is the text twice (0046)", () => {
    for (const loss of ["svm", "lr", "nb"] as const) {
      const m = trainCharWb(texts, truth, { loss, beta: 1 });
      const ones = trainCharWb(
        texts,
        truth,
        { loss, beta: 1 },
        texts.map(() => 1),
      );
      assert.deepEqual([...ones.weights], [...m.weights], loss);
      assert.equal(ones.bias, m.bias, loss);
    }
    const twice = trainCharWb([...texts, texts[0]!], [...truth, true], { loss: "nb", beta: 1 });
    const weighted = trainCharWb(texts, truth, { loss: "nb", beta: 1 }, [2, 1, 1, 1, 1, 1]);
    for (const [g, w] of twice.weights) assert.ok(Math.abs(w - weighted.weights.get(g)!) < 1e-12, g);
    assert.ok(Math.abs(twice.bias - weighted.bias) < 1e-12);
  });
  it("adds word n-grams beside the char n-grams only when asked (wordN, 0046)", () => {
    const base = charWbNgrams("الدولة باقية", 2, 3);
    assert.deepEqual(charWbNgrams("الدولة باقية", 2, 3, 0), base);
    const words = [...charWbNgrams("الدولة باقية", 2, 3, 2)].filter((g) => !base.has(g));
    assert.deepEqual(words.sort(), ["\u0000الدوله", "\u0000الدوله باقيه", "\u0000باقيه"].sort());
    const m = trainCharWb(texts, truth, { wordN: 2 });
    assert.equal(m.wordN, 2);
    texts.forEach((t, i) => assert.equal(charWbScore(m, t) > 0, truth[i], t));
  });
  it("weighs unknown n-grams as nothing: an empty text scores the bias", () => {
    const m = trainCharWb(texts, truth, { minN: 2 }); // with 1-grams, " " is in every text
    assert.equal(charWbScore(m, ""), m.bias);
    assert.equal(charWbScore(m, "zzzzzz"), m.bias);
  });
});

describe("char_wb NB-SVM cross-validated on alfifi's train split only", () => {
  const skip = hasStanceCorpora(SHARED) ? false : `no stance corpora under ${SHARED}`;
  it("reaches at least 92% pro vs not in 5-fold CV (the paper's configuration)", { skip }, () => {
    const train = loadStanceCorpus(SHARED, { split: "train" }).filter((x) => x.source === "alfifi");
    const held = new Set(loadStanceCorpus(SHARED, { split: "test" }).map((x) => x.text));
    assert.ok(
      train.every((x) => !held.has(x.text)),
      "no held-out text in the train split",
    );
    const fold = stratifiedFolds(
      train.map((x) => x.label),
      5,
      1,
    );
    let correct = 0;
    for (let k = 0; k < 5; k++) {
      const rows = train.filter((_, i) => fold[i] !== k);
      const m = trainCharWb(
        rows.map((x) => x.text),
        rows.map((x) => x.label === "pro"),
      );
      train.forEach((x, i) => {
        if (fold[i] === k && charWbScore(m, x.text) > 0 === (x.label === "pro")) correct++;
      });
    }
    const accuracy = correct / train.length;
    process.stdout.write(`# char_wb NB-SVM, 5-fold CV on ${train.length} alfifi train texts: ${accuracy.toFixed(4)}\n`);
    assert.ok(accuracy >= 0.92, `accuracy ${accuracy}`);
  });
});
