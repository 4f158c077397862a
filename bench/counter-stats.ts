/**
 * Are the campaign figures' intervals and tests true? (issue 20.) Simulates counter-content
 * campaigns with known click-through rates and watch-time distributions and prints, per case:
 *   - the coverage of the 95% Wilson interval of a CTR and the bias of the CTR estimate;
 *   - the coverage of the 95% t-interval of mean watch time (log-normal watch times, skewed as
 *     real ones are) and the bias of the mean;
 *   - the false-positive rate of the two-proportion z-test and of Welch's t-test when the two
 *     items are truly equal (should be ~5%), the coverage of Newcombe's and Welch's intervals
 *     of the difference, and the power at a real difference.
 *
 *   npm run bench -- counter-stats [--reps 4000]
 *
 * Seeded (the same figures on every run). The functions are those the API uses
 * (kernels/quantify/compare.ts).
 */

import { compareMeans, compareProportions, meanInterval, proportion } from "../src/kernels/quantify/index.js";
import { seededRandom } from "../src/kernels/random.js";
import { emit, load1 } from "./_util.js";

const i = process.argv.indexOf("--reps");
const REPS = i >= 0 ? Number(process.argv[i + 1]) : 4000;
const random = seededRandom(20_261_207);

function binomial(n: number, p: number): number {
  let k = 0;
  for (let j = 0; j < n; j++) if (random() < p) k++;
  return k;
}

function normal(): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Log-normal watch seconds with median `median` and log-sd `sigma`; its mean is median·e^(σ²/2). */
function watches(n: number, median: number, sigma: number): number[] {
  return Array.from({ length: n }, () => median * Math.exp(sigma * normal()));
}

const base = (c: string) => ({ bench: "counter-stats", case: c, impl: "rasd", load1: load1(), reps: REPS });

// CTR: Wilson coverage and bias.
for (const p of [0.01, 0.05, 0.2])
  for (const n of [100, 1000, 10_000]) {
    let covered = 0;
    let sum = 0;
    for (let r = 0; r < REPS; r++) {
      const e = proportion(binomial(n, p), n);
      if (e.low <= p && p <= e.high) covered++;
      sum += e.rate;
    }
    const c = `ctr p=${p} n=${n}`;
    emit({ ...base(c), metric: "wilson_coverage", value: covered / REPS });
    emit({ ...base(c), metric: "ctr_bias", value: sum / REPS - p });
  }

// Watch time: t-interval coverage and bias on skewed (log-normal) watch times.
for (const sigma of [0.5, 1])
  for (const n of [30, 200, 1000]) {
    const median = 20;
    const mean = median * Math.exp((sigma * sigma) / 2);
    let covered = 0;
    let sum = 0;
    for (let r = 0; r < REPS; r++) {
      const e = meanInterval(watches(n, median, sigma));
      if (e.low <= mean && mean <= e.high) covered++;
      sum += e.mean;
    }
    const c = `watch lognormal sigma=${sigma} n=${n}`;
    emit({ ...base(c), metric: "t_interval_coverage", value: covered / REPS });
    emit({ ...base(c), metric: "mean_bias_s", value: sum / REPS - mean });
  }

// Comparisons: false-positive rate at equal CTRs / watch times; power at a real difference.
for (const [pa, pb, n] of [
  [0.05, 0.05, 1000],
  [0.02, 0.02, 5000],
  [0.2, 0.2, 300],
  [0.05, 0.07, 5000],
] as const) {
  let rejected = 0;
  let covered = 0;
  for (let r = 0; r < REPS; r++) {
    const t = compareProportions(binomial(n, pa), n, binomial(n, pb), n);
    if (t.significant) rejected++;
    if (t.low <= pa - pb && pa - pb <= t.high) covered++;
  }
  const c = `ctr compare ${pa} vs ${pb} n=${n} each`;
  emit({ ...base(c), metric: pa === pb ? "z_test_false_positive_rate" : "z_test_power", value: rejected / REPS });
  emit({ ...base(c), metric: "newcombe_coverage", value: covered / REPS });
}
for (const [ma, mb, na, nb] of [
  [20, 20, 100, 100],
  [20, 20, 50, 400],
  [20, 24, 400, 400],
] as const) {
  const sigma = 1;
  const truth = (ma - mb) * Math.exp((sigma * sigma) / 2);
  let rejected = 0;
  let covered = 0;
  for (let r = 0; r < REPS; r++) {
    const t = compareMeans(watches(na, ma, sigma), watches(nb, mb, sigma));
    if (t.significant) rejected++;
    if (t.low <= truth && truth <= t.high) covered++;
  }
  const c = `watch compare median ${ma} vs ${mb} s, n=${na}/${nb}, lognormal sigma=1`;
  emit({ ...base(c), metric: ma === mb ? "welch_false_positive_rate" : "welch_power", value: rejected / REPS });
  emit({ ...base(c), metric: "welch_coverage", value: covered / REPS });
}
