/**
 * The coalition's figures: prevalence of pro- and anti-ISIS content and takedown figures. The
 * top level is listed; estimates and figures inside are open objects (camelCase, as computed).
 */

import { Type, type Static } from "typebox";

const Open = (description: string) => Type.Object({}, { additionalProperties: true, description });

const StancePeriodView = Type.Object(
  {
    start: Type.String(),
    end: Type.String(),
    items: Type.Number(),
    observed: Type.Union([Type.Record(Type.String(), Type.Number()), Type.Null()]),
    pro: Type.Union([Open("Estimated share with its 95% interval"), Type.Null()]),
    anti: Type.Union([Open("Estimated share with its 95% interval"), Type.Null()]),
    neutral: Type.Union([Open("Estimated share with its 95% interval"), Type.Null()]),
    ratio: Type.Union([Open("anti:pro with its 95% interval"), Type.Null()]),
  },
  { additionalProperties: true },
);

export const StanceMeasurementView = Type.Object(
  {
    model: Type.String(),
    method: Type.String(),
    interval: Type.String(),
    from: Type.String(),
    to: Type.String(),
    overall: StancePeriodView,
    periods: Type.Immutable(Type.Array(StancePeriodView)),
    otherModelItems: Type.Number(),
  },
  { additionalProperties: true },
);
export type StanceMeasurementView = Static<typeof StanceMeasurementView>;

const Figures = Open("Items matched, actioned and removed, and times to action and removal");

export const TakedownMeasurementView = Type.Object(
  {
    from: Type.String(),
    to: Type.String(),
    overall: Figures,
    byPlatform: Type.Immutable(Type.Array(Figures)),
    byBank: Type.Immutable(Type.Array(Figures)),
  },
  { additionalProperties: true },
);
export type TakedownMeasurementView = Static<typeof TakedownMeasurementView>;
