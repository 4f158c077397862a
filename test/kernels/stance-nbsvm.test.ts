/**
 * Decision 0014's pieces of the stance classifier: the NB-SVM kernel, reliability (calibration
 * per class), language identification with `unknown` for untrained languages, the labels file
 * of `rasd train --with-labels`, and a k-fold cross-validation of the Arabic NB-SVM on the shared
 * Arabic set (alfifi; skipped visibly without ../shared).
 */

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import {
  calibratedInto,
  classifyStance,
  decodeStanceModel,
  encodeStanceModel,
  detectLanguage,
  featureMatrix,
  isTrainedLanguage,
  nbSvmScore,
  reliability,
  stratifiedFolds,
  trainNbSvm,
} from "../../src/kernels/stance/index.js";
import { hasStanceCorpora, loadStanceCorpus, readLabelsCsv } from "../../src/signals/stance/corpus.js";
import { loadStanceModel } from "../../src/signals/stance/model.js";
import { ARABIC_NBSVM } from "../../src/signals/stance/training.js";
import { REPO_ROOT, SHARED } from "../support/shared.js";

describe("NB-SVM", () => {
  const texts = [
    ...["join the caliphate brothers", "the caliphate remains", "brothers of the caliphate rise"],
    ...["coffee this morning", "the match tonight", "good morning friends"],
  ];
  const matrix = featureMatrix(texts, 1 << 12);
  const rows = texts.map((_, i) => i);
  for (const features of ["counts", "distinct"] as const) {
    it(`separates a toy set and is deterministic (${features})`, () => {
      const train = () =>
        trainNbSvm(
          matrix,
          rows,
          (i) => i < 3,
          () => 1,
          { features, cost: 1 },
        );
      const m = train();
      for (const i of rows) assert.equal(nbSvmScore(m, matrix, i) > 0, i < 3, texts[i]);
      assert.deepEqual(Array.from(train().weights), Array.from(m.weights));
    });
  }
  it("scores a counts model as Σ weights / √n + bias, as the general model scales its features", () => {
    const m = trainNbSvm(
      matrix,
      rows,
      (i) => i < 3,
      () => 1,
    );
    const from = matrix.offsets[0]!;
    const to = matrix.offsets[1]!;
    let sum = 0;
    for (let k = from; k < to; k++) sum += m.weights[matrix.indices[k]!]!;
    assert.ok(Math.abs(nbSvmScore(m, matrix, 0) - (sum / Math.sqrt(to - from) + m.bias)) < 1e-9);
  });
  it("ignores rows of weight 0", () => {
    const a = trainNbSvm(
      matrix,
      rows,
      (i) => i < 3,
      (i) => (i === 5 ? 0 : 1),
    );
    const b = trainNbSvm(
      matrix,
      [0, 1, 2, 3, 4],
      (i) => i < 3,
      () => 1,
    );
    // the NB ratios differ only by the smoothing of the left-out row's buckets; the signs agree
    for (const i of rows) assert.equal(nbSvmScore(a, matrix, i) > 0, nbSvmScore(b, matrix, i) > 0);
  });
});

describe("reliability (calibration per class)", () => {
  it("bins predictions and compares mean predicted with observed", () => {
    const p = [0.05, 0.05, 0.95, 0.95, 0.95, 0.95];
    const y = [false, false, true, true, true, false];
    const r = reliability(p, y, 10);
    assert.equal(r.bins.length, 2);
    assert.deepEqual(
      r.bins.map((b) => [b.n, b.observed]),
      [
        [2, 0],
        [4, 0.75],
      ],
    );
    assert.ok(Math.abs(r.ece - ((2 / 6) * 0.05 + (4 / 6) * 0.2)) < 1e-12);
    assert.equal(reliability([], []).ece, 0);
  });
});

describe("language identification and unknown stance", () => {
  const rows = parse(readFileSync(join(REPO_ROOT, "training/stance/language-id.csv")), { columns: true }) as {
    lang: string;
    text: string;
  }[];
  it("tells trained languages (ar, en) from the others on the hand-written short-text set", () => {
    let gate = 0;
    let exact = 0;
    const wrongIn: string[] = [];
    for (const r of rows) {
      const got = detectLanguage(r.text);
      const truth = r.lang === "arabizi" ? "ar-Latn" : r.lang;
      if (got === truth) exact++;
      if (isTrainedLanguage(got) === isTrainedLanguage(truth) && (!isTrainedLanguage(got) || got === truth)) gate++;
      else if (isTrainedLanguage(got)) wrongIn.push(`${r.lang}: ${r.text}`);
    }
    console.log(`# language id: ${rows.length} texts, exact ${exact}, trained-or-not right ${gate}`);
    assert.ok(gate / rows.length >= 0.95, `gate ${gate}/${rows.length}`);
    assert.ok(exact / rows.length >= 0.85, `exact ${exact}/${rows.length}`);
    assert.ok(wrongIn.length <= 5, wrongIn.join("\n"));
  });
  it("names the common cases", () => {
    assert.equal(detectLanguage("الدولة الإسلامية باقية"), "ar");
    assert.equal(detectLanguage("ISIS thugs destroyed ancient Palmyra"), "en");
    assert.equal(detectLanguage("ok thanks"), "en");
    assert.equal(detectLanguage("Bonjour à tous et bonne journée"), "fr");
    assert.equal(detectLanguage("Bugün hava çok güzel"), "tr");
    assert.equal(detectLanguage("Terima kasih banyak ya"), "id");
    assert.equal(detectLanguage("shou 3am ta3mel?"), "ar-Latn");
    assert.equal(detectLanguage("آپ کیسے ہیں؟"), "ur");
    assert.equal(detectLanguage("Доброе утро всем"), "ru");
    assert.equal(detectLanguage("#Trump2020 go home you're drunk"), "en");
    assert.equal(detectLanguage("🔥🔥"), "und");
  });
  it("gives `unknown`, never pro, to every text not in a trained language", () => {
    const model = loadStanceModel();
    for (const r of rows) {
      const v = model.classify(r.text);
      if (isTrainedLanguage(v.lang)) continue;
      assert.equal(v.label, "unknown", r.text);
      assert.deepEqual(v.scores, { pro: 0, anti: 0, neutral: 0 });
      assert.equal(model.label(r.text), "unknown");
      assert.equal(classifyStance(model.weights, r.text).label, "unknown");
    }
  });
});

describe("labels file (rasd train --with-labels)", () => {
  const dir = mkdtempSync(join(tmpdir(), "rasd-labels-"));
  it("reads text,stance,language and skips cant_tell", () => {
    const path = join(dir, "ok.csv");
    writeFileSync(
      path,
      'text,stance,language\n"ISIS thugs destroyed ancient Palmyra",anti,en\nhello,cant_tell,en\nدولة الخلافة باقية,pro,\n',
    );
    assert.deepEqual(readLabelsCsv(path), [
      { text: "ISIS thugs destroyed ancient Palmyra", label: "anti", language: "en" },
      { text: "دولة الخلافة باقية", label: "pro", language: "" },
    ]);
  });
  it("refuses a bad stance, a missing column and a missing file, naming them", () => {
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "text,stance,language\nhello,maybe,en\n");
    assert.throws(() => readLabelsCsv(bad), { code: "invalid", message: /line 2: bad stance "maybe"/ });
    const cols = join(dir, "cols.csv");
    writeFileSync(cols, "id,label\n1,pro\n");
    assert.throws(() => readLabelsCsv(cols), { code: "invalid", message: /text,stance,language/ });
    assert.throws(() => readLabelsCsv(join(dir, "nope.csv")), { code: "file.not_found" });
  });
  it("feeds the extra labels into the train split", { skip: hasStanceCorpora(SHARED) ? false : "no ../shared" }, () => {
    const extra = [
      { text: "a sentence written only for this test about Raqqa", label: "anti" as const, language: "en" },
    ];
    const items = loadStanceCorpus(SHARED, { split: "train", extraLabels: extra });
    const found = items.filter((x) => x.source === "labels");
    assert.equal(found.length, 1);
    assert.equal(found[0]!.label, "anti");
  });
});

describe("k-fold cross-validation of the Arabic NB-SVM on alfifi", () => {
  const skip = hasStanceCorpora(SHARED) ? false : `SKIPPED: needs ${SHARED}/testdata/text`;
  it("reaches at least 94% pro vs not in 5-fold CV", { skip }, () => {
    const alfifi = loadStanceCorpus(SHARED, { split: "all" }).filter((x) => x.source === "alfifi");
    const matrix = featureMatrix(
      alfifi.map((x) => x.text),
      1 << 18,
    );
    const folds = stratifiedFolds(
      alfifi.map((x) => x.label),
      5,
      1,
    );
    let correct = 0;
    for (let k = 0; k < 5; k++) {
      const rows = alfifi.flatMap((_, i) => (folds[i] !== k ? [i] : []));
      const m = trainNbSvm(
        matrix,
        rows,
        (i) => alfifi[i]!.label === "pro",
        () => 1,
        ARABIC_NBSVM,
      );
      alfifi.forEach((x, i) => {
        if (folds[i] === k && nbSvmScore(m, matrix, i) > 0 === (x.label === "pro")) correct++;
      });
    }
    const accuracy = correct / alfifi.length;
    console.log(`# alfifi 5-fold CV, NB-SVM alone: ${accuracy.toFixed(4)} on ${alfifi.length}`);
    assert.ok(accuracy >= 0.94, String(accuracy));
  });
});

describe("Platt scaling per language", () => {
  const dims = 16;
  const model = {
    dims,
    weights: new Float32Array(dims * 3),
    bias: new Float32Array([0.5, -1, 0]),
    temperature: 2,
    platt: { en: [0.5, -1] as const },
  };
  it("rescales the tempered pro log-odds of its language only, keeping anti : neutral", () => {
    const z = [2, -1, 0];
    const plain = new Float64Array(3);
    const en = new Float64Array(3);
    calibratedInto(model, z, "ar", plain);
    calibratedInto(model, z, "en", en);
    const t = [1, -0.5, 0];
    const rest = Math.log(Math.exp(t[1]!) + Math.exp(t[2]!));
    const d = 0.5 * (t[0]! - rest) - 1;
    assert.ok(Math.abs(en[0]! - 1 / (1 + Math.exp(-d))) < 1e-12);
    assert.ok(Math.abs(en[1]! / en[2]! - plain[1]! / plain[2]!) < 1e-12);
    assert.ok(Math.abs(plain[0]! - Math.exp(1) / (Math.exp(1) + Math.exp(-0.5) + 1)) < 1e-12);
  });
  it("is carried by the model file", () => {
    const back = decodeStanceModel(encodeStanceModel(model, { version: "t" })).weights;
    assert.deepEqual(back.platt, { en: [0.5, -1] });
  });
});
