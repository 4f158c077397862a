/** The stance model as the pipeline and the measurement figures use it. */

import type { StanceClassifier } from "../core/stance.js";
import { loadStanceModel, type StanceModel } from "../signals/stance/model.js";
import { loadOnnxStanceModels } from "../signals/stance/onnx.js";

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

/**
 * The service's classifier: the model file (`RASD_STANCE_MODEL`, default the shipped one) and, for
 * the languages named in `onnx` (`RASD_STANCE_ONNX`, decision 0030), an ONNX model each, run by
 * onnxruntime-node. The version recorded with each classification names every file in use, e.g.
 * `onnx@1a2b3c4d5e6f(en)+stance-v2@0a1b2c3d4e5f`. The confusion figures stay the model file's:
 * an ONNX model carries none (nothing reads them for the measurement; decision 0015).
 * @example await loadServiceClassifier(undefined, { en: "/models/en.onnx" })
 */
export async function loadServiceClassifier(
  path: string | undefined,
  onnx: Readonly<Record<string, string>> = {},
): Promise<StanceClassifier> {
  const base = path ? loadStanceModel(path) : loadStanceModel();
  if (Object.keys(onnx).length === 0) return asClassifier(base);
  const served = await loadOnnxStanceModels(onnx, base);
  const fallback = asClassifier(base);
  return {
    version: served.version,
    classify: async (text) => (await served.classifyAll([text]))[0]!,
    confusion: fallback.confusion,
  };
}
