/** The vocabulary of the stance classifier: labels, languages and behaviour categories. */

/** Stance toward ISIS / violent jihadism. `neutral` is everything else, news about ISIS included. */
export type StanceLabel = "pro" | "anti" | "neutral";

/** The order of classes in weights, logits, probabilities and confusion matrices. */
export const STANCE_LABELS: readonly StanceLabel[] = ["pro", "anti", "neutral"];

export const NUM_CLASSES = 3;

/** `ar` Arabic script (any dialect), `en` English, `und` anything else or too little to tell. */
export type StanceLanguage = "ar" | "en" | "und";

export const STANCE_LANGUAGES: readonly StanceLanguage[] = ["ar", "en", "und"];

/** GIFCT-style behaviour categories of pro content (found by lexicon rules, not learnt). */
export type StanceBehaviour = "recruitment" | "glorification" | "incitement" | "instruction" | "sectarian_hate";

export function isStanceLabel(value: string): value is StanceLabel {
  return value === "pro" || value === "anti" || value === "neutral";
}

/** The index of a label in STANCE_LABELS. */
export function labelIndex(label: StanceLabel): number {
  return label === "pro" ? 0 : label === "anti" ? 1 : 2;
}
