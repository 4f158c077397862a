/** Quantification: class prevalence from a classifier's counts and its measured error rates; percentiles. Pure. */

export { adjustedShares, misclassificationRates, projectToSimplex, RateModel } from "./adjusted-count.js";
export {
  bootstrapShares,
  estimatePrevalence,
  resampleRates,
  type BootstrapOptions,
  type Interval,
  type PrevalenceEstimate,
  type RatioInterval,
  type Stratum,
} from "./prevalence.js";
export { binomial, multinomial, seedFrom, seededRandom } from "./random.js";
export { percentiles, type Percentiles } from "./percentiles.js";
export { ONE_HOUR_MS, takedownBy, takedownFigures, type TakedownFigures, type TakedownRecord } from "./takedown.js";
