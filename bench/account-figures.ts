/**
 * npm run bench -- account-figures [simulations]      (default 1000 per scenario)
 *
 * Are the published account and link figures true? Data of known truth, computed by the
 * product's own functions (services/account-figures.ts, services/links/measure.ts), never a copy:
 *
 * time_to_return (GET /v1/measure/accounts; the sample median and its order-statistic interval,
 *   beside Brookmeyer–Crowley's on the same data, impl time_to_return_brookmeyer_crowley): suspensions arrive uniformly over HISTORY days
 *   before a 30-day window and over the window; each suspended account returns with chance
 *   RETURN, after a delay of known distribution, and its return is matched LAG later (its first
 *   post submitted). The figure is the median time from suspension (or banking, when the record
 *   has no suspension date) to the first match of returns first matched in the window; the truth
 *   is the median of delay + lag (estimated once from 400,000 draws). Matching finds a return with
 *   chance RECALL (independent of the delay) and makes false matches (an unrelated account matched
 *   to a random suspended one) at FALSE per true return found.
 * offline_share (GET /v1/measure/links, share_low/share_high): N links of a host, each down with a
 *   known chance; the 95% Wilson interval's coverage of that chance.
 * alert_to_takedown (GET /v1/measure/links): alerts over the window, takedown delay of known
 *   median, checks every CHECK hours; the Kaplan–Meier median (bench/links.ts studies it further).
 *
 * Per scenario, JSON lines: coverage (share of simulations whose interval holds the truth; an
 * interval with no bounds holds it), coverage_bounded (among intervals with both bounds),
 * bias (mean estimate − truth, hours or share points), width, unbounded (no upper bound), and n
 * (mean returns timed). The machine's load is on every line.
 */

import { loadavg } from "node:os";
import { seedFrom, seededRandom, type Duration } from "../dist/kernels/quantify/index.js";
import { medianDuration } from "../dist/kernels/quantify/index.js";
import {
  accountFigures,
  firstSightings,
  returnDelay,
  type ReturnSighting,
  type SuspendedAccount,
} from "../dist/services/account-figures.js";
import { alertDuration, offlineShare } from "../dist/services/links/measure.js";
import { emit, note } from "./_util.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WINDOW = 30 * DAY;
const T0 = Date.UTC(2026, 0, 1);

interface ReturnScenario {
  readonly name: string;
  /** Suspensions per day. */
  readonly rate: number;
  /** Days of suspensions before the window (0: the bank began with the window). */
  readonly historyDays: number;
  readonly returnChance: number;
  readonly delay: "lognormal" | "exponential";
  readonly delayMedianHours: number;
  /** Mean of the exponential lag from return to first match. */
  readonly lagHours: number;
  readonly recall: number;
  /** False matches per true return found. */
  readonly falseRate: number;
  /** Share of records without a suspension date, and how long after suspension they were banked. */
  readonly undated: number;
  readonly bankingLagHours: number;
}

const BASE: ReturnScenario = {
  name: "",
  rate: 10,
  historyDays: 90,
  returnChance: 0.3,
  delay: "lognormal",
  delayMedianHours: 12,
  lagHours: 2,
  recall: 0.8,
  falseRate: 0,
  undated: 0,
  bankingLagHours: 0,
};

const RETURN_SCENARIOS: readonly ReturnScenario[] = [
  { ...BASE, name: "stationary-lognormal-12h" },
  { ...BASE, name: "stationary-few-returns", rate: 1 },
  { ...BASE, name: "stationary-exponential-48h", delay: "exponential", delayMedianHours: 48 },
  { ...BASE, name: "false-matches-1pct", falseRate: 0.01 },
  { ...BASE, name: "false-matches-5pct", falseRate: 0.05 },
  { ...BASE, name: "undated-banked-24h-later", undated: 1, bankingLagHours: 24 },
  { ...BASE, name: "new-bank-no-history", historyDays: 0, delayMedianHours: 72 },
];

const SIGMA = 1.5;

function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const exponential = (random: () => number, mean: number): number => -Math.log(Math.max(random(), 1e-12)) * mean;

function delayOf(s: ReturnScenario, random: () => number): number {
  const m = s.delayMedianHours * HOUR;
  return s.delay === "exponential" ? exponential(random, m / Math.LN2) : m * Math.exp(SIGMA * normal(random));
}

/** The true median of delay + lag, from many draws. */
function truthOf(s: ReturnScenario): number {
  const random = seededRandom(seedFrom(`truth-${s.name}`));
  const draws = Array.from({ length: 400_000 }, () => delayOf(s, random) + exponential(random, s.lagHours * HOUR));
  draws.sort((a, b) => a - b);
  return (draws[draws.length / 2 - 1]! + draws[draws.length / 2]!) / 2;
}

function poisson(random: () => number, mean: number): number {
  // Normal approximation for large means, Knuth's for small.
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)));
  let k = 0;
  let p = 1;
  const l = Math.exp(-mean);
  do {
    k++;
    p *= random();
  } while (p > l);
  return k - 1;
}

function simulateReturns(s: ReturnScenario, random: () => number) {
  const start = T0 - s.historyDays * DAY;
  const count = poisson(random, (s.rate * (WINDOW + s.historyDays * DAY)) / DAY);
  const suspended: SuspendedAccount[] = [];
  const sightings: ReturnSighting[] = [];
  let trueFound = 0;
  for (let i = 0; i < count; i++) {
    const suspendedAt = start + random() * (T0 + WINDOW - start);
    const undated = random() < s.undated;
    const account: SuspendedAccount = {
      signalId: i + 1,
      platform: "twitter",
      reporter: "Platform A",
      bankedAt: suspendedAt + (undated ? s.bankingLagHours * HOUR : 0),
      suspendedAt: undated ? null : suspendedAt,
    };
    suspended.push(account);
    if (random() >= s.returnChance || random() >= s.recall) continue;
    const at = suspendedAt + delayOf(s, random) + exponential(random, s.lagHours * HOUR);
    if (at < T0 || at >= T0 + WINDOW) continue;
    trueFound++;
    sightings.push({ key: `twitter:${i}`, platform: "twitter", at, signalId: account.signalId, score: 0.9 });
    // The same account seen again later: only its first sighting counts.
    sightings.push({ key: `twitter:${i}`, platform: "twitter", at: at + DAY, signalId: account.signalId, score: 0.9 });
  }
  // False matches: unrelated accounts, seen at any time in the window, matched to any suspended one before.
  const falses = poisson(random, trueFound * s.falseRate);
  for (let k = 0; k < falses; k++) {
    const at = T0 + random() * WINDOW;
    const before = suspended.filter((a) => (a.suspendedAt ?? a.bankedAt) < at);
    if (!before.length) continue;
    const victim = before[Math.floor(random() * before.length)]!;
    sightings.push({ key: `false:${k}`, platform: "twitter", at, signalId: victim.signalId, score: 0.75 });
  }
  return {
    suspended,
    sightings,
    trueFound,
    trueSuspended: suspended.filter((a) => a.bankedAt >= T0 && a.bankedAt < T0 + WINDOW).length,
  };
}

function runReturns(s: ReturnScenario, simulations: number): void {
  const random = seededRandom(seedFrom(`account-figures-${s.name}`));
  const truth = truthOf(s);
  let covered = 0;
  let unbounded = 0;
  let estimated = 0;
  let bias = 0;
  let width = 0;
  let widths = 0;
  let timed = 0;
  let countErrors = 0;
  let bounded = 0;
  let coveredBounded = 0;
  // The alternative: Brookmeyer–Crowley on the empirical curve (what the link figures use).
  let bcCovered = 0;
  let bcBias = 0;
  let bcEstimated = 0;
  for (let i = 0; i < simulations; i++) {
    const { suspended, sightings, trueFound, trueSuspended } = simulateReturns(s, random);
    const returns = firstSightings(sightings);
    const matched = new Map(suspended.map((a) => [a.signalId, a]));
    const f = accountFigures({
      from: T0,
      to: T0 + WINDOW,
      interval: "week",
      suspended: suspended.filter((a) => a.bankedAt >= T0 && a.bankedAt < T0 + WINDOW),
      returns,
      matched,
    })!;
    const m = f.overall.timeToReturn;
    const bc = medianDuration(
      returns
        .filter((r) => r.at >= T0 && r.at < T0 + WINDOW)
        .flatMap((r) => returnDelay(r, matched) ?? [])
        .map((ms) => ({ ms, event: true })),
    );
    if ((bc.low ?? 0) <= truth && truth <= (bc.high ?? Infinity)) bcCovered++;
    if (bc.median !== null) {
      bcBias += bc.median - truth;
      bcEstimated++;
    }
    if (f.overall.suspended !== trueSuspended) countErrors++;
    if (s.falseRate === 0 && f.overall.returns !== trueFound) countErrors++;
    timed += f.overall.timed;
    // No bounds (fewer than 6 returns at 95%): the interval is everything, which holds the truth.
    const low = m.low ?? 0;
    const high = m.high ?? Infinity;
    if (low <= truth && truth <= high) covered++;
    if (m.low !== null && m.high !== null) {
      bounded++;
      if (low <= truth && truth <= high) coveredBounded++;
    }
    if (m.high === null) unbounded++;
    else if (m.low !== null) {
      width += m.high - m.low;
      widths++;
    }
    if (m.median !== null) {
      bias += m.median - truth;
      estimated++;
    }
  }
  const load1 = Math.round(loadavg()[0]! * 100) / 100;
  const base = { bench: "account-figures", case: s.name, impl: "time_to_return", load1, simulations };
  emit({ ...base, metric: "truth_h", value: truth / HOUR });
  emit({ ...base, metric: "coverage", value: covered / simulations });
  emit({ ...base, metric: "coverage_bounded", value: bounded ? coveredBounded / bounded : NaN });
  emit({ ...base, metric: "bias_h", value: estimated ? bias / estimated / HOUR : NaN });
  emit({ ...base, metric: "width_h", value: widths ? width / widths / HOUR : NaN });
  emit({ ...base, metric: "unbounded", value: unbounded / simulations });
  emit({ ...base, metric: "timed_mean", value: timed / simulations });
  emit({ ...base, metric: "count_errors", value: countErrors });
  const alt = { ...base, impl: "time_to_return_brookmeyer_crowley" };
  emit({ ...alt, metric: "coverage", value: bcCovered / simulations });
  emit({ ...alt, metric: "bias_h", value: bcEstimated ? bcBias / bcEstimated / HOUR : NaN });
}

function runShare(name: string, n: number, p: number, simulations: number): void {
  const random = seededRandom(seedFrom(`share-${name}`));
  let covered = 0;
  let bias = 0;
  let width = 0;
  for (let i = 0; i < simulations; i++) {
    const states = Array.from({ length: n }, () => ({
      status: random() < p ? ("removed" as const) : ("online" as const),
    }));
    const sh = offlineShare(states);
    if (sh.shareLow! <= p && p <= sh.shareHigh!) covered++;
    bias += sh.share! - p;
    width += sh.shareHigh! - sh.shareLow!;
  }
  const load1 = Math.round(loadavg()[0]! * 100) / 100;
  const base = { bench: "account-figures", case: name, impl: "offline_share_wilson", load1, simulations };
  emit({ ...base, metric: "coverage", value: covered / simulations });
  emit({ ...base, metric: "bias", value: bias / simulations });
  emit({ ...base, metric: "width", value: width / simulations });
}

function runAlerts(name: string, n: number, medianHours: number, checkHours: number, simulations: number): void {
  const random = seededRandom(seedFrom(`alerts-${name}`));
  const check = checkHours * HOUR;
  // The first check at or after the true median: what checks can see.
  const truth = Math.ceil((medianHours * HOUR) / check) * check;
  let covered = 0;
  let bias = 0;
  let estimated = 0;
  let unbounded = 0;
  for (let i = 0; i < simulations; i++) {
    const durations: Duration[] = [];
    for (let k = 0; k < n; k++) {
      const alertedAt = T0 + random() * WINDOW;
      const removed = alertedAt + Math.ceil(exponential(random, (medianHours * HOUR) / Math.LN2) / check) * check;
      const until = T0 + WINDOW;
      const lastChecked = alertedAt + Math.floor((Math.min(removed, until) - alertedAt) / check) * check;
      durations.push(
        alertDuration(
          {
            id: k,
            linkId: k,
            orgId: 1,
            itemId: null,
            alertedAt,
            url: `files.test/${k}`,
            host: "files.test",
            removedAt: removed < until ? removed : null,
            lastCheckedAt: lastChecked,
          },
          until,
        ),
      );
    }
    const m = medianDuration(durations);
    if ((m.low ?? Infinity) <= truth && truth <= (m.high ?? Infinity)) covered++;
    if (m.high === null) unbounded++;
    if (m.median !== null) {
      bias += m.median - truth;
      estimated++;
    }
  }
  const load1 = Math.round(loadavg()[0]! * 100) / 100;
  const base = { bench: "account-figures", case: name, impl: "alert_to_takedown", load1, simulations };
  emit({ ...base, metric: "coverage", value: covered / simulations });
  emit({ ...base, metric: "bias_h", value: estimated ? bias / estimated / HOUR : NaN });
  emit({ ...base, metric: "unbounded", value: unbounded / simulations });
}

const simulations = Number(process.argv[2] ?? 1000);
if (!(Number.isInteger(simulations) && simulations > 0)) {
  note("usage: npm run bench -- account-figures [simulations]");
  process.exit(2);
}
note(`account-figures: ${simulations} simulations per scenario; truth known; 95% intervals`);
const t0 = process.cpuUsage();
for (const s of RETURN_SCENARIOS) runReturns(s, simulations);
runShare("host-n20-p0.5", 20, 0.5, simulations);
runShare("host-n50-p0.9", 50, 0.9, simulations);
runShare("host-n10-p0.1", 10, 0.1, simulations);
runShare("platform-n500-p0.7", 500, 0.7, simulations);
runAlerts("alerts-n50-median24h-check6h", 50, 24, 6, simulations);
runAlerts("alerts-n200-median24h-check1h", 200, 24, 1, simulations);
const cpu = process.cpuUsage(t0);
note(
  `cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
