import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  adjustedShares,
  estimatePrevalence,
  misclassificationRates,
  multinomial,
  projectToSimplex,
  seedFrom,
  seededRandom,
} from "../../src/kernels/quantify/index.js";

// Class order everywhere: pro, anti, neutral.
const RATES = [
  [0.9, 0.02, 0.08],
  [0.05, 0.75, 0.2],
  [0.01, 0.04, 0.95],
];

function close(actual: readonly number[], expected: readonly number[], tolerance: number): void {
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]!) <= tolerance, `${a} vs ${expected[i]} (±${tolerance})`),
  );
}

/** A simulated classifier: true classes drawn with `truth`, predicted with `rates`. */
function simulate(truth: readonly number[], n: number, random: () => number): number[] {
  const observed = [0, 0, 0];
  const trueCounts = multinomial(n, truth, random);
  trueCounts.forEach((count, i) => multinomial(count, RATES[i]!, random).forEach((c, j) => (observed[j]! += c)));
  return observed;
}

describe("adjusted classify-and-count", () => {
  it("recovers the true shares exactly when the counts are exactly what the rates predict", () => {
    const truth = [0.1, 0.3, 0.6];
    const observed = [0, 1, 2].map((j) => truth.reduce((s, p, i) => s + p * RATES[i]![j]!, 0) * 10_000);
    close(adjustedShares(observed, RATES)!, truth, 1e-9);
  });

  it("stays a distribution when noise puts the exact solution outside the simplex", () => {
    // Fewer predicted pro than false positives alone would explain: the exact solution is negative.
    const p = adjustedShares([0, 300, 700], RATES)!;
    assert.ok(p.every((x) => x >= 0));
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.equal(p[0], 0);
  });

  it("gives nothing to estimate for no items", () => {
    assert.equal(adjustedShares([0, 0, 0], RATES), undefined);
  });

  it("turns confusion counts into rates, treating an unvalidated class as always right", () => {
    assert.deepEqual(
      misclassificationRates([
        [8, 2],
        [0, 0],
      ]),
      [
        [0.8, 0.2],
        [0, 1],
      ],
    );
  });

  it("projects onto the simplex", () => {
    close(projectToSimplex([0.5, 0.5, 0.5]), [1 / 3, 1 / 3, 1 / 3], 1e-12);
    close(projectToSimplex([2, 0, -1]), [1, 0, 0], 1e-12);
    close(projectToSimplex([0.2, 0.3, 0.5]), [0.2, 0.3, 0.5], 1e-12);
  });
});

describe("prevalence with bootstrap intervals", () => {
  const validation = (random: () => number) => RATES.map((row) => multinomial(300, row, random));

  it("covers the true shares and ratio in about 95% of simulated streams, where raw counting is biased", () => {
    const truth = [0.05, 0.3, 0.65];
    const random = seededRandom(7);
    let coveredPro = 0;
    let coveredAnti = 0;
    let coveredRatio = 0;
    let rawError = 0;
    let adjustedError = 0;
    const trials = 60;
    for (let t = 0; t < trials; t++) {
      const observed = simulate(truth, 3000, random);
      const e = estimatePrevalence([{ observed, confusion: validation(random) }], {
        seed: t,
        replicates: 400,
        ratio: { numerator: 1, denominator: 0 },
      })!;
      if (e.shares[0]!.low <= truth[0]! && truth[0]! <= e.shares[0]!.high) coveredPro++;
      if (e.shares[1]!.low <= truth[1]! && truth[1]! <= e.shares[1]!.high) coveredAnti++;
      const ratio = truth[1]! / truth[0]!;
      if (e.ratio!.low! <= ratio && (e.ratio!.high === null || ratio <= e.ratio!.high)) coveredRatio++;
      rawError += Math.abs(e.observed[0]! - truth[0]!) / trials;
      adjustedError += Math.abs(e.shares[0]!.estimate - truth[0]!) / trials;
    }
    // Nominal 95%: at 60 trials, fewer than 51 would be far out of line (p < 0.01).
    assert.ok(coveredPro >= 51, `pro covered in ${coveredPro}/${trials}`);
    assert.ok(coveredAnti >= 51, `anti covered in ${coveredAnti}/${trials}`);
    assert.ok(coveredRatio >= 51, `ratio covered in ${coveredRatio}/${trials}`);
    // Raw counting is biased: 0.05·0.9 + 0.3·0.05 + 0.65·0.01 ≈ 0.067 against a truth of 0.05.
    assert.ok(rawError > 2 * adjustedError, `mean error raw ${rawError} vs adjusted ${adjustedError}`);
  });

  it("combines strata (languages) by size, each with its own error rates", () => {
    const perfect = [
      [100, 0, 0],
      [0, 100, 0],
      [0, 0, 100],
    ];
    const e = estimatePrevalence(
      [
        { observed: [10, 30, 60], confusion: perfect },
        { observed: [0, 0, 300], confusion: perfect },
      ],
      { seed: 1, replicates: 200 },
    )!;
    assert.equal(e.items, 400);
    close(
      e.shares.map((s) => s.estimate),
      [10 / 400, 30 / 400, 360 / 400],
      1e-9,
    );
  });

  it("is reproducible from its seed, and differs with another seed", () => {
    const strata = [{ observed: [40, 200, 760], confusion: RATES.map((r) => r.map((x) => x * 200)) }];
    const a = estimatePrevalence(strata, { seed: seedFrom("2016-01|day|ar"), replicates: 300 });
    const b = estimatePrevalence(strata, { seed: seedFrom("2016-01|day|ar"), replicates: 300 });
    const c = estimatePrevalence(strata, { seed: seedFrom("2016-02|day|ar"), replicates: 300 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a!.shares[0], c!.shares[0]);
  });

  it("reports an unbounded ratio when no pro content may exist, and nothing for no items", () => {
    const perfect = [
      [100, 0, 0],
      [0, 100, 0],
      [0, 0, 100],
    ];
    const e = estimatePrevalence([{ observed: [0, 50, 50], confusion: perfect }], {
      seed: 3,
      replicates: 100,
      ratio: { numerator: 1, denominator: 0 },
    })!;
    assert.deepEqual(e.ratio, { estimate: null, low: null, high: null });
    assert.equal(estimatePrevalence([{ observed: [0, 0, 0], confusion: perfect }], { seed: 3 }), undefined);
  });
});

describe("seeded randomness", () => {
  it("draws multinomials that sum to n with the right means", () => {
    const random = seededRandom(42);
    const sums = [0, 0, 0];
    for (let i = 0; i < 200; i++) {
      const d = multinomial(1000, [0.2, 0.3, 0.5], random);
      assert.equal(
        d.reduce((a, b) => a + b, 0),
        1000,
      );
      d.forEach((x, j) => (sums[j]! += x / 200_000));
    }
    close(sums, [0.2, 0.3, 0.5], 0.01);
  });
});
