/**
 * Stance toward ISIS / violent jihadism (pro, anti, neutral) for Arabic and English texts:
 * hashed character and word n-grams, multinomial logistic regression, temperature scaling,
 * lexicon rules for behaviour categories. Pure, no I/O. Decision 0008 explains the choices.
 */
export {
  NUM_CLASSES,
  STANCE_LABELS,
  STANCE_LANGUAGES,
  TRAINED_LANGUAGES,
  isStanceLabel,
  isTrainedLanguage,
  labelIndex,
  type StanceBehaviour,
  type StanceLabel,
  type StanceLanguage,
} from "./labels.js";
export { foldForStance } from "./fold.js";
export { extractFeatures, featureMatrix, maxFeatures, type FeatureMatrix } from "./features.js";
export { detectLanguage } from "./language.js";
export { behaviourOf } from "./behaviour.js";
export {
  argmax,
  calibratedInto,
  classifyStance,
  isotonicInto,
  predictIndex,
  softmaxInto,
  stanceLogits,
  type StanceResult,
  type StanceWeights,
} from "./model.js";
export { applyIsotonic, fitIsotonic, fitTemperature, type IsotonicMap } from "./calibration.js";
export {
  brierScore,
  confusionOf,
  expectedCalibrationError,
  metricsFromConfusion,
  reliability,
  type ReliabilityBin,
  type ClassFigures,
  type Confusion,
  type StanceMetrics,
} from "./metrics.js";
export { DEFAULT_TRAIN_OPTIONS, stratifiedFolds, trainStance, type TrainOptions } from "./train.js";
export {
  fitLogistic,
  fuseLogits,
  fusionInputs,
  interleaveRatios,
  logSumExp2,
  naiveBayesRatios,
  specialistScores,
  type ArabicSpecialist,
} from "./specialist.js";
export { DEFAULT_NBSVM_OPTIONS, nbSvmScore, trainNbSvm, type NbSvmOptions, type NbSvmWeights } from "./nbsvm.js";
export { decodeStanceModel, encodeStanceModel, type StanceHeaderCore } from "./codec.js";
export { readOnnxStanceMetadata, writeOnnxStanceModel, type OnnxStanceMetadata } from "./onnx.js";
