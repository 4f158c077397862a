/**
 * Decision 0019's calibration: isotonic maps (pool adjacent violators) per language for the pro
 * and anti scores, neutral the rest; carried in the model file; the shipped model's held-out
 * figures per language and class.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyIsotonic,
  classifyStance,
  decodeStanceModel,
  encodeStanceModel,
  fitIsotonic,
  isotonicInto,
  type StanceWeights,
} from "../../src/kernels/stance/index.js";
import { loadStanceModel } from "../../src/signals/stance/model.js";
import { binBeyond5, calibrationReport, wilsonInterval } from "../../src/signals/stance/training.js";

describe("fitIsotonic / applyIsotonic", () => {
  it("is monotone and matches observed frequencies of pooled blocks", () => {
    // Over-confident scores: p 0.9 is right half of the time, p 0.1 never.
    const p = [...Array<number>(40).fill(0.1), ...Array<number>(40).fill(0.9)];
    const hit = [...Array<boolean>(40).fill(false), ...Array.from({ length: 40 }, (_, i) => i % 2 === 0)];
    const map = fitIsotonic(
      p,
      hit,
      p.map(() => 1),
      20,
    );
    assert.deepEqual(
      map.x.map((x) => Number(x.toFixed(9))),
      [0.1, 0.9],
    );
    assert.deepEqual(map.y, [0, 0.5]);
    assert.equal(applyIsotonic(map, 0.9), 0.5);
    assert.ok(Math.abs(applyIsotonic(map, 0.5) - 0.25) < 1e-9); // linear between knots
    assert.equal(applyIsotonic(map, 0.99), 0.5); // flat beyond the ends
    assert.equal(applyIsotonic(map, 0), 0);
  });

  it("pools violators and light blocks, and gives strictly increasing knots", () => {
    const p = Array.from({ length: 200 }, (_, i) => i / 200);
    // Mostly increasing with noise that violates monotonicity locally.
    const hit = p.map((x, i) => (i % 7 === 0 ? x < 0.5 : x > 0.5));
    const map = fitIsotonic(
      p,
      hit,
      p.map(() => 1),
      20,
    );
    for (let k = 1; k < map.x.length; k++) {
      assert.ok(map.x[k]! > map.x[k - 1]!, "x increasing");
      assert.ok(map.y[k]! >= map.y[k - 1]!, "y non-decreasing");
    }
    assert.ok(map.x.length <= 10, `blocks of at least 20 items: ${map.x.length}`);
    // Sample weights count: one heavy item is a block of its own.
    const heavy = fitIsotonic([0.2, 0.8], [false, true], [25, 25], 20);
    assert.deepEqual(heavy, { x: [0.2, 0.8], y: [0, 1] });
  });

  it("isotonicInto maps pro and anti, leaves neutral the rest, and floors", () => {
    const maps = [
      { x: [0, 1], y: [0, 0.5] },
      { x: [0, 1], y: [0, 1] },
    ];
    const out = new Float64Array(3);
    isotonicInto(maps, [0.8, 0.1, 0.1], out);
    assert.ok(Math.abs(out[0]! - 0.4) < 1e-12 && Math.abs(out[1]! - 0.1) < 1e-12 && Math.abs(out[2]! - 0.5) < 1e-12);
    isotonicInto(maps, [0, 0, 1], out);
    assert.equal(out[0], 0.001); // never exactly 0
    // pro and anti passing 1: scaled down, neutral floored, still summing to 1.
    isotonicInto(
      [
        { x: [0, 1], y: [1, 1] },
        { x: [0, 1], y: [1, 1] },
      ],
      [0.5, 0.5, 0],
      out,
    );
    assert.ok(Math.abs(out[0]! + out[1]! + out[2]! - 1) < 1e-12);
    assert.equal(out[2], 0.001);
    isotonicInto(undefined, [0.2, 0.3, 0.5], out);
    assert.deepEqual(Array.from(out), [0.2, 0.3, 0.5]);
  });

  it("isotonicInto with anti the rest (decision 0030) maps pro and neutral", () => {
    const maps = [
      { x: [0, 1], y: [0, 0.5] }, // pro
      { x: [0, 1], y: [0, 0.8] }, // neutral
    ];
    const out = new Float64Array(3);
    isotonicInto(maps, [0.6, 0.1, 0.3], out, 1);
    assert.ok(Math.abs(out[0]! - 0.3) < 1e-12, `pro ${out[0]}`);
    assert.ok(Math.abs(out[2]! - 0.24) < 1e-12, `neutral ${out[2]}`);
    assert.ok(Math.abs(out[1]! - 0.46) < 1e-12, `anti the rest ${out[1]}`);
    isotonicInto(
      [
        { x: [0, 1], y: [1, 1] },
        { x: [0, 1], y: [1, 1] },
      ],
      [0.5, 0, 0.5],
      out,
      1,
    );
    assert.equal(out[1], 0.001);
    assert.ok(Math.abs(out[0]! + out[1]! + out[2]! - 1) < 1e-12);
  });
});

describe("bins shown off by more than 5 points (Wilson 95%)", () => {
  it("wilsonInterval brackets the share and narrows with n", () => {
    const [lo, hi] = wilsonInterval(6, 51);
    assert.ok(lo > 0.05 && lo < 0.06 && hi > 0.23 && hi < 0.24, `${lo} ${hi}`);
    const [lo2, hi2] = wilsonInterval(600, 5100);
    assert.ok(hi2 - lo2 < (hi - lo) / 5);
    assert.deepEqual(wilsonInterval(0, 0), [0, 1]);
  });

  it("binBeyond5 flags only what the counts show", () => {
    // 6 of 51 at a mean prediction of 3.6%: 11.8% observed, but the interval reaches 8.6%: not shown.
    assert.equal(binBeyond5({ lo: 0, hi: 0.1, n: 51, predicted: 0.036, observed: 6 / 51 }), false);
    // The same share over 5,100 items is shown off.
    assert.equal(binBeyond5({ lo: 0, hi: 0.1, n: 5100, predicted: 0.036, observed: 600 / 5100 }), true);
    assert.equal(binBeyond5({ lo: 0.8, hi: 0.9, n: 3, predicted: 0.863, observed: 0 }), true);
    assert.equal(binBeyond5({ lo: 0.5, hi: 0.6, n: 0, predicted: 0, observed: 0 }), false);
  });
});

describe("the model file carries the isotonic maps", () => {
  const base: StanceWeights = {
    dims: 4,
    weights: Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0]),
    bias: Float64Array.from([0, 0, 0]),
    temperature: 1,
  };
  const isotonic = {
    en: [
      { x: [0.1, 0.9], y: [0.05, 0.6] },
      { x: [0.2, 0.7], y: [0, 0.9] },
    ],
  };

  it("round-trips them and applies them to the scores, not the label", () => {
    const { weights } = decodeStanceModel(encodeStanceModel({ ...base, isotonic }, { version: "t" }));
    assert.deepEqual(weights.isotonic, isotonic);
    const text = "the cat sat on the mat with the dog";
    const raw = classifyStance(base, text);
    const mapped = classifyStance(weights, text);
    assert.equal(mapped.lang, "en");
    assert.equal(mapped.label, raw.label, "the label is the argmax before the maps");
    const expected = new Float64Array(3);
    isotonicInto(isotonic.en, [raw.scores.pro, raw.scores.anti, raw.scores.neutral], expected);
    assert.ok(Math.abs(mapped.scores.pro - expected[0]!) < 1e-4);
    assert.ok(Math.abs(mapped.scores.pro + mapped.scores.anti + mapped.scores.neutral - 1) < 1e-9);
  });

  it("refuses a malformed map with its language named", () => {
    for (const bad of [
      {
        en: [
          { x: [0.5, 0.2], y: [0, 1] },
          { x: [0], y: [0] },
        ],
      }, // x not increasing
      {
        en: [
          { x: [0.2], y: [1.5] },
          { x: [0], y: [0] },
        ],
      }, // y out of [0, 1]
      { en: [{ x: [0.2], y: [0.5] }] }, // one map instead of two
    ]) {
      const bytes = encodeStanceModel({ ...base, isotonic: bad as never }, { version: "t" });
      assert.throws(() => decodeStanceModel(bytes), /isotonic map of "en" is invalid/);
    }
  });
});

describe("calibration of the shipped model (decisions 0019, 0030)", () => {
  const model = loadStanceModel();

  it("maps pro and neutral with anti the rest", () => {
    assert.equal(model.weights.isotonicRest, 1);
    assert.equal(model.weights.isotonic?.ar?.length, 2);
  });

  it("is within 5 points in the well-filled cross-fitted bins but two English ones, none of pro and neutral shown off", () => {
    const cv = model.header.calibration.cv;
    for (const lang of ["ar", "en"]) {
      for (const label of ["pro", "anti", "neutral"]) {
        const c = cv[lang]![label]!;
        // The exceptions (decision 0030): English pro 0.7–0.8 (33 items, 75.1% → 81.8%) and English
        // neutral 0.4–0.5 (36 items, 44.6% → 50.0%); neither bin's 95% interval excludes ±5 points.
        const bound = lang === "en" && label !== "anti" ? 0.07 : 0.05;
        assert.ok(c.maxGap <= bound, `${lang} ${label}: largest gap ${c.maxGap}`);
        assert.ok(c.ece <= 0.005, `${lang} ${label}: ECE ${c.ece}`);
        if (label !== "anti") assert.equal(c.beyond5, 0, `${lang} ${label}: bins shown off`);
      }
    }
  });

  it("is within 5 points for pro and anti in every well-filled held-out bin, and no neutral bin is shown off", () => {
    const held = model.header.calibration.heldOut;
    for (const lang of ["ar", "en"]) {
      for (const label of ["pro", "anti"]) {
        const c = held[lang]![label]!;
        assert.ok(c.maxGap <= 0.05, `${lang} ${label}: largest gap ${c.maxGap}`);
        assert.ok(c.ece <= 0.01, `${lang} ${label}: ECE ${c.ece}`);
      }
      assert.equal(held[lang]!.neutral!.beyond5, 0, `${lang} neutral`);
    }
    // Arabic neutral was 13.4 points off in 0019's model; now at most 8.2 (51 items, 3.6% → 11.8%).
    assert.ok(held.ar!.neutral!.maxGap < 0.09, `ar neutral ${held.ar!.neutral!.maxGap}`);
    // The maps help where temperature alone was off: Arabic pro.
    assert.ok(held.ar!.pro!.maxGap < model.header.calibration.heldOutTemperatureOnly.ar!.pro!.maxGap);
  });

  it("calibrationReport bins per class and scope", () => {
    const r = calibrationReport(
      ["en", "en", "ar", "fr"],
      [0, 2, 1, 2],
      [
        [0.95, 0.03, 0.02],
        [0.05, 0.05, 0.9],
        [0.1, 0.8, 0.1],
        [0.3, 0.3, 0.4],
      ],
    );
    assert.deepEqual(Object.keys(r), ["all", "ar", "en"]); // untrained languages only in "all"
    assert.equal(r.en!.pro!.bins.find((b) => b.n > 0 && b.lo >= 0.9)!.observed, 1);
    assert.equal(r.all!.neutral!.maxGap, 0); // no bin holds 30 items
  });
});
