/**
 * The coalition's figures: prevalence of pro- and anti-ISIS content with 95% intervals, and
 * takedown figures (camelCase, as computed by services/measurement.ts).
 */

import { Type, type Static } from "typebox";
import { Nullable, PercentilesView } from "./common.js";

/** An estimated share with its 95% interval. */
const EstimateView = Type.Object({ estimate: Type.Number(), low: Type.Number(), high: Type.Number() });
export type EstimateView = Static<typeof EstimateView>;

/** The anti:pro ratio with its 95% interval; a bound is null when unbounded (no pro items). */
const RatioView = Type.Object({
  estimate: Nullable(Type.Number()),
  low: Nullable(Type.Number()),
  high: Nullable(Type.Number()),
});
export type RatioView = Static<typeof RatioView>;

const OrNull = <T extends typeof EstimateView | typeof RatioView>(schema: T) => Type.Union([schema, Type.Null()]);

export const StancePeriodView = Type.Object({
  start: Type.String(),
  end: Type.String(),
  items: Type.Number(),
  observed: Type.Union([Type.Object({ pro: Type.Number(), anti: Type.Number(), neutral: Type.Number() }), Type.Null()]),
  pro: OrNull(EstimateView),
  anti: OrNull(EstimateView),
  neutral: OrNull(EstimateView),
  ratio: OrNull(RatioView),
});
export type StancePeriodView = Static<typeof StancePeriodView>;

export const StanceMeasurementView = Type.Object({
  model: Type.String(),
  method: Type.String(),
  interval: Type.String(),
  from: Type.String(),
  to: Type.String(),
  overall: StancePeriodView,
  periods: Type.Immutable(Type.Array(StancePeriodView)),
  otherModelItems: Type.Number({ description: "Items classified by another model version, left out" }),
});
export type StanceMeasurementView = Static<typeof StanceMeasurementView>;

const figures = {
  items: Type.Number(),
  matched: Type.Number(),
  actioned: Type.Number(),
  removed: Type.Number(),
  shareRemoved: Nullable(Type.Number()),
  withinHourShare: Nullable(Type.Number()),
  ordersReceived: Type.Number(),
  ordersWithinHourShare: Nullable(Type.Number()),
  restored: Type.Number(),
  timeToAction: PercentilesView,
  timeToRemoval: PercentilesView,
};

/** Items matched, actioned and removed, and the times to action and removal (ms). */
const TakedownFiguresView = Type.Object(figures);
export type TakedownFiguresView = Static<typeof TakedownFiguresView>;

export const TakedownMeasurementView = Type.Object({
  from: Type.String(),
  to: Type.String(),
  overall: TakedownFiguresView,
  byPlatform: Type.Immutable(
    Type.Array(Type.Object({ platform: Type.String(), ...figures }), {
      description:
        "Per platform (member). In the coalition scope only to a role with coalition.read; others get it empty and the coalition's figures in aggregate (overall, byBank)",
    }),
  ),
  byBank: Type.Immutable(Type.Array(Type.Object({ bankId: Type.Number(), bankName: Type.String(), ...figures }))),
});
export type TakedownMeasurementView = Static<typeof TakedownMeasurementView>;
