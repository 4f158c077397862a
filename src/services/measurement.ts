/**
 * The coalition's figures about the information space and its own speed: the prevalence of
 * pro- and anti-ISIS content with 95% intervals (adjusted classify-and-count per language,
 * bootstrap), the anti:pro ratio, and takedown figures from recorded events. Everything is a
 * query over stored classifications, items and outcomes; the bootstrap seed is derived from
 * the query, so the same records give the same figures on any machine.
 */

import { periodsBetween, periodStart, type Interval } from "../core/periods.js";
import { STANCES, type StanceClassifier } from "../core/stance.js";
import {
  estimatePrevalence,
  resampleRates,
  seedFrom,
  type RateModel,
  takedownBy,
  takedownFigures,
  type Interval as Estimate,
  type RatioInterval,
  type Stratum,
  type TakedownFigures,
  type TakedownRecord,
} from "../kernels/quantify/index.js";
import type { MeasureScope, MeasurementReads } from "../storage/ports/index.js";

/** What a figure covers: a time range, optionally one platform, language, country or member. */
export type MeasureFilter = MeasureScope;

export interface StancePeriod {
  readonly start: string;
  readonly end: string;
  readonly items: number;
  /** Raw shares of predicted labels (classify and count). */
  readonly observed: Readonly<Record<"pro" | "anti" | "neutral", number>> | null;
  readonly pro: Estimate | null;
  readonly anti: Estimate | null;
  readonly neutral: Estimate | null;
  /** anti:pro. */
  readonly ratio: RatioInterval | null;
}

export interface StanceMeasurement {
  readonly model: string;
  readonly method: string;
  readonly interval: Interval;
  readonly from: string;
  readonly to: string;
  readonly overall: StancePeriod;
  readonly periods: readonly StancePeriod[];
  /** Items classified by another model version, left out (their error rates are not these). */
  readonly otherModelItems: number;
}

export interface TakedownMeasurement {
  readonly from: string;
  readonly to: string;
  readonly overall: TakedownFigures;
  readonly byPlatform: readonly ({ readonly platform: string } & TakedownFigures)[];
  readonly byBank: readonly ({ readonly bankId: number; readonly bankName: string } & TakedownFigures)[];
}

const REPLICATES = 1000;
const PRO = 0;
const ANTI = 1;

const iso = (ms: number) => new Date(ms).toISOString();

export class MeasurementService {
  /** Bootstrap replicates of each language's error rates: one set, reused by every estimate. */
  private readonly rates = new Map<string, RateModel[]>();
  /** Estimates by seed and counts: the same records give the same answer, so it is kept. */
  private readonly estimates = new Map<string, StancePeriod>();

  constructor(
    private readonly reads: MeasurementReads,
    private readonly classifier: StanceClassifier | undefined,
  ) {}

  get model(): string {
    return this.classifier?.version ?? "none";
  }

  /** Prevalence of pro and anti content per period, with 95% intervals and the anti:pro ratio. */
  async stance(filter: MeasureFilter, interval: Interval): Promise<StanceMeasurement | undefined> {
    const periods = periodsBetween(filter.from, filter.to, interval);
    if (!periods) return undefined;
    const rows = await this.reads.stanceCounts(filter);
    let otherModelItems = 0;
    // period start → language → counts per predicted class
    const counts = new Map<number, Map<string, number[]>>();
    const all = new Map<string, number[]>();
    for (const r of rows) {
      const n = r.n;
      if (r.model !== this.model) {
        otherModelItems += n;
        continue;
      }
      const k = STANCES.indexOf(r.label as (typeof STANCES)[number]);
      if (k < 0) continue;
      const start = periodStart(r.hour * 3_600_000, interval);
      let byLang = counts.get(start);
      if (!byLang) counts.set(start, (byLang = new Map()));
      for (const target of [byLang, all]) {
        let c = target.get(r.lang);
        if (!c) target.set(r.lang, (c = [0, 0, 0]));
        c[k]! += n;
      }
    }
    const key = [filter.platform ?? "", filter.lang ?? "", filter.country ?? "", filter.orgId ?? ""].join("|");
    return {
      model: this.model,
      method:
        "adjusted classify-and-count per language with cross-validated error rates; 95% percentile bootstrap (1,000 replicates resampling items and validation counts), seeded from the query",
      interval,
      from: iso(filter.from),
      to: iso(filter.to),
      overall: this.estimate(filter.from, filter.to, all, `${this.model}|all|${filter.from}|${filter.to}|${key}`),
      periods: periods.map((p) =>
        this.estimate(p.start, p.end, counts.get(p.start) ?? new Map(), `${this.model}|${interval}|${p.start}|${key}`),
      ),
      otherModelItems,
    };
  }

  private ratesFor(lang: string): RateModel[] {
    let r = this.rates.get(lang);
    if (!r) {
      r = resampleRates(this.classifier?.confusion(lang) ?? [], REPLICATES, seedFrom(`${this.model}|rates|${lang}`));
      this.rates.set(lang, r);
    }
    return r;
  }

  private estimate(start: number, end: number, byLang: Map<string, number[]>, seed: string): StancePeriod {
    const langs = [...byLang.keys()].sort();
    const key = `${seed}|${langs.map((l) => `${l}:${byLang.get(l)!.join(",")}`).join(";")}`;
    const cached = this.estimates.get(key);
    if (cached) return cached;
    const classifier = this.classifier;
    const strata: Stratum[] = langs.map((lang) => ({
      observed: byLang.get(lang)!,
      confusion: classifier?.confusion(lang) ?? [],
      ...(classifier ? { resampled: this.ratesFor(lang) } : {}),
    }));
    const items = strata.reduce((a, s) => a + s.observed.reduce((x, y) => x + y, 0), 0);
    const e =
      items > 0 && classifier
        ? estimatePrevalence(strata, {
            seed: seedFrom(seed),
            replicates: REPLICATES,
            ratio: { numerator: ANTI, denominator: PRO },
          })
        : undefined;
    const period: StancePeriod = {
      start: iso(start),
      end: iso(end),
      items,
      observed: e ? { pro: e.observed[0]!, anti: e.observed[1]!, neutral: e.observed[2]! } : null,
      pro: e?.shares[PRO] ?? null,
      anti: e?.shares[ANTI] ?? null,
      neutral: e?.shares[2] ?? null,
      ratio: e?.ratio ?? null,
    };
    if (this.estimates.size > 20_000) this.estimates.clear();
    this.estimates.set(key, period);
    return period;
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
    return items.map((r) => {
      const f = firsts.get(r.id) ?? {};
      const matches = JSON.parse(r.matches) as { bankId: number; suppressed?: boolean }[];
      return {
        itemId: r.id,
        platform: r.platform || r.orgName,
        bankIds: [...new Set(matches.filter((m) => !m.suppressed).map((m) => m.bankId))],
        receivedAt: r.receivedAt,
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
    options: { namePlatforms?: boolean } = {},
  ): Promise<TakedownMeasurement> {
    const records = await this.takedownRecords(filter);
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
    };
  }
}
