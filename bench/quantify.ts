/**
 * npm run bench -- quantify [streams]      (default 300 streams per scenario)
 *
 * Is the prevalence estimate valid whatever the classifier's errors? Simulated streams of
 * known truth: each stream is one period of N items with true classes (pro, anti, neutral,
 * can't tell) drawn from the scenario's ranges, a language per item, and a predicted label
 * drawn from a confusion model per language (the classifier's errors — not the real
 * classifier). A labelling budget (≤ 300 per period) is spread over strata (language ×
 * predicted label, square-root allocation) and a simple random sample drawn in each;
 * reviewers give the true class. Three estimators on the same stream:
 *   ppi             stratified prediction-powered estimate (kernels/quantify/ppi.ts)
 *   labels-only     the same number of labels as one simple random sample, no model
 *   adjusted-count  the former method: the model's counts adjusted by its validation error
 *                   rates (which differ from the stream's in the shifted scenarios), bootstrap
 * Per scenario and estimator, JSON lines: coverage of the 95% intervals (pro, anti, the
 * anti:pro ratio), mean width, bias (mean estimate − truth), and for ppi the width
 * reduction against labels-only. `all-neutral` also gives the share of streams whose
 * interval claims pro content (lower bound above 0). The machine's load is on every line.
 */

import { loadavg } from "node:os";
import {
  allocateLabels,
  estimatePrevalence,
  estimateShares,
  resampleRates,
  seededRandom,
  type PpiStratum,
  type RateModel,
} from "../dist/kernels/quantify/index.js";
import { emit, note } from "./_util.js";

const PRO = 0;
const ANTI = 1;
/** Predicted labels: the model never says "can't tell"; index 3 is `unknown` (untrained language). */
type Confusion = readonly (readonly number[])[];

// Rows: true pro, anti, neutral, can't tell; columns: predicted pro, anti, neutral, unknown.
const GOOD_AR: Confusion = [
  [0.95, 0.01, 0.04, 0],
  [0.02, 0.9, 0.08, 0],
  [0.01, 0.02, 0.97, 0],
  [0.2, 0.2, 0.6, 0],
];
/** English as issue 16 found it: anti read as pro, news as pro. */
const BAD_EN: Confusion = [
  [0.85, 0.05, 0.1, 0],
  [0.6, 0.25, 0.15, 0],
  [0.15, 0.05, 0.8, 0],
  [0.5, 0.1, 0.4, 0],
];
/** Other languages read as pro (`und`, pro above 0.99). */
const OTHER_AS_PRO: Confusion = [
  [0.9, 0, 0.1, 0],
  [0.85, 0.05, 0.1, 0],
  [0.88, 0.02, 0.1, 0],
  [0.9, 0, 0.1, 0],
];
/** Other languages after the classifier says `unknown` for them. */
const OTHER_UNKNOWN: Confusion = [
  [0, 0, 0, 1],
  [0, 0, 0, 1],
  [0, 0, 0, 1],
  [0, 0, 0, 1],
];
/** Arabic pro from a differently labelled source: the model misses most of it. */
const AR_OTHER_SOURCE: Confusion = [
  [0.35, 0.05, 0.6, 0],
  [0.02, 0.9, 0.08, 0],
  [0.01, 0.02, 0.97, 0],
  [0.2, 0.2, 0.6, 0],
];

interface Language {
  readonly name: string;
  readonly share: number;
  /** The stream's true confusion. */
  readonly stream: Confusion;
  /** What validation measured (the adjusted-count method's rates). */
  readonly validation: Confusion;
}

interface Scenario {
  readonly name: string;
  readonly pro: readonly [number, number];
  readonly anti: readonly [number, number];
  readonly cantTell: readonly [number, number];
  readonly languages: readonly Language[];
  readonly items: number;
  readonly labels: number;
}

const lang = (name: string, share: number, stream: Confusion, validation: Confusion = stream): Language => ({
  name,
  share,
  stream,
  validation,
});

const SCENARIOS: readonly Scenario[] = [
  {
    name: "arabic",
    pro: [0, 0.5],
    anti: [0, 0.2],
    cantTell: [0, 0.03],
    languages: [lang("ar", 1, GOOD_AR)],
    items: 5000,
    labels: 300,
  },
  {
    name: "english",
    pro: [0, 0.5],
    anti: [0, 0.2],
    cantTell: [0, 0.03],
    languages: [lang("en", 1, BAD_EN, GOOD_AR)],
    items: 5000,
    labels: 300,
  },
  {
    name: "mixed",
    pro: [0, 0.5],
    anti: [0, 0.2],
    cantTell: [0, 0.03],
    languages: [lang("ar", 0.5, GOOD_AR), lang("en", 0.35, BAD_EN, GOOD_AR), lang("und", 0.15, OTHER_AS_PRO, GOOD_AR)],
    items: 5000,
    labels: 300,
  },
  {
    name: "other-languages",
    pro: [0, 0.5],
    anti: [0, 0.2],
    cantTell: [0, 0.03],
    languages: [
      lang("fr", 0.4, OTHER_AS_PRO, GOOD_AR),
      lang("tr", 0.3, OTHER_AS_PRO, GOOD_AR),
      lang("id", 0.3, OTHER_AS_PRO, GOOD_AR),
    ],
    items: 5000,
    labels: 300,
  },
  {
    name: "other-languages-unknown",
    pro: [0, 0.5],
    anti: [0, 0.2],
    cantTell: [0, 0.03],
    languages: [lang("ar", 0.6, GOOD_AR), lang("und", 0.4, OTHER_UNKNOWN, GOOD_AR)],
    items: 5000,
    labels: 300,
  },
  {
    name: "prior-shift",
    pro: [0.3, 0.5],
    anti: [0, 0.02],
    cantTell: [0, 0.03],
    languages: [lang("ar", 1, GOOD_AR)],
    items: 5000,
    labels: 300,
  },
  {
    name: "different-source",
    pro: [0, 0.5],
    anti: [0, 0.2],
    cantTell: [0, 0.03],
    languages: [lang("ar", 1, AR_OTHER_SOURCE, GOOD_AR)],
    items: 5000,
    labels: 300,
  },
  {
    name: "rare",
    pro: [0, 0.02],
    anti: [0, 0.05],
    cantTell: [0, 0.01],
    languages: [lang("ar", 1, GOOD_AR)],
    items: 20000,
    labels: 300,
  },
  {
    name: "few-labels",
    pro: [0, 0.5],
    anti: [0, 0.2],
    cantTell: [0, 0.03],
    languages: [lang("ar", 0.7, GOOD_AR), lang("en", 0.3, BAD_EN, GOOD_AR)],
    items: 3000,
    labels: 100,
  },
  {
    name: "all-neutral",
    pro: [0, 0],
    anti: [0, 0],
    cantTell: [0, 0],
    languages: [lang("ar", 0.6, GOOD_AR), lang("en", 0.4, BAD_EN, GOOD_AR)],
    items: 5000,
    labels: 300,
  },
];

function draw(probabilities: readonly number[], random: () => number): number {
  let u = random();
  for (let i = 0; i < probabilities.length; i++) {
    u -= probabilities[i]!;
    if (u < 0) return i;
  }
  return probabilities.length - 1;
}

/** `n` distinct indices of `pool`, uniformly (partial Fisher–Yates). */
function sample(pool: number[], n: number, random: () => number): number[] {
  const a = [...pool];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, n);
}

const oneHot = (j: number): number[] => [0, 1, 2, 3].map((i) => (i === j && j < 3 ? 1 : 0));

interface Tally {
  covered: number;
  width: number;
  widthCount: number;
  error: number;
  count: number;
}
const tally = (): Tally => ({ covered: 0, width: 0, widthCount: 0, error: 0, count: 0 });
function add(t: Tally, truth: number, estimate: number, low: number, high: number | null): void {
  t.count++;
  if (truth >= low - 1e-12 && (high === null || truth <= high + 1e-12)) t.covered++;
  if (high !== null && Number.isFinite(estimate)) {
    t.width += high - low;
    t.widthCount++;
  }
  if (Number.isFinite(estimate) && Number.isFinite(truth)) t.error += estimate - truth;
}

function run(s: Scenario, streams: number, seed: number): void {
  const random = seededRandom(seed);
  const ppi = { pro: tally(), anti: tally(), ratio: tally() };
  const alone = { pro: tally(), anti: tally(), ratio: tally() };
  const adjusted = { pro: tally(), anti: tally() };
  let claimsPro = 0;
  let oneSided = 0;
  const rates = new Map<string, RateModel[]>();
  /** Validation confusion counts (2,000 items per class) per language. */
  const validation = new Map(
    s.languages.map((l) => [
      l.name,
      l.validation.slice(0, 3).map((row) => row.slice(0, 3).map((x) => Math.round(x * 2000))),
    ]),
  );
  for (const l of s.languages) rates.set(l.name, resampleRates(validation.get(l.name)!, 200, seed + 7));
  for (let t = 0; t < streams; t++) {
    const pro = s.pro[0] + random() * (s.pro[1] - s.pro[0]);
    const anti = s.anti[0] + random() * (s.anti[1] - s.anti[0]);
    const cantTell = s.cantTell[0] + random() * (s.cantTell[1] - s.cantTell[0]);
    const prior = [pro, anti, Math.max(0, 1 - pro - anti - cantTell), cantTell];
    const truth: number[] = [];
    const strata = new Map<string, number[]>();
    const observed = new Map<string, number[]>();
    for (let i = 0; i < s.items; i++) {
      const y = draw(prior, random);
      const l =
        s.languages[
          draw(
            s.languages.map((x) => x.share),
            random,
          )
        ]!;
      const predicted = draw(l.stream[y]!, random);
      truth.push(y);
      const key = `${l.name}|${predicted}`;
      let members = strata.get(key);
      if (!members) strata.set(key, (members = []));
      members.push(i);
      let counts = observed.get(l.name);
      if (!counts) observed.set(l.name, (counts = [0, 0, 0]));
      if (predicted < 3) counts[predicted]!++;
    }
    const trueShares = [0, 1, 2, 3].map((c) => truth.filter((y) => y === c).length / s.items);
    const trueRatio =
      trueShares[PRO]! > 0 ? trueShares[ANTI]! / trueShares[PRO]! : trueShares[ANTI]! > 0 ? Infinity : NaN;
    const keys = [...strata.keys()].sort();
    const allocation = allocateLabels(
      keys.map((k) => strata.get(k)!.length),
      s.labels,
    );
    const ppiStrata: PpiStratum[] = keys.map((k, i) => {
      const predicted = Number(k.split("|")[1]);
      const members = strata.get(k)!;
      return {
        size: members.length,
        predictedMean: oneHot(predicted),
        labelled: sample(members, allocation[i]!, random).map((item) => ({
          truth: truth[item]!,
          predicted: oneHot(predicted),
        })),
      };
    });
    const e = estimateShares(ppiStrata, { classes: 4, ratio: { numerator: ANTI, denominator: PRO } })!;
    const everyone = truth.map((_, i) => i);
    const srs = sample(everyone, Math.min(s.labels, s.items), random);
    const b = estimateShares(
      [
        {
          size: s.items,
          predictedMean: [0, 0, 0, 0],
          labelled: srs.map((i) => ({ truth: truth[i]!, predicted: [0, 0, 0, 0] })),
        },
      ],
      { classes: 4, ratio: { numerator: ANTI, denominator: PRO } },
    )!;
    for (const [set, est] of [
      [ppi, e],
      [alone, b],
    ] as const) {
      add(set.pro, trueShares[PRO]!, est.shares[PRO]!.estimate, est.shares[PRO]!.low, est.shares[PRO]!.high);
      add(set.anti, trueShares[ANTI]!, est.shares[ANTI]!.estimate, est.shares[ANTI]!.low, est.shares[ANTI]!.high);
      if (!Number.isNaN(trueRatio))
        add(set.ratio, trueRatio, est.ratio!.estimate ?? NaN, est.ratio!.low, est.ratio!.high);
    }
    if (e.shares[PRO]!.low > 0) claimsPro++;
    if (e.ratio!.kind !== "two-sided") oneSided++;
    const langs = [...observed.keys()].sort();
    const old = estimatePrevalence(
      langs.map((l) => ({ observed: observed.get(l)!, confusion: validation.get(l)!, resampled: rates.get(l)! })),
      { seed: seed + t, replicates: 200 },
    );
    // The former method's target excludes "can't tell" (it has no such class): its truth is among the three.
    if (old) {
      const three = trueShares[0]! + trueShares[1]! + trueShares[2]!;
      add(
        adjusted.pro,
        trueShares[PRO]! / three,
        old.shares[PRO]!.estimate,
        old.shares[PRO]!.low,
        old.shares[PRO]!.high,
      );
      add(
        adjusted.anti,
        trueShares[ANTI]! / three,
        old.shares[ANTI]!.estimate,
        old.shares[ANTI]!.low,
        old.shares[ANTI]!.high,
      );
    }
  }
  const load = loadavg()[0]!;
  const extra = { streams, items: s.items, labels: s.labels, load1: Math.round(load * 100) / 100 };
  const out = (impl: string, figure: string, t: Tally) => {
    emit({
      bench: "quantify",
      case: s.name,
      impl,
      metric: `coverage_${figure}`,
      value: t.covered / Math.max(1, t.count),
      ...extra,
    });
    if (t.widthCount)
      emit({
        bench: "quantify",
        case: s.name,
        impl,
        metric: `width_${figure}`,
        value: t.width / t.widthCount,
        ...extra,
      });
    if (figure !== "ratio")
      emit({
        bench: "quantify",
        case: s.name,
        impl,
        metric: `bias_${figure}`,
        value: t.error / Math.max(1, t.count),
        ...extra,
      });
  };
  for (const f of ["pro", "anti", "ratio"] as const) {
    out("ppi", f, ppi[f]);
    out("labels-only", f, alone[f]);
    if (f !== "ratio") {
      out("adjusted-count", f, adjusted[f]);
      const reduction = 1 - ppi[f].width / ppi[f].widthCount / (alone[f].width / alone[f].widthCount);
      emit({
        bench: "quantify",
        case: s.name,
        impl: "ppi",
        metric: `width_reduction_vs_labels_${f}`,
        value: reduction,
        ...extra,
      });
    }
  }
  emit({
    bench: "quantify",
    case: s.name,
    impl: "ppi",
    metric: "ratio_one_sided_share",
    value: oneSided / streams,
    ...extra,
  });
  if (s.name === "all-neutral")
    emit({
      bench: "quantify",
      case: s.name,
      impl: "ppi",
      metric: "claims_pro_share",
      value: claimsPro / streams,
      ...extra,
    });
}

const streams = Number(process.argv[2] ?? 300);
note(
  `quantify: ${streams} streams per scenario; load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
SCENARIOS.forEach((s, i) => run(s, streams, 1000 + i));
