/**
 * Stance toward ISIS and violent jihadism, as the classifier gives it and as rules, review
 * priority and the prevalence figures use it. Pure.
 */

export const STANCES = ["pro", "anti", "neutral"] as const;
export type Stance = (typeof STANCES)[number];

/** What the classifier says of a text in a language it was not trained for: never a stance. */
export const UNKNOWN_STANCE = "unknown";

/** What the classifier says of one text. */
export interface StanceVerdict {
  /** `unknown` (scores all 0) for a language the model was not trained for. */
  readonly label: Stance | typeof UNKNOWN_STANCE;
  /** Calibrated probability of `label`. */
  readonly score: number;
  readonly scores: Readonly<Record<Stance, number>>;
  /** ISO 639-1 code ("ar", "en", "fr", …), "ar-Latn" (Arabizi) or "und". */
  readonly lang: string;
  /** For `pro`: recruitment, glorification, incitement, instruction or sectarian_hate, when it can tell. */
  readonly behaviour?: string;
}

/** Cross-validated confusion counts: rows true class, columns predicted class, in STANCES order. */
export type ConfusionCounts = readonly (readonly number[])[];

export interface StanceClassifier {
  /** Model name and version, recorded with every classification. */
  readonly version: string;
  /** Synchronous for a rasd model file; a promise when an ONNX model serves the text's language. */
  classify(text: string): StanceVerdict | Promise<StanceVerdict>;
  /** The error rates measured for the model, overall and per language where known. */
  confusion(lang?: string): ConfusionCounts;
}
