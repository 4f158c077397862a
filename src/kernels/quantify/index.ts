/** Quantification: class prevalence from a classifier's counts and its measured error rates; percentiles. Pure. */

export { adjustedShares, misclassificationRates, projectToSimplex, RateModel } from "./adjusted-count.js";
export {
  estimatePrevalence,
  resampleRates,
  type BootstrapOptions,
  type Interval,
  type PrevalenceEstimate,
  type RatioInterval,
  type Stratum,
} from "./prevalence.js";
export {
  allocateLabels,
  estimateShares,
  fieller,
  normalQuantile,
  wilson,
  type LabelledItem,
  type PpiEstimate,
  type PpiOptions,
  type PpiStratum,
  type RatioEstimate,
  type RatioKind,
  type ShareInterval,
} from "./ppi.js";
export { multinomial, seedFrom, seededRandom } from "./random.js";
export { percentiles, type Percentiles } from "./percentiles.js";
export {
  itemDurations,
  takedownBy,
  takedownFigures,
  timeBins,
  TIME_ONLINE_BOUNDS_MS,
  type TakedownFigures,
  type TakedownRecord,
  type TimeBin,
} from "./takedown.js";
export {
  contentOriginals,
  reuploadFigures,
  type CopyRecord,
  type ReuploadFigures,
  type ReuploadPlatform,
} from "./reuploads.js";
export {
  automatedAccuracy,
  decisionSplit,
  type AutomatedAccuracy,
  type DecisionSplit,
  type MatchReview,
  type RemovalDecisionRecord,
} from "./decisions.js";
export {
  compareMeans,
  compareProportions,
  incompleteBeta,
  meanInterval,
  proportion,
  tQuantile,
  twoSidedTP,
  twoSidedZP,
  type DifferenceTest,
  type MeanEstimate,
  type ProportionEstimate,
} from "./compare.js";
export { observedMedian, orderRank } from "./order-median.js";
export { kaplanMeier, medianDuration, type Duration, type MedianEstimate, type SurvivalStep } from "./survival.js";
