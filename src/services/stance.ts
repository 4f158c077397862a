/** The shipped stance model as the pipeline and the measurement figures use it. */

import type { StanceClassifier } from "../core/stance.js";
import { loadStanceModel, type StanceModel } from "../signals/stance/model.js";

function asClassifier(model: StanceModel): StanceClassifier {
  return {
    version: model.version,
    classify: (text) => model.classify(text),
    confusion: (lang) =>
      (lang ? model.validation.perLanguage[lang as keyof typeof model.validation.perLanguage]?.confusion : undefined) ??
      model.validation.confusion,
  };
}

/** The configured model, or the one shipped with rasd. */
export function loadClassifier(path?: string): StanceClassifier {
  return asClassifier(path ? loadStanceModel(path) : loadStanceModel());
}
