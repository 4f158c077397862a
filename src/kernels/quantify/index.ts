/** Quantification: class prevalence from a classifier's counts and its measured error rates. Pure. */

export { adjustedShares, misclassificationRates, projectToSimplex } from "./adjusted-count.js";
export {
  bootstrapShares,
  estimatePrevalence,
  type BootstrapOptions,
  type Interval,
  type PrevalenceEstimate,
  type RatioInterval,
  type Stratum,
} from "./prevalence.js";
export { binomial, multinomial, seedFrom, seededRandom } from "./random.js";
