/**
 * The median of a time to an event when some events have not happened yet (right-censored
 * durations): how long a link stays up after an alert, when some alerted links are still up.
 * Taking the median of the links already down would be biased low (the slow ones are not in
 * it yet), so the estimate is Kaplan–Meier's, and its interval Brookmeyer and Crowley's
 * (1982): the times t where |S(t) − ½| ≤ z·se(S(t)), se from Greenwood's formula. Pure.
 * bench/links.ts draws durations with a known median and prints the interval's coverage.
 */

import { normalQuantile } from "./ppi.js";

/** One duration: observed (`event`: the link went down after `ms`) or censored (still up after `ms`). */
export interface Duration {
  readonly ms: number;
  readonly event: boolean;
}

export interface MedianEstimate {
  /** Durations counted, and how many of them ended in the event. */
  readonly n: number;
  readonly events: number;
  /** The Kaplan–Meier median; null when fewer than half the links are known to have gone down. */
  readonly median: number | null;
  /** The interval's bounds; `high` null: not bounded above yet (too few events). */
  readonly low: number | null;
  readonly high: number | null;
  readonly level: number;
}

export interface SurvivalStep {
  readonly t: number;
  /** S(t) just after t, and Greenwood's variance sum up to t. */
  readonly s: number;
  readonly se: number;
}

/** The Kaplan–Meier curve's steps at each event time. */
export function kaplanMeier(durations: readonly Duration[]): SurvivalStep[] {
  const sorted = [...durations].sort((a, b) => a.ms - b.ms || Number(b.event) - Number(a.event));
  let atRisk = sorted.length;
  let s = 1;
  let greenwood = 0;
  const steps: SurvivalStep[] = [];
  for (let i = 0; i < sorted.length;) {
    const t = sorted[i]!.ms;
    let d = 0;
    let c = 0;
    for (; i < sorted.length && sorted[i]!.ms === t; i++) {
      if (sorted[i]!.event) d++;
      else c++;
    }
    if (d > 0) {
      s *= 1 - d / atRisk;
      if (atRisk > d) greenwood += d / (atRisk * (atRisk - d));
      steps.push({ t, s, se: s * Math.sqrt(greenwood) });
    }
    atRisk -= d + c;
  }
  return steps;
}

/**
 * The median duration with its interval (default 95%).
 * @example medianDuration([{ ms: 1, event: true }, { ms: 2, event: true }, { ms: 3, event: false }]).median // 2
 */
export function medianDuration(durations: readonly Duration[], level = 0.95): MedianEstimate {
  const events = durations.filter((d) => d.event).length;
  const steps = kaplanMeier(durations);
  const z = normalQuantile(1 - (1 - level) / 2);
  const median = steps.find((st) => st.s <= 0.5)?.t ?? null;
  // Brookmeyer–Crowley with pointwise bands S ± z·se: the interval runs from the first time
  // the lower band reaches ½ to the first time the upper band does (unbounded until it does).
  const low = steps.find((st) => st.s - z * st.se <= 0.5)?.t ?? null;
  const high = steps.find((st) => st.s + z * st.se <= 0.5)?.t ?? null;
  return { n: durations.length, events, median, low, high, level };
}
