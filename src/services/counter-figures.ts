/**
 * Campaign figures for counter-messaging (issue 20), from the stored events folded per
 * impression (the tracking token's impression id): reach (impressions shown), click-through
 * rate with its 95% Wilson interval, and watch time per view with its 95% Student t-interval
 * — per item, narrative, language or period; and the comparison of two items answering the
 * same narrative: a two-proportion z-test with Newcombe's interval of the CTR difference, and
 * Welch's t-test with its interval of the watch-time difference (kernels/quantify/compare.ts;
 * bench/counter-stats.ts measures their coverage, bias and false-positive rate).
 *
 * An impression is "shown" when any event names it (a click or a watch proves it was shown),
 * "clicked" when a click names it, a "view" when a watch event names it; its watch time is the
 * sum of its watch events. Impressions are counted as independent trials (nothing identifies
 * the person who saw them).
 */

import { periodStart, type Interval } from "../core/periods.js";
import { RasdError } from "../core/errors.js";
import {
  compareMeans,
  compareProportions,
  meanInterval,
  proportion,
  type DifferenceTest,
  type MeanEstimate,
  type ProportionEstimate,
} from "../kernels/quantify/index.js";
import type { CounterEventScope, CounterImpression, CounterStore } from "../storage/ports/index.js";

export const COUNTER_GROUPINGS = ["item", "narrative", "lang", "period"] as const;
export type CounterGrouping = (typeof COUNTER_GROUPINGS)[number];

export const COUNTER_METHODS = {
  ctr: "click-through rate = clicked impressions / impressions shown; 95% Wilson score interval",
  watch: "mean seconds watched per view (impressions with watch events); 95% Student t-interval",
  compareCtr: "two-proportion z-test (pooled) p-value; 95% Newcombe hybrid score interval of the difference",
  compareWatch: "Welch's t-test p-value; 95% Welch–Satterthwaite interval of the difference",
} as const;

export interface CampaignFigures {
  readonly key: string;
  /** Impressions shown (reach: distinct impression ids). */
  readonly impressions: number;
  readonly clicks: number;
  readonly ctr: ProportionEstimate;
  /** Impressions with watch time. */
  readonly views: number;
  readonly watchSeconds: number;
  readonly meanWatch: MeanEstimate;
}

export interface CampaignComparison {
  readonly a: CampaignFigures;
  readonly b: CampaignFigures;
  /** Narratives both items answer. */
  readonly narratives: readonly string[];
  /** CTR of a − CTR of b. */
  readonly ctr: DifferenceTest;
  /** Mean watch seconds of a − of b. */
  readonly watch: DifferenceTest;
}

/** Figures of a set of impressions. */
export function figuresOf(key: string, impressions: readonly CounterImpression[]): CampaignFigures {
  const clicks = impressions.filter((i) => i.clicked).length;
  const watch = impressions.filter((i) => i.watched).map((i) => i.watchMs / 1000);
  const mean = meanInterval(watch);
  return {
    key,
    impressions: impressions.length,
    clicks,
    ctr: proportion(clicks, impressions.length),
    views: watch.length,
    watchSeconds: watch.reduce((a, b) => a + b, 0),
    meanWatch: mean,
  };
}

function keyOf(i: CounterImpression, by: CounterGrouping, interval: Interval): string {
  switch (by) {
    case "item":
      return String(i.itemId);
    case "narrative":
      return i.narrative;
    case "lang":
      return i.lang;
    case "period":
      return new Date(periodStart(i.at, interval)).toISOString();
  }
}

export class CounterFigures {
  constructor(private readonly store: CounterStore) {}

  /** Figures grouped by one dimension, optionally for one item, narrative or language. */
  async figures(
    scope: CounterEventScope,
    by: CounterGrouping,
    interval: Interval,
    only: { itemId?: number; narrative?: string; lang?: string } = {},
  ): Promise<CampaignFigures[]> {
    const rows = (await this.store.impressions(only.itemId ? { ...scope, itemIds: [only.itemId] } : scope)).filter(
      (i) => (!only.narrative || i.narrative === only.narrative) && (!only.lang || i.lang === only.lang),
    );
    const groups = new Map<string, CounterImpression[]>();
    for (const i of rows) {
      const k = keyOf(i, by, interval);
      const g = groups.get(k) ?? [];
      g.push(i);
      groups.set(k, g);
    }
    return [...groups]
      .sort((x, y) => (by === "item" ? Number(x[0]) - Number(y[0]) : x[0].localeCompare(y[0])))
      .map(([k, g]) => figuresOf(k, g));
  }

  /**
   * Compares two items over the same scope; they must answer a narrative in common (`shared`,
   * the caller's reading of both items), else the comparison means nothing.
   */
  async compare(
    scope: CounterEventScope,
    a: number,
    b: number,
    shared: readonly string[],
  ): Promise<CampaignComparison> {
    if (a === b) throw new RasdError("invalid", "a and b: two different items are compared");
    if (shared.length === 0)
      throw new RasdError(
        "invalid",
        `items ${a} and ${b} answer no narrative in common; compare items on the same narrative`,
      );
    const rows = await this.store.impressions({ ...scope, itemIds: [a, b] });
    const fa = figuresOf(
      String(a),
      rows.filter((i) => i.itemId === a),
    );
    const fb = figuresOf(
      String(b),
      rows.filter((i) => i.itemId === b),
    );
    const watchOf = (id: number) => rows.filter((i) => i.itemId === id && i.watched).map((i) => i.watchMs / 1000);
    return {
      a: fa,
      b: fb,
      narratives: shared,
      ctr: compareProportions(fa.clicks, fa.impressions, fb.clicks, fb.impressions),
      watch: compareMeans(watchOf(a), watchOf(b)),
    };
  }
}
