/**
 * Hashed n-gram features of a text, computed in one pass over its UTF-16 code units with no
 * strings built per n-gram: every code unit is folded by table lookup (`fold.ts`), and rolling
 * FNV-1a hashes over the folded codes give
 *   - character n-grams of length 2–5 over the word stream (words joined by one space, so
 *     n-grams see word starts and ends and short phrases), and
 *   - word unigrams and word bigrams.
 * Each hash is finalised (murmur3 fmix32) and masked to `dims` buckets (a power of two). A
 * text's feature vector is the bucket counts divided by √(number of features), which keeps
 * long and short texts on one scale.
 *
 * Design note: hashing avoids a vocabulary (nothing to ship but the weights, unknown words
 * need no handling) at the price of collisions, which 2^18 buckets keep rare for the few
 * hundred thousand distinct n-grams of the training data.
 */

import { DROP, FOLD1, FOLD2, SEP, skippedTokenEnd } from "./fold.js";

const PRIME = 0x01000193;
const CHAR_SEED = 0x811c9dc5 | 0;
const WORD_SEED = 0x3c6ef372 | 0;
const BIGRAM_SEED = 0x1b873593 | 0;

/** The shortest and longest character n-grams hashed. */
export const MIN_NGRAM = 2;
export const MAX_NGRAM = 5;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0xa0;
}

/** An upper bound on the number of features of a text of `length` code units. */
export function maxFeatures(length: number): number {
  return 8 * length + 16;
}

/**
 * Writes the bucket index of every feature of `text` into `out` (repeats allowed) and returns
 * how many were written. `out` must hold `maxFeatures(text.length)`; `dims` is a power of two.
 * @example
 * const out = new Int32Array(maxFeatures(t.length));
 * const n = extractFeatures(t, 1 << 18, out); // out[0..n) are bucket indices
 */
export function extractFeatures(text: string, dims: number, out: Int32Array): number {
  const mask = dims - 1;
  const n = text.length;
  let count = 0;
  // The last five folded codes, newest first (c0), SEP before the text starts.
  let c0 = SEP;
  let c1 = SEP;
  let c2 = SEP;
  let c3 = SEP;
  let prevRaw = SEP; // last folded code, for cutting runs
  let prevRaw2 = SEP;
  let word = WORD_SEED;
  let wordLen = 0;
  let prevWord = 0;
  let atTokenStart = true;
  for (let i = 0; i <= n; i++) {
    let f: number;
    let g = 0;
    if (i === n) {
      f = SEP;
    } else {
      const raw = text.charCodeAt(i);
      if (atTokenStart) {
        const end = skippedTokenEnd(text, i);
        if (end >= 0) {
          i = end - 1;
          continue;
        }
      }
      atTokenStart = isSpace(raw);
      f = FOLD1[raw]!;
      if (f === DROP) continue;
      g = FOLD2[raw]!;
    }
    for (let k = 0; k < (g === 0 ? 1 : 2); k++) {
      const code = k === 0 ? f : g;
      if (code === SEP) {
        if (c0 === SEP) {
          prevRaw2 = prevRaw;
          prevRaw = SEP;
          continue;
        }
      } else if (code === prevRaw && code === prevRaw2) {
        continue;
      }
      prevRaw2 = prevRaw;
      prevRaw = code;
      const c4 = c3;
      c3 = c2;
      c2 = c1;
      c1 = c0;
      c0 = code;
      // Character n-grams ending here: hash backwards from the newest code.
      let h = Math.imul(CHAR_SEED ^ c0, PRIME);
      h = Math.imul(h ^ c1, PRIME);
      out[count++] = fmix(h ^ 2) & mask;
      if (c2 !== SEP || c1 !== SEP) {
        h = Math.imul(h ^ c2, PRIME);
        out[count++] = fmix(h ^ 3) & mask;
        h = Math.imul(h ^ c3, PRIME);
        out[count++] = fmix(h ^ 4) & mask;
        h = Math.imul(h ^ c4, PRIME);
        out[count++] = fmix(h ^ 5) & mask;
      }
      // Words and word pairs.
      if (code === SEP) {
        if (wordLen > 0) {
          const w = fmix(word);
          out[count++] = w & mask;
          if (prevWord !== 0) out[count++] = fmix(Math.imul(prevWord ^ BIGRAM_SEED, PRIME) ^ w) & mask;
          prevWord = w | 1;
        }
        word = WORD_SEED;
        wordLen = 0;
      } else {
        word = Math.imul(word ^ code, PRIME);
        wordLen++;
      }
    }
  }
  return count;
}

/** Every text's hashed features, computed once: text i has indices[offsets[i] .. offsets[i+1]). */
export interface FeatureMatrix {
  readonly dims: number;
  readonly offsets: Int32Array;
  readonly indices: Int32Array;
}

/** Hashes every text once. */
export function featureMatrix(texts: readonly string[], dims: number): FeatureMatrix {
  const offsets = new Int32Array(texts.length + 1);
  let total = 0;
  for (const t of texts) total += maxFeatures(t.length);
  const all = new Int32Array(total);
  let scratch = new Int32Array(1024);
  let at = 0;
  texts.forEach((t, i) => {
    if (scratch.length < maxFeatures(t.length)) scratch = new Int32Array(maxFeatures(t.length) * 2);
    const n = extractFeatures(t, dims, scratch);
    all.set(scratch.subarray(0, n), at);
    at += n;
    offsets[i + 1] = at;
  });
  return { dims, offsets, indices: all.slice(0, at) };
}
