/** The stance signal: the shipped classifier, its training data and its training pipeline. */
export { DEFAULT_STANCE_MODEL_PATH, loadStanceModel, stanceModelFromBytes, type StanceModel } from "./model.js";
export {
  DEFAULT_TEST_SHARE,
  FIFTHTRIBE_NEWS_ACCOUNTS,
  hasStanceCorpora,
  isTestRecord,
  loadStanceCorpus,
  sha256Prefix,
  type StanceCorpusName,
  type StanceCorpusOptions,
  type StanceItem,
  type StanceSplit,
} from "./corpus.js";
export {
  STANCE_MODEL_VERSION,
  sampleWeight,
  trainStancePipeline,
  type StanceFigures,
  type StanceModelHeader,
  type StanceValidation,
  type TrainPipelineOptions,
} from "./training.js";
