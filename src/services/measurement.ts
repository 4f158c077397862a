/**
 * The coalition's figures about the information space and its own speed: the prevalence of
 * pro- and anti-ISIS content with 95% intervals (a random, stratified sample labelled by
 * people combined with the model's predictions on every item — valid whatever the model's
 * errors), the anti:pro ratio, and takedown figures from recorded events. Everything is a
 * query over stored classifications, labels, items and outcomes, and deterministic.
 */

import { periodsBetween, periodStart, type Interval } from "../core/periods.js";
import type { StanceClassifier } from "../core/stance.js";
import {
  estimateShares,
  takedownBy,
  takedownFigures,
  type PpiStratum,
  type RatioEstimate,
  type TakedownFigures,
  type TakedownRecord,
} from "../kernels/quantify/index.js";
import type {
  LabelStore,
  LabelStratumCount,
  LabelledRecord,
  MeasureScope,
  MeasurementReads,
} from "../storage/ports/index.js";
import { LABEL_STANCES } from "../storage/ports/labels.js";

/** What a figure covers: a time range, optionally one platform, language, country or member. */
export type MeasureFilter = MeasureScope;

/** An estimated share with its 95% interval. */
export interface Estimate {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

export interface StancePeriod {
  readonly start: string;
  readonly end: string;
  readonly items: number;
  /** Items with a person's label, used by the estimate. */
  readonly labelled: number;
  /** Raw shares of predicted labels (classify and count), for comparison only. */
  readonly observed: Readonly<Record<"pro" | "anti" | "neutral", number>> | null;
  readonly pro: Estimate | null;
  readonly anti: Estimate | null;
  readonly neutral: Estimate | null;
  /** Items people could not tell. */
  readonly cantTell: Estimate | null;
  /** anti:pro; `kind` lower-bound when pro may be zero (then `high` is null: no upper bound). */
  readonly ratio: RatioEstimate | null;
  /** Every stratum has labels; false: part of the figure is the model's alone, unvalidated. */
  readonly validated: boolean;
  /** Items in strata without labels (their share is the model's; their bounds the worst case). */
  readonly modelOnlyItems: number;
  /** More labels (spread as now) that would halve the intervals' width; null without labels. */
  readonly labelsToHalveWidth: number | null;
}

export interface StanceMeasurement {
  readonly model: string;
  readonly method: string;
  readonly interval: Interval;
  readonly from: string;
  readonly to: string;
  readonly overall: StancePeriod;
  readonly periods: readonly StancePeriod[];
  /** Items classified by another model version: included, each version's predictions its own strata. */
  readonly otherModelItems: number;
}

export interface TakedownMeasurement {
  readonly from: string;
  readonly to: string;
  readonly overall: TakedownFigures;
  readonly byPlatform: readonly ({ readonly platform: string } & TakedownFigures)[];
  readonly byBank: readonly ({ readonly bankId: number; readonly bankName: string } & TakedownFigures)[];
  /** By the model's language of the item (und when not classified). */
  readonly byLanguage: readonly ({ readonly lang: string } & TakedownFigures)[];
  readonly byContentType: readonly ({ readonly kind: string } & TakedownFigures)[];
  /** By the classifier's behaviour label of pro items (recruitment, glorification, …). */
  readonly byBehaviour: readonly ({ readonly behaviour: string } & TakedownFigures)[];
}

const PRO = 0;
const ANTI = 1;
/** The estimate's classes: a reviewer's stance labels, in LABEL_STANCES order. */
const CLASSES = LABEL_STANCES.length;

export const STANCE_METHOD =
  "stratified prediction-powered estimate (Angelopoulos et al. 2023; a difference estimator): strata by period, platform, language, predicted label and model; in each, the share people gave on a random sample of its items; 95% Wilson intervals on the effective sample size, Fieller's for the anti:pro ratio; strata without labels are model-only, with worst-case bounds";

/** The model's predicted label as a vector over the reviewer classes (unknown and others: none). */
function predictedVector(label: string): number[] {
  return LABEL_STANCES.map((c) => (c === label ? 1 : 0));
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Groups largest first. */
const sorted = <K>(m: Map<K, TakedownFigures>) => [...m].sort((a, b) => b[1].items - a[1].items);

export class MeasurementService {
  constructor(
    private readonly reads: MeasurementReads,
    private readonly classifier: StanceClassifier | undefined,
    private readonly labels: LabelStore,
  ) {}

  get model(): string {
    return this.classifier?.version ?? "none";
  }

  /**
   * Prevalence of pro and anti content per period with 95% intervals and the anti:pro ratio:
   * the labelled sample and the model's predictions on every item together (kernels/quantify/ppi.ts).
   */
  async stance(filter: MeasureFilter, interval: Interval): Promise<StanceMeasurement | undefined> {
    const [strata, labelled] = await Promise.all([this.labels.strata(filter), this.labels.labelled(filter)]);
    return stanceFigures({ from: filter.from, to: filter.to }, interval, this.model, strata, labelled);
  }

  /** What the stance figures are computed from (the report ships them, so anyone can recompute). */
  async stanceInputs(filter: MeasureFilter): Promise<StanceInputs> {
    const [strata, labelled] = await Promise.all([this.labels.strata(filter), this.labels.labelled(filter)]);
    return { strata, labelled };
  }

  /** Every item in scope (matched, acted on, or with a reported outcome) as a takedown record. */
  async takedownRecords(filter: MeasureFilter): Promise<TakedownRecord[]> {
    const items = await this.reads.takedownItems(filter);
    const firsts = new Map<number, { order?: number; removed?: number; restored?: number }>();
    const outcomes = await this.reads.outcomeTimes(
      items.map((r) => r.id),
      ["removal_order", "removed", "disabled", "restored"],
    );
    for (const o of outcomes) {
      const f = firsts.get(o.itemId) ?? {};
      const field = o.kind === "removal_order" ? "order" : o.kind === "restored" ? "restored" : "removed";
      f[field] = Math.min(f[field] ?? Infinity, o.at);
      firsts.set(o.itemId, f);
    }
    const classes = await this.labels.classificationsOf(items.map((r) => r.id));
    return items.map((r) => {
      const f = firsts.get(r.id) ?? {};
      const c = classes.get(r.id);
      const matches = JSON.parse(r.matches) as { bankId: number; suppressed?: boolean }[];
      return {
        itemId: r.id,
        platform: r.platform || r.orgName,
        bankIds: [...new Set(matches.filter((m) => !m.suppressed).map((m) => m.bankId))],
        receivedAt: r.receivedAt,
        postedAt: r.postedAt,
        kind: r.kind,
        lang: c?.lang ?? null,
        behaviour: c?.behaviour ?? null,
        actedAt: r.actedAt,
        orderAt: f.order ?? null,
        removedAt: f.removed ?? null,
        restoredAt: f.restored ?? null,
      };
    });
  }

  /**
   * Takedown figures overall, per platform and per bank (only the banks in `visibleBanks`).
   * `namePlatforms: false` leaves the per-platform figures out: platforms are members, and a
   * coalition-wide answer names them only to a caller entitled to see members' figures.
   */
  async takedown(
    filter: MeasureFilter,
    visibleBanks: ReadonlySet<number>,
    bankNames: ReadonlyMap<number, string>,
    options: { namePlatforms?: boolean; bank?: number } = {},
  ): Promise<TakedownMeasurement> {
    const all = await this.takedownRecords(filter);
    const bank = options.bank;
    const records = bank === undefined ? all : all.filter((r) => r.bankIds.includes(bank));
    const byPlatform = options.namePlatforms === false ? new Map() : takedownBy(records, (r) => [r.platform]);
    const byBank = takedownBy(records, (r) => r.bankIds.filter((b) => visibleBanks.has(b)));
    return {
      from: iso(filter.from),
      to: iso(filter.to),
      overall: takedownFigures(records),
      byPlatform: [...byPlatform].sort((a, b) => b[1].items - a[1].items).map(([platform, f]) => ({ platform, ...f })),
      byBank: [...byBank]
        .sort((a, b) => b[1].items - a[1].items)
        .map(([bankId, f]) => ({ bankId, bankName: bankNames.get(bankId) ?? "?", ...f })),
      byLanguage: sorted(takedownBy(records, (r) => [r.lang ?? "und"])).map(([lang, f]) => ({ lang, ...f })),
      byContentType: sorted(takedownBy(records, (r) => [r.kind ?? "text"])).map(([kind, f]) => ({ kind, ...f })),
      byBehaviour: sorted(takedownBy(records, (r) => (r.behaviour ? [r.behaviour] : []))).map(([behaviour, f]) => ({
        behaviour,
        ...f,
      })),
    };
  }
}

export interface StanceInputs {
  readonly strata: readonly LabelStratumCount[];
  readonly labelled: readonly LabelledRecord[];
}

/**
 * The stance figures from their inputs alone — the classified items counted by stratum (hour,
 * platform, language, predicted label, model) and the labelled sample — so that anyone holding
 * those two tables (the report's stance-strata.csv and stance-labels.csv) recomputes every one.
 */
export function stanceFigures(
  filter: { readonly from: number; readonly to: number },
  interval: Interval,
  model: string,
  strata: readonly LabelStratumCount[],
  labelled: readonly LabelledRecord[],
): StanceMeasurement | undefined {
  const periods = periodsBetween(filter.from, filter.to, interval);
  if (!periods) return undefined;
  const otherModelItems = strata.filter((r) => r.model !== model).reduce((a, r) => a + r.items, 0);
  const byPeriod = new Map<number, { strata: LabelStratumCount[]; labelled: LabelledRecord[] }>();
  const slot = (start: number) => {
    let b = byPeriod.get(start);
    if (!b) byPeriod.set(start, (b = { strata: [], labelled: [] }));
    return b;
  };
  for (const r of strata) slot(periodStart(r.hour * 3_600_000, interval)).strata.push(r);
  for (const r of labelled) slot(periodStart(r.at, interval)).labelled.push(r);
  const periodFigures = periods.map((p) => {
    const b = byPeriod.get(p.start);
    return estimatePeriod(p.start, p.end, b?.strata ?? [], b?.labelled ?? []);
  });
  // Overall: strata stay per period (each period's sample was drawn within it).
  const overall = estimatePeriod(
    filter.from,
    filter.to,
    periods.flatMap((p) =>
      (byPeriod.get(p.start)?.strata ?? []).map((r) => ({ ...r, platform: `${p.start}|${r.platform}` })),
    ),
    periods.flatMap((p) =>
      (byPeriod.get(p.start)?.labelled ?? []).map((r) => ({ ...r, platform: `${p.start}|${r.platform}` })),
    ),
  );
  return {
    model,
    method: STANCE_METHOD,
    interval,
    from: iso(filter.from),
    to: iso(filter.to),
    overall,
    periods: periodFigures,
    otherModelItems,
  };
}

function estimatePeriod(
  start: number,
  end: number,
  counts: readonly LabelStratumCount[],
  labelled: readonly LabelledRecord[],
): StancePeriod {
  const key = (r: { platform: string; lang: string; label: string; model: string }) =>
    `${r.platform}\u0000${r.lang}\u0000${r.label}\u0000${r.model}`;
  const sizes = new Map<string, { label: string; items: number }>();
  for (const r of counts) {
    const k = key(r);
    const s = sizes.get(k) ?? { label: r.label, items: 0 };
    s.items += r.items;
    sizes.set(k, s);
  }
  const samples = new Map<string, number[]>();
  for (const r of labelled) {
    const k = key(r);
    if (!sizes.has(k)) continue;
    let list = samples.get(k);
    if (!list) samples.set(k, (list = []));
    list.push(LABEL_STANCES.indexOf(r.stance));
  }
  const strata: PpiStratum[] = [...sizes].map(([k, s]) => {
    const predicted = predictedVector(s.label);
    return {
      size: s.items,
      predictedMean: predicted,
      labelled: (samples.get(k) ?? []).filter((t) => t >= 0).map((truth) => ({ truth, predicted })),
    };
  });
  const items = strata.reduce((a, s) => a + s.size, 0);
  const observed = [0, 0, 0];
  for (const s of sizes.values()) {
    const j = ["pro", "anti", "neutral"].indexOf(s.label);
    if (j >= 0) observed[j]! += s.items;
  }
  const e = estimateShares(strata, { classes: CLASSES, ratio: { numerator: ANTI, denominator: PRO } });
  const share = (j: number) =>
    e ? { estimate: e.shares[j]!.estimate, low: e.shares[j]!.low, high: e.shares[j]!.high } : null;
  return {
    start: iso(start),
    end: iso(end),
    items,
    labelled: e?.labelled ?? 0,
    observed:
      items > 0 ? { pro: observed[0]! / items, anti: observed[1]! / items, neutral: observed[2]! / items } : null,
    pro: share(PRO),
    anti: share(ANTI),
    neutral: share(2),
    cantTell: share(3),
    ratio: e?.ratio ?? null,
    validated: e?.validated ?? true,
    modelOnlyItems: e?.modelOnlyItems ?? 0,
    labelsToHalveWidth: e?.labelsToHalveWidth ?? null,
  };
}
