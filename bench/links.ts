/**
 * npm run bench -- links [simulations]      (default 2000 per scenario)
 *
 * Is the published "median time to takedown after alert" true? Simulated alerts of known
 * truth, as /v1/measure/links sees them: N alerts arrive uniformly over a 30-day window;
 * each link's true time to removal is drawn from a known distribution (exponential, or a
 * log-normal with a long tail) with a known median; the link is checked every CHECK hours
 * after its alert, so the removal is seen at the first check at or after it; observation
 * stops at the window's end (links still up then are censored at their last check). The
 * estimate is the one the service publishes (kernels/quantify/survival.ts: Kaplan–Meier,
 * Brookmeyer–Crowley 95% interval). Per scenario, JSON lines:
 *   coverage      share of simulations whose interval holds the true median of what is
 *                 observed (removal time rounded up to the next check);
 *   coverage_continuous  the same against the true (continuous) median: how much the check
 *                 interval costs;
 *   bias_h        mean estimate − true observed median, hours; width_h the mean finite width;
 *   unbounded     share of intervals with no upper bound (too few removals yet);
 *   naive_bias_h  the bias of the median of removed links only (ignoring the ones still up),
 *                 which the estimate avoids.
 * The machine's load is on every line.
 */

import { loadavg } from "node:os";
import { medianDuration, seedFrom, seededRandom, type Duration } from "../dist/kernels/quantify/index.js";
import { emit, note } from "./_util.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WINDOW = 30 * DAY;

interface Scenario {
  readonly name: string;
  readonly n: number;
  readonly checkHours: number;
  readonly medianHours: number;
  readonly dist: "exponential" | "lognormal";
}

const SCENARIOS: readonly Scenario[] = [
  { name: "exp-n30-check6h-median24h", n: 30, checkHours: 6, medianHours: 24, dist: "exponential" },
  { name: "exp-n100-check6h-median24h", n: 100, checkHours: 6, medianHours: 24, dist: "exponential" },
  { name: "exp-n300-check1h-median24h", n: 300, checkHours: 1, medianHours: 24, dist: "exponential" },
  { name: "lognormal-n100-check6h-median72h", n: 100, checkHours: 6, medianHours: 72, dist: "lognormal" },
  { name: "exp-n100-check24h-median10d", n: 100, checkHours: 24, medianHours: 240, dist: "exponential" },
];

const SIGMA = 1.5;

function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function draw(s: Scenario, random: () => number): number {
  const m = s.medianHours * HOUR;
  if (s.dist === "exponential") return (-Math.log(Math.max(random(), 1e-12)) * m) / Math.LN2;
  return m * Math.exp(SIGMA * normal(random));
}

/** The removal as the checks see it: the first check (every `check` ms after the alert) at or after it. */
const observed = (t: number, check: number): number => Math.ceil(t / check) * check;

function run(s: Scenario, simulations: number): void {
  const random = seededRandom(seedFrom(`links-${s.name}`));
  const check = s.checkHours * HOUR;
  const truth = s.medianHours * HOUR;
  // The median of the observed (rounded-up) time: P(obs ≤ kΔ) = P(T ≤ kΔ), so it is the
  // first check time at or after the true median.
  const truthObserved = observed(truth, check);
  let covered = 0;
  let coveredContinuous = 0;
  let unbounded = 0;
  let estimated = 0;
  let bias = 0;
  let naiveBias = 0;
  let naiveCount = 0;
  let width = 0;
  let widths = 0;
  for (let i = 0; i < simulations; i++) {
    const durations: Duration[] = [];
    const removedOnly: number[] = [];
    for (let k = 0; k < s.n; k++) {
      const alertedAt = random() * WINDOW;
      const seenAt = alertedAt + observed(draw(s, random), check);
      if (seenAt <= WINDOW) {
        durations.push({ ms: seenAt - alertedAt, event: true });
        removedOnly.push(seenAt - alertedAt);
      } else {
        // Still up at the window's end: censored at the last check before it.
        durations.push({ ms: Math.floor((WINDOW - alertedAt) / check) * check, event: false });
      }
    }
    const m = medianDuration(durations);
    const low = m.low ?? Infinity;
    const high = m.high ?? Infinity;
    if (low <= truthObserved && truthObserved <= high) covered++;
    if (low <= truth && truth <= high) coveredContinuous++;
    if (m.high === null) unbounded++;
    else if (m.low !== null) {
      width += m.high - m.low;
      widths++;
    }
    if (m.median !== null) {
      bias += m.median - truthObserved;
      estimated++;
    }
    if (removedOnly.length) {
      removedOnly.sort((a, b) => a - b);
      naiveBias += removedOnly[Math.floor((removedOnly.length - 1) / 2)]! - truthObserved;
      naiveCount++;
    }
  }
  const load1 = Math.round(loadavg()[0]! * 100) / 100;
  const base = { bench: "links", case: s.name, impl: "kaplan-meier", load1, simulations };
  emit({ ...base, metric: "coverage", value: covered / simulations });
  emit({ ...base, metric: "coverage_continuous", value: coveredContinuous / simulations });
  emit({ ...base, metric: "bias_h", value: estimated ? bias / estimated / HOUR : NaN });
  emit({ ...base, metric: "width_h", value: widths ? width / widths / HOUR : NaN });
  emit({ ...base, metric: "unbounded", value: unbounded / simulations });
  emit({
    ...base,
    impl: "removed-only",
    metric: "naive_bias_h",
    value: naiveCount ? naiveBias / naiveCount / HOUR : NaN,
  });
}

const simulations = Number(process.argv[2] ?? 2000);
note(`links: ${simulations} simulations per scenario; true median known; 95% intervals`);
const t0 = process.cpuUsage();
for (const s of SCENARIOS) run(s, simulations);
const cpu = process.cpuUsage(t0);
note(`cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
