/**
 * The stance kernel: folding, features, language, behaviour rules, metrics, calibration, the
 * model codec, deterministic training, and the shipped model on hand-written sentences (not in
 * its training data).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  STANCE_LABELS,
  behaviourOf,
  brierScore,
  classifyStance,
  confusionOf,
  decodeStanceModel,
  detectLanguage,
  encodeStanceModel,
  expectedCalibrationError,
  extractFeatures,
  featureMatrix,
  fitTemperature,
  foldForStance,
  maxFeatures,
  metricsFromConfusion,
  stratifiedFolds,
  trainStance,
  type StanceWeights,
} from "../../src/kernels/stance/index.js";
import { loadStanceModel } from "../../src/signals/stance/model.js";

function features(text: string, dims = 1 << 18): number[] {
  const out = new Int32Array(maxFeatures(text.length));
  return Array.from(out.subarray(0, extractFeatures(text, dims, out))).sort((a, b) => a - b);
}

describe("stance folding", () => {
  it("removes marks, tatweel, links, mentions and RT; unifies letters; lower-cases", () => {
    assert.equal(foldForStance("RT @someone: الدَّوْلَـــةُ الإسْلامِيَّة https://t.co/x"), "الدوله الاسلاميه");
    assert.equal(foldForStance("Join the ＩＳＩＳ army!!! www.example.com"), "join the isis army");
    assert.equal(foldForStance("ﻻ إله"), "لا اله"); // lam-alef ligature expands
    // Presentation forms (U+FE70–U+FEFF), as some pro-ISIS tweets are written, fold to plain letters.
    assert.equal(
      foldForStance("\uFE8D\uFEDF\uFEAA\uFEED\uFEDF\uFE94 \uFE8D\uFEF9\uFEB3\uFEFC\uFEE3\uFEF4\uFE94"),
      "الدوله الاسلاميه",
    );
    assert.equal(foldForStance("مووووت"), "مووت");
    assert.equal(foldForStance(""), "");
    assert.equal(foldForStance("🔥🔥 !!"), "");
  });
});

describe("stance features", () => {
  it("are the same for spelling variants that fold alike", () => {
    assert.deepEqual(features("الدولة الإسلامية"), features("الدوله الاسلاميه"));
    assert.deepEqual(features("ISIS"), features("isis"));
    assert.deepEqual(features("داعـــش"), features("داعش"));
  });
  it("differ for different texts and stay inside dims", () => {
    assert.notDeepEqual(features("داعش"), features("الدولة"));
    for (const f of features("mixed نص عربي and English 123", 1024)) assert.ok(f >= 0 && f < 1024);
  });
  it("has none for text without letters and never overflows the bound", () => {
    assert.deepEqual(features(""), []);
    assert.deepEqual(features("🙂 ... @user http://x.y"), []);
    const worst = "ﻻ".repeat(500);
    assert.ok(features(worst).length <= maxFeatures(worst.length));
  });
});

describe("language detection", () => {
  it("tells Arabic, English and the rest apart, RTL and mixed script included", () => {
    assert.equal(detectLanguage("الدولة الإسلامية باقية"), "ar");
    assert.equal(detectLanguage("شو عم تحكي يا زلمة"), "ar");
    assert.equal(detectLanguage("\u202Bداعش\u202C is evil"), "en");
    assert.equal(detectLanguage("داعش عصابة ISIS"), "ar");
    assert.equal(detectLanguage("The caliphate was a lie"), "en");
    assert.equal(detectLanguage("Le califat est tombé hier soir à Raqqa"), "fr");
    assert.equal(detectLanguage("Халифат пал"), "ru");
    assert.equal(detectLanguage("ፈተና ነው"), "und");
    assert.equal(detectLanguage(""), "und");
    assert.equal(detectLanguage("🔥🔥"), "und");
  });
});

describe("behaviour rules", () => {
  it("find a category by lexicon, or none", () => {
    assert.equal(behaviourOf("انفروا خفافا وثقالا إلى أرض الخلافة"), "recruitment");
    assert.equal(behaviourOf("Make hijrah to the land of the caliphate, brothers"), "recruitment");
    assert.equal(behaviourOf("اقتلوا المشركين حيث وجدتموهم"), "incitement");
    assert.equal(behaviourOf("أخونا الاستشهادي تقبله الله"), "glorification");
    assert.equal(behaviourOf("طريقة صنع العبوات خطوة بخطوة"), "instruction");
    assert.equal(behaviourOf("الروافض أنجاس"), "sectarian_hate");
    assert.equal(behaviourOf("the weather is nice today"), undefined);
  });
});

describe("metrics", () => {
  it("compute accuracy, per-class figures and macro-F1 from a confusion matrix", () => {
    const c = confusionOf([0, 0, 1, 2, 2, 2], [0, 2, 1, 2, 2, 0]);
    assert.deepEqual(c, [
      [1, 0, 1],
      [0, 1, 0],
      [1, 0, 2],
    ]);
    const m = metricsFromConfusion(c);
    assert.equal(m.accuracy, 4 / 6);
    assert.equal(m.perClass.pro.precision, 0.5);
    assert.equal(m.perClass.neutral.recall, 2 / 3);
    assert.ok(Math.abs(m.macroF1 - (0.5 + 1 + 2 / 3) / 3) < 1e-12);
    assert.equal(metricsFromConfusion(confusionOf([], [])).accuracy, 0);
  });
  it("ECE is 0 when confidence matches accuracy, Brier 0 for certain right answers", () => {
    assert.equal(expectedCalibrationError([0.75, 0.75, 0.75, 0.75], [true, true, true, false]), 0);
    assert.ok(Math.abs(expectedCalibrationError([0.99, 0.99], [false, false]) - 0.99) < 1e-12);
    assert.equal(brierScore([[1, 0, 0]], [0]), 0);
    assert.equal(brierScore([[0, 1, 0]], [0]), 2);
  });
  it("temperature scaling cools over-confident logits and keeps good ones", () => {
    const logits = Array.from({ length: 100 }, () => [10, 0, 0] as number[]).map((z, i) =>
      i % 4 === 0 ? [0, 10, 0] : z,
    );
    const truth = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 0 : 1));
    assert.ok(fitTemperature(logits, truth) > 3);
  });
});

function toyData(): { texts: string[]; labels: Int8Array } {
  const texts: string[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 60; i++) {
    texts.push(`باقية وتتمدد ${i} جنود الخلافة`, `داعش عصابة مجرمة ${i}`, `مباراة كرة القدم اليوم ${i}`);
    labels.push(0, 1, 2);
  }
  return { texts, labels: Int8Array.from(labels) };
}

describe("training", () => {
  it("is deterministic and learns a separable toy problem", () => {
    const { texts, labels } = toyData();
    const options = { dims: 1 << 12, epochs: 4, learningRate: 2, l2: 1e-6, seed: 7 };
    const m = featureMatrix(texts, options.dims);
    const rows = texts.map((_, i) => i);
    const weights = new Float64Array(texts.length).fill(1);
    const a = trainStance(m, labels, weights, rows, options);
    const b = trainStance(m, labels, weights, rows, options);
    assert.deepEqual(Buffer.from(a.weights.buffer), Buffer.from(b.weights.buffer));
    assert.equal(classifyStance(a, "داعش عصابة مجرمة").label, "anti");
    assert.equal(classifyStance(a, "باقية وتتمدد").label, "pro");
    assert.equal(classifyStance(a, "مباراة اليوم").label, "neutral");
  });
  it("stratified folds give every fold its share of every stratum", () => {
    const strata = Array.from({ length: 100 }, (_, i) => (i < 30 ? "a" : "b"));
    const folds = stratifiedFolds(strata, 10, 1);
    for (let k = 0; k < 10; k++) {
      assert.equal(strata.filter((s, i) => s === "a" && folds[i] === k).length, 3);
    }
    assert.deepEqual(folds, stratifiedFolds(strata, 10, 1));
  });
});

describe("model codec", () => {
  it("round-trips weights within quantisation error and rejects garbage", () => {
    const model: StanceWeights = {
      dims: 16,
      weights: Float32Array.from({ length: 48 }, (_, i) => Math.sin(i) * 3),
      bias: Float32Array.from([0.5, -1, 0.25]),
      temperature: 1.5,
    };
    const bytes = encodeStanceModel(model, { version: "test-1", extra: { a: 1 } });
    const back = decodeStanceModel<{
      format: "rasd-stance";
      version: string;
      dims: number;
      temperature: number;
      scale: number;
      extra: { a: number };
    }>(bytes);
    assert.equal(back.header.version, "test-1");
    assert.equal(back.header.extra.a, 1);
    assert.equal(back.weights.temperature, 1.5);
    for (let i = 0; i < 48; i++) assert.ok(Math.abs(back.weights.weights[i]! - model.weights[i]!) < 3 / 32767 + 1e-6);
    assert.throws(() => decodeStanceModel(new Uint8Array(20)), /magic/);
    assert.throws(() => decodeStanceModel(bytes.subarray(0, bytes.length - 2)), /length/);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), "RASDSTN1");
    assert.equal(back.weights.arabic, undefined);
  });
  it("round-trips the Arabic specialist block (RASDSTN2)", () => {
    const model: StanceWeights = {
      dims: 16,
      weights: Float32Array.from({ length: 48 }, (_, i) => Math.sin(i) * 3),
      bias: Float32Array.from([0.5, -1, 0.25]),
      temperature: 1.5,
      arabic: {
        weights: Float32Array.from({ length: 32 }, (_, i) => Math.cos(i) * 5),
        fuse: [0.1, 0.2, 0.3, 0.04, -1],
      },
    };
    const bytes = encodeStanceModel(model, { version: "test-2" });
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 8)), "RASDSTN2");
    const back = decodeStanceModel(bytes);
    assert.deepEqual(back.weights.arabic?.fuse, [0.1, 0.2, 0.3, 0.04, -1]);
    for (let i = 0; i < 32; i++) {
      assert.ok(Math.abs(back.weights.arabic!.weights[i]! - model.arabic!.weights[i]!) < 5 / 32767 + 1e-6);
    }
    assert.throws(() => decodeStanceModel(bytes.subarray(0, bytes.length - 64)), /length/);
    // The specialist changes only Arabic texts' pro logit.
    const plain = { ...back.weights, arabic: undefined };
    assert.deepEqual(classifyStance(back.weights, "hello world").scores, classifyStance(plain, "hello world").scores);
  });
});

describe("the shipped model (models/stance-v2.bin)", () => {
  const model = loadStanceModel();
  it("carries its version and cross-validated confusion matrices", () => {
    assert.match(model.version, /^stance-v2@[0-9a-f]{12}$/);
    assert.deepEqual(model.labels, STANCE_LABELS);
    const c = model.validation.confusion;
    assert.equal(c.length, 3);
    assert.equal(
      c.flat().reduce((a, b) => a + b, 0),
      model.validation.n,
    );
    assert.ok(model.validation.perLanguage.ar && model.validation.perLanguage.en);
    assert.ok(model.heldOut.n > 0);
  });
  it("classifies hand-written Arabic and English sentences", () => {
    const cases: [string, string][] = [
      ["دولة الخلافة باقية وتتمدد بإذن الله، انفروا يا شباب الإسلام إلى أرض الخلافة", "pro"],
      ["#ولاية_نينوى استهداف تجمع للجيش الصفوي المرتد بعبوة ناسفة #الدولة_الإسلامية", "pro"],
      ["Brothers, make hijrah to the Khilafah, the soldiers of the Islamic State await you", "pro"],
      ["الله يلعن داعش وكل من يؤيدها، الدواعش خوارج قتلة", "anti"],
      ["مباراة ريال مدريد وبرشلونة الليلة على الساعة التاسعة", "neutral"],
      ["What a beautiful morning, coffee and a good book", "neutral"],
    ];
    for (const [text, label] of cases) assert.equal(model.classify(text).label, label, text);
  });
  it("returns calibrated scores that sum to one, a language, and behaviour for pro only", () => {
    const r = model.classify("اقتلوا المرتدين الروافض حيث وجدتموهم #الدولة_الإسلامية");
    assert.equal(r.label, "pro");
    assert.equal(r.lang, "ar");
    assert.equal(r.behaviour, "incitement");
    assert.ok(Math.abs(r.scores.pro + r.scores.anti + r.scores.neutral - 1) < 1e-9);
    assert.equal(r.score, r.scores.pro);
    const n = model.classify("The weather is nice today");
    assert.equal(n.behaviour, undefined);
  });
  it("handles empty and symbol-only text, and refuses non-strings", () => {
    for (const t of ["", "   ", "🔥🔥🔥", "https://t.co/abc @user"]) {
      const r = model.classify(t);
      assert.equal(r.label, "unknown", JSON.stringify(t)); // no language, no stance
      assert.equal(r.lang, "und");
    }
    assert.throws(() => model.classify(undefined as unknown as string), TypeError);
  });
});
