import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  allocateLabels,
  estimateShares,
  fieller,
  normalQuantile,
  seededRandom,
  wilson,
  type PpiStratum,
} from "../../src/kernels/quantify/index.js";

const near = (actual: number | null, expected: number, tolerance = 1e-4) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${actual} vs ${expected} (±${tolerance})`);

// Classes: 0 pro, 1 anti, 2 neutral.
const hard = (j: number) => [0, 1, 2].map((i) => (i === j ? 1 : 0));

describe("stratified prediction-powered estimate (hand-computed)", () => {
  it("normal quantile and Wilson interval", () => {
    near(normalQuantile(0.975), 1.959964, 1e-6);
    near(normalQuantile(0.005), -2.575829, 1e-6);
    // Wilson(0.5, 5): centre 0.5, half = (1.959964 / 1.768292) · √(0.05 + 3.841459/100) = 0.329576
    const w = wilson(0.5, 5, 1.959964);
    near(w.low, 0.170424, 1e-5);
    near(w.high, 0.829576, 1e-5);
    assert.equal(wilson(0, 300, 1.96).low, 0);
  });

  it("one stratum predicted pro: the labelled residuals correct the model, with finite-population variance", () => {
    // 10 items all predicted pro; 4 labelled: pro, pro, anti, neutral. θ̂_pro = 1 + mean(0, 0, −1, −1) = 0.5;
    // s² = 1/3; V = (1 − 4/10) · (1/3) / 4 = 0.05; n_eff = 0.25 / 0.05 = 5 → Wilson(0.5, 5).
    const e = estimateShares(
      [{ size: 10, predictedMean: hard(0), labelled: [0, 0, 1, 2].map((truth) => ({ truth, predicted: hard(0) })) }],
      { classes: 3 },
    )!;
    near(e.shares[0]!.estimate, 0.5);
    near(e.shares[0]!.standardError, Math.sqrt(0.05));
    near(e.shares[0]!.low, 0.170424, 1e-4);
    near(e.shares[0]!.high, 0.829576, 1e-4);
    near(e.shares[1]!.estimate, 0.25);
    near(e.shares[2]!.estimate, 0.25);
    assert.equal(e.items, 10);
    assert.equal(e.labelled, 4);
    assert.equal(e.validated, true);
  });

  it("soft predictions: mean prediction over all items plus the mean residual on the labelled", () => {
    // All 4 items' mean P(pro) = 0.6; labelled: a pro item scored 0.8, an anti item scored 0.4:
    // residuals 0.2 and −0.4 → θ̂ = 0.6 − 0.1 = 0.5.
    const e = estimateShares(
      [
        {
          size: 4,
          predictedMean: [0.6, 0.2, 0.2],
          labelled: [
            { truth: 0, predicted: [0.8, 0.1, 0.1] },
            { truth: 1, predicted: [0.4, 0.5, 0.1] },
          ],
        },
      ],
      { classes: 3 },
    )!;
    near(e.shares[0]!.estimate, 0.5);
    // anti: 0.2 + mean(−0.1, 0.5) = 0.4
    near(e.shares[1]!.estimate, 0.4);
  });

  it("strata combine by size; a stratum that saw no item of a class still has variance", () => {
    const strata: PpiStratum[] = [
      { size: 30, predictedMean: hard(0), labelled: [0, 0, 0].map((truth) => ({ truth, predicted: hard(0) })) },
      { size: 70, predictedMean: hard(2), labelled: [2, 2].map((truth) => ({ truth, predicted: hard(2) })) },
    ];
    const e = estimateShares(strata, { classes: 3 })!;
    near(e.shares[0]!.estimate, 0.3);
    near(e.shares[2]!.estimate, 0.7);
    near(e.shares[1]!.estimate, 0);
    assert.ok(e.shares[0]!.high > 0.3 && e.shares[0]!.low < 0.3, "pro's interval is not a point");
    assert.ok(e.shares[1]!.high > 0, "anti was never seen, but 5 labels cannot show it is absent");
    assert.equal(e.shares[1]!.low, 0);
  });

  it("every item labelled: the interval is the point; no more labels needed", () => {
    const e = estimateShares(
      [{ size: 3, predictedMean: hard(0), labelled: [0, 1, 2].map((truth) => ({ truth, predicted: hard(0) })) }],
      { classes: 3 },
    )!;
    near(e.shares[0]!.low, 1 / 3);
    near(e.shares[0]!.high, 1 / 3);
    assert.equal(e.labelsToHalveWidth, 0);
  });

  it("a stratum without labels is model-only: its share enters the estimate, its bounds are the worst case", () => {
    const labelled: PpiStratum = {
      size: 60,
      predictedMean: hard(2),
      labelled: Array.from({ length: 20 }, (_, i) => ({ truth: i < 2 ? 0 : 2, predicted: hard(2) })),
    };
    const alone = estimateShares([labelled], { classes: 3 })!;
    const e = estimateShares([labelled, { size: 40, predictedMean: hard(0), labelled: [] }], {
      classes: 3,
      ratio: { numerator: 1, denominator: 0 },
    })!;
    assert.equal(e.validated, false);
    assert.equal(e.modelOnlyItems, 40);
    // pro: 0.6 · 0.1 + 0.4 · 1 = 0.46; low 0.6 · low(alone); high 0.6 · high(alone) + 0.4
    near(e.shares[0]!.estimate, 0.46);
    near(e.shares[0]!.low, 0.6 * alone.shares[0]!.low);
    near(e.shares[0]!.high, 0.6 * alone.shares[0]!.high + 0.4);
    assert.ok(e.ratio);
  });

  it("Fieller's ratio interval, and a one-sided bound when the denominator may be zero", () => {
    // a 0.2, b 0.1, Va = Vb = 1e-4, C = 0: qa = 0.00961585, qb = 0.02, qc = 0.03961585,
    // disc = 1.90598e-5 → (0.02 ∓ 0.0043658) / 0.00961585 = 1.62588, 2.53391
    const r = fieller(0.2, 0.1, 1e-4, 1e-4, 0, 1.959964);
    assert.equal(r.kind, "two-sided");
    near(r.low, 1.62588, 1e-4);
    near(r.high, 2.53391, 1e-4);
    const one = fieller(0.2, 0.01, 1e-4, 1e-4, 0, 1.959964);
    assert.equal(one.kind, "lower-bound");
    assert.equal(one.high, null);
    assert.ok(one.low > 1, `at least ${one.low}`);
  });

  it("labels alone find no pro: the anti:pro ratio is a lower bound, never a silent null", () => {
    const e = estimateShares(
      [
        {
          size: 1000,
          predictedMean: [0, 0, 0],
          labelled: Array.from({ length: 100 }, (_, i) => ({ truth: i < 20 ? 1 : 2, predicted: [0, 0, 0] })),
        },
      ],
      { classes: 3, ratio: { numerator: 1, denominator: 0 } },
    )!;
    assert.equal(e.ratio!.estimate, null);
    assert.equal(e.ratio!.high, null);
    assert.equal(e.ratio!.kind, "lower-bound");
    assert.ok(e.ratio!.low > 1);
  });

  it("valid under any classifier error: a classifier that is wrong half the time still covers the truth ~95%", () => {
    const random = seededRandom(16);
    let covered = 0;
    let error = 0;
    const runs = 300;
    for (let r = 0; r < runs; r++) {
      const truth = Array.from({ length: 2000 }, () => (random() < 0.1 ? 0 : random() < 0.2 ? 1 : 2));
      // Predicted pro for half of everything, whatever the truth.
      const predicted = truth.map(() => (random() < 0.5 ? 0 : 2));
      const strata: PpiStratum[] = [0, 2].map((p) => {
        const members = truth.map((_, i) => i).filter((i) => predicted[i] === p);
        const chosen = members.filter(() => random() < 0.05);
        return {
          size: members.length,
          predictedMean: hard(p),
          labelled: chosen.map((i) => ({ truth: truth[i]!, predicted: hard(p) })),
        };
      });
      const e = estimateShares(strata, { classes: 3 })!;
      const share = truth.filter((y) => y === 0).length / truth.length;
      if (e.shares[0]!.low <= share && share <= e.shares[0]!.high) covered++;
      error += e.shares[0]!.estimate - share;
    }
    assert.ok(covered / runs >= 0.92 && covered / runs <= 0.985, `coverage ${covered / runs}`);
    assert.ok(Math.abs(error / runs) < 0.005, `bias ${error / runs}`);
  });

  it("labels to halve the width: about three times the labels when the population is large", () => {
    const e = estimateShares(
      [
        {
          size: 1_000_000,
          predictedMean: [0, 0, 0],
          labelled: Array.from({ length: 100 }, (_, i) => ({ truth: i % 3, predicted: [0, 0, 0] })),
        },
      ],
      { classes: 3 },
    )!;
    assert.ok(e.labelsToHalveWidth! >= 299 && e.labelsToHalveWidth! <= 302, `${e.labelsToHalveWidth}`);
  });
});

describe("allocating labels", () => {
  it("square-root allocation, a floor per stratum, never more than a stratum holds", () => {
    const a = allocateLabels([9000, 900, 100, 1], 300);
    assert.equal(
      a.reduce((x, y) => x + y, 0),
      300,
    );
    assert.equal(a[3], 1);
    assert.ok(a[0]! > a[1]! && a[1]! > a[2]!);
    // √ allocation: 9000 gets about √9000 / (√9000 + √900 + √100) = 0.69 of what is left
    assert.ok(a[0]! >= 200 && a[0]! <= 212, `${a}`);
    assert.deepEqual(allocateLabels([3, 2], 300), [3, 2]);
    assert.deepEqual(allocateLabels([], 300), []);
  });
});
