/**
 * The coalition's figures: prevalence of pro- and anti-ISIS content with 95% intervals, and
 * takedown figures (camelCase, as computed by services/measurement.ts).
 */

import { Type, type Static } from "typebox";
import { Nullable, PercentilesView } from "./common.js";

/** An estimated share with its 95% interval. */
const EstimateView = Type.Object({ estimate: Type.Number(), low: Type.Number(), high: Type.Number() });
export type EstimateView = Static<typeof EstimateView>;

/** The anti:pro ratio with its 95% interval; when pro may be zero, a lower bound only (kind, high null). */
const RatioView = Type.Object({
  estimate: Nullable(Type.Number({ description: "null when the estimated pro share is 0" })),
  low: Nullable(Type.Number()),
  high: Nullable(Type.Number({ description: "null: no upper bound (pro may be zero); see kind" })),
  kind: Type.Union([Type.Literal("two-sided"), Type.Literal("lower-bound"), Type.Literal("unbounded")], {
    description:
      "two-sided interval; lower-bound: the ratio is at least `low` (pro may be zero); unbounded: nothing known",
  }),
});
export type RatioView = Static<typeof RatioView>;

const OrNull = <T extends typeof EstimateView | typeof RatioView>(schema: T) => Type.Union([schema, Type.Null()]);

export const StancePeriodView = Type.Object({
  start: Type.String(),
  end: Type.String(),
  items: Type.Number(),
  labelled: Type.Number({ description: "Items with a person's stance label, used by the estimate" }),
  observed: Type.Union(
    [Type.Object({ pro: Type.Number(), anti: Type.Number(), neutral: Type.Number() }), Type.Null()],
    {
      description: "Raw shares of the model's predicted labels (classify and count), for comparison only",
    },
  ),
  pro: OrNull(EstimateView),
  anti: OrNull(EstimateView),
  neutral: OrNull(EstimateView),
  cantTell: OrNull(EstimateView),
  ratio: OrNull(RatioView),
  validated: Type.Boolean({
    description:
      "false: some strata (platform, language, predicted label) have no labels; their part is the model's alone, unvalidated",
  }),
  modelOnlyItems: Type.Number({ description: "Items in strata without labels (worst-case bounds in the intervals)" }),
  labelsToHalveWidth: Nullable(
    Type.Number({ description: "More labels, spread as the current ones, that would halve the intervals' width" }),
  ),
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
  otherModelItems: Type.Number({
    description:
      "Items classified by another model version: included, each version's predictions forming their own strata",
  }),
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
  timeOnline: PercentilesView,
  stillOnline: Type.Number({ description: "Items not removed, or restored after removal" }),
  shareStillOnline: Nullable(Type.Number({ description: "stillOnline / items" })),
  timeOnlineBins: Type.Immutable(
    Type.Array(
      Type.Object({
        upToMs: Nullable(Type.Number({ description: "the bin's upper bound (ms); null: longer than the last bound" })),
        items: Type.Number(),
      }),
      { description: "Time online (posted → removed) in bins: up to 1 h, 6 h, 1 day, 7 days, 30 days, longer" },
    ),
  ),
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
  byLanguage: Type.Immutable(Type.Array(Type.Object({ lang: Type.String(), ...figures }))),
  byContentType: Type.Immutable(Type.Array(Type.Object({ kind: Type.String(), ...figures }))),
  byBehaviour: Type.Immutable(
    Type.Array(Type.Object({ behaviour: Type.String(), ...figures }), {
      description: "By the classifier's behaviour label of pro items (recruitment, glorification, …)",
    }),
  ),
});
export type TakedownMeasurementView = Static<typeof TakedownMeasurementView>;

const ReuploadPlatformView = Type.Object({
  platform: Type.String(),
  reuploads: Type.Number(),
  fromOtherPlatforms: Type.Number(),
  afterRemoval: Type.Number(),
  matchedKnown: Type.Number(),
});

/** Re-uploads of the same content (exact copies, or copies matching the same banked signal). */
export const ReuploadFiguresView = Type.Object({
  items: Type.Number({ description: "items received in scope" }),
  repeatedContents: Type.Number({ description: "distinct contents received more than once" }),
  reuploads: Type.Number({ description: "items that are a later copy of content already received" }),
  acrossPlatforms: Type.Number({ description: "re-uploads on another platform than the first copy's" }),
  afterRemoval: Type.Number({ description: "re-uploads received after an earlier copy was removed or disabled" }),
  matchedKnown: Type.Number({ description: "re-uploads matched to a banked signal (found automatically)" }),
  afterRemovalActedAutomatically: Type.Number({
    description: "re-uploads after removal that an action rule acted on automatically",
  }),
  timeToReupload: PercentilesView,
  byPlatform: Type.Immutable(Type.Array(ReuploadPlatformView)),
  largest: Type.Immutable(
    Type.Array(Type.Object({ firstItemId: Type.Number(), copies: Type.Number(), platforms: Type.Number() })),
  ),
});

const DecisionSplitView = Type.Object({
  items: Type.Number({ description: "removed or disabled items received in scope" }),
  human: Type.Number({ description: "a person decided the item in rasd's review before its removal" }),
  automated: Type.Number({ description: "no person decided it: a hash match, or a rule acting on a match" }),
  memberProcess: Type.Number({ description: "decided in the member's own process (orders, referrals, terms)" }),
});

const AccuracyView = Type.Object({
  reviewed: Type.Number({ description: "matched items people decided (escalations left out)" }),
  confirmed: Type.Number({ description: "of them, decided violating" }),
  precision: Nullable(Type.Number()),
  interval: Type.Union([Type.Object({ low: Type.Number(), high: Type.Number() }), Type.Null()], {
    description: "95% Wilson interval of the precision",
  }),
});

export const ReuploadMeasurementView = Type.Object({
  from: Type.String(),
  to: Type.String(),
  reuploads: ReuploadFiguresView,
  decisions: Type.Object({ removals: DecisionSplitView, matching: AccuracyView }),
  definitions: Type.Record(Type.String(), Type.String()),
});
export type ReuploadMeasurementView = Static<typeof ReuploadMeasurementView>;
