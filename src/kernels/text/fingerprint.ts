/**
 * A text's fingerprint for near-duplicate matching: its normal form, the hashed shingles of
 * that form, and, when the text is long enough for MinHash to be meaningful, its LSH band keys.
 *
 * The short-text rule: a text with fewer than `MIN_SHINGLES` distinct 4-character shingles
 * (about 23 characters, four or five words, after normalisation) matches only texts with the
 * identical normal form. On the tweet corpora, pairs of such texts at Jaccard ≥ 0.5 are
 * mostly different messages built from the same stock words ("you are the best" / "yes you
 * are"), and an estimate from so few shingles is noise.
 */

import { bandKeys } from "./lsh.js";
import { minhashSignature } from "./minhash.js";
import { normalizeText } from "./normalize.js";
import { SHINGLE_SIZE, shingleHashes } from "./shingles.js";

/** Below this many distinct shingles a text matches by identical normal form only. */
export const MIN_SHINGLES = 20;

export interface TextFingerprint {
  /** `normalizeText` of the text. */
  readonly normalized: string;
  /** Sorted distinct 32-bit hashes of its `SHINGLE_SIZE`-character shingles. */
  readonly shingles: Uint32Array;
  /** LSH band keys, or null for a short (or empty) text. */
  readonly bandKeys: Uint32Array | null;
}

/**
 * Normalises, shingles, and (for texts of at least `MIN_SHINGLES` shingles) MinHashes a text.
 * @example textFingerprint("RT @x: Join the caravan before it is too late").bandKeys // Uint32Array(42)
 */
export function textFingerprint(text: string): TextFingerprint {
  const normalized = normalizeText(text);
  const shingles = shingleHashes(normalized, SHINGLE_SIZE);
  const keys = shingles.length >= MIN_SHINGLES ? bandKeys(minhashSignature(shingles)) : null;
  return { normalized, shingles, bandKeys: keys };
}
