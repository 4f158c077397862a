/** The vocabulary of the stance classifier: labels, languages and behaviour categories. */

/** Stance toward ISIS / violent jihadism. `neutral` is everything else, news about ISIS included. */
export type StanceLabel = "pro" | "anti" | "neutral";

/** The order of classes in weights, logits, probabilities and confusion matrices. */
export const STANCE_LABELS: readonly StanceLabel[] = ["pro", "anti", "neutral"];

export const NUM_CLASSES = 3;

/**
 * What `detectLanguage` tells apart: `ar` Arabic (any dialect), `en` English, `ar-Latn` Arabizi,
 * other languages by ISO 639-1 code, `und` anything else or too little to tell.
 */
export const STANCE_LANGUAGES = [
  "ar",
  "en",
  "fr",
  "de",
  "es",
  "it",
  "pt",
  "nl",
  "tr",
  "id",
  "ms",
  "so",
  "ar-Latn",
  "ur",
  "fa",
  "ru",
  "uk",
  "und",
] as const;
export type StanceLanguage = (typeof STANCE_LANGUAGES)[number];

/** The languages the stance model was trained for; any other gets the stance `unknown`. */
export const TRAINED_LANGUAGES: readonly StanceLanguage[] = ["ar", "en"];

export function isTrainedLanguage(lang: string): boolean {
  return lang === "ar" || lang === "en";
}

/** GIFCT-style behaviour categories of pro content (found by lexicon rules, not learnt). */
export type StanceBehaviour = "recruitment" | "glorification" | "incitement" | "instruction" | "sectarian_hate";

export function isStanceLabel(value: string): value is StanceLabel {
  return value === "pro" || value === "anti" || value === "neutral";
}

/** The index of a label in STANCE_LABELS. */
export function labelIndex(label: StanceLabel): number {
  return label === "pro" ? 0 : label === "anti" ? 1 : 2;
}
