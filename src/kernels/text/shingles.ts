/**
 * Shingles: the set of overlapping character n-grams of a normalised text, each hashed to 32
 * bits, as a sorted array without repeats. Character n-grams (spaces included) rather than
 * word shingles, because they survive what word shingles do not: Arabic clitics glued to or
 * split from words (و، ال، ب), single-letter typos and partly folded words only touch the n
 * shingles around the change. n = 4 was chosen by measurement on the tweet corpora (decision 0004).
 */

import { hashCodePoints } from "./hash.js";

/** Characters per shingle. */
export const SHINGLE_SIZE = 4;

/**
 * The sorted, distinct 32-bit hashes of the `n`-character shingles of `normalized` (the output
 * of `normalizeText`). A text shorter than `n` characters (but not empty) is one shingle.
 * @example shingleHashes("the army") // 5 hashes: "the ", "he a", "e ar", " arm", "army"
 */
export function shingleHashes(normalized: string, n = SHINGLE_SIZE): Uint32Array {
  if (normalized.length === 0) return new Uint32Array(0);
  const cps = codePoints(normalized);
  const count = Math.max(1, cps.length - n + 1);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = hashCodePoints(cps, i, Math.min(n, cps.length));
  return sortedDistinct(out);
}

/** The code points of `text` (a lone surrogate is one), as `Array.from(text)` splits it. */
function codePoints(text: string): Int32Array {
  const out = new Int32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; n++) {
    const c = text.codePointAt(i)!;
    out[n] = c;
    i += c > 0xffff ? 2 : 1;
  }
  return out.subarray(0, n);
}

/** Sorts `values` in place and returns them without repeats (compact, so it can be stored). */
export function sortedDistinct(values: Uint32Array): Uint32Array {
  values.sort();
  let w = 0;
  for (let r = 0; r < values.length; r++) {
    if (r === 0 || values[r] !== values[w - 1]) values[w++] = values[r]!;
  }
  return w === values.length ? values : values.slice(0, w);
}

/**
 * Exact Jaccard similarity |A ∩ B| / |A ∪ B| of two sorted distinct hash sets, by merging.
 * Two empty sets have similarity 0 (they share nothing to match on).
 * @example jaccard(Uint32Array.of(1, 2, 3), Uint32Array.of(2, 3, 4)) // 0.5
 */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      common++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  const union = a.length + b.length - common;
  return union === 0 ? 0 : common / union;
}
