/**
 * Loads the shipped stance model (models/stance-v2.bin) or another model file, with no
 * network: `loadStanceModel()` resolves the default path relative to this module, which works
 * from src/ (under tsx) and from dist/ alike (both are two folders below the package root).
 */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RasdError } from "../../core/errors.js";
import {
  classifyStance,
  decodeStanceModel,
  predictIndex,
  STANCE_LABELS,
  type StanceLabel,
  type StanceResult,
  type StanceWeights,
} from "../../kernels/stance/index.js";
import type { StanceModelHeader, StanceValidation } from "./training.js";

/** The model file shipped in the package. */
export const DEFAULT_STANCE_MODEL_PATH = fileURLToPath(new URL("../../../models/stance-v2.bin", import.meta.url));

/** A loaded stance classifier with its provenance and cross-validated figures. */
export interface StanceModel {
  /**
   * The model's name and the first 12 hex digits of the SHA-256 of its file, e.g.
   * "stance-v2@1a2b3c4d5e6f": recorded with every classification, so that any figure can be
   * recomputed with the very model that made it (a retrained model has another version).
   */
  readonly version: string;
  readonly labels: readonly StanceLabel[];
  /** Classifies one text: label, calibrated score, per-label scores, language, behaviour. */
  classify(text: string): StanceResult;
  /** Just the label (fastest); `unknown` for a language the model was not trained for. */
  label(text: string): StanceLabel | "unknown";
  /**
   * Cross-validated figures. `confusion[true][predicted]` counts over pro, anti, neutral
   * (`labels` order), overall and in `perLanguage.ar` / `perLanguage.en`: what adjusted
   * classify-and-count needs (tpr and fpr per class).
   */
  readonly validation: StanceValidation;
  /** The final model's figures on the held-out test split (`loadStanceCorpus(…, { split: "test" })`). */
  readonly heldOut: StanceModelHeader["heldOut"];
  readonly header: StanceModelHeader;
  readonly weights: StanceWeights;
}

/** Builds a StanceModel from the bytes of a model file. */
export function stanceModelFromBytes(bytes: Uint8Array): StanceModel {
  let decoded: { header: StanceModelHeader; weights: StanceWeights };
  try {
    decoded = decodeStanceModel<StanceModelHeader>(bytes);
  } catch (error) {
    throw new RasdError("invalid", `not a valid stance model: ${(error as Error).message}`, { cause: error });
  }
  const { header, weights } = decoded;
  return {
    version: `${header.version}@${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}`,
    labels: STANCE_LABELS,
    classify: (text) => classifyStance(weights, text),
    label: (text) => STANCE_LABELS[predictIndex(weights, text)] ?? "unknown",
    validation: header.validation,
    heldOut: header.heldOut,
    header,
    weights,
  };
}

/**
 * Reads a model file (default: the shipped models/stance-v2.bin).
 * @example
 * const model = loadStanceModel();
 * model.classify("داعش عصابة مجرمة").label // "anti"
 * model.validation.perLanguage.ar?.confusion // [[tp, …], …]
 */
export function loadStanceModel(path: string = DEFAULT_STANCE_MODEL_PATH): StanceModel {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RasdError(
      code === "ENOENT" ? "file.not_found" : "file.unreadable",
      `${path}: cannot read the stance model`,
      {
        cause: error,
      },
    );
  }
  return stanceModelFromBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
