/**
 * A per-code-unit folding table for the stance features: one array lookup per UTF-16 code unit
 * instead of a chain of regular expressions, so that inference allocates nothing per text.
 *
 * It applies the same folds as `kernels/text` normalisation, where a single code unit allows it:
 * invisible characters, combining marks, Arabic marks and tatweel dropped (`DROP`); compatibility
 * forms (NFKC: Arabic presentation forms, fullwidth letters) replaced by plain letters (lam-alef
 * ligatures expand to two letters, kept in `FOLD2`); Arabic letter variants unified and
 * Arabic-Indic digits made ASCII (`foldArabic`); lower case. Everything that is not a letter or
 * digit — punctuation, symbols, underscores, and surrogate halves (emoji) — becomes `SEP`.
 */

import { foldArabic } from "../text/arabic.js";

export const DROP = 0;
export const SEP = 32;

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const DROPPED = /^[\p{Default_Ignorable_Code_Point}\p{M}]$/u;

function build(): { fold1: Uint16Array; fold2: Uint16Array } {
  const fold1 = new Uint16Array(65536);
  const fold2 = new Uint16Array(65536);
  for (let code = 0; code < 65536; code++) {
    if (code >= 0xd800 && code <= 0xdfff) {
      fold1[code] = SEP;
      continue;
    }
    const c = String.fromCharCode(code);
    if (DROPPED.test(c) || foldArabic(c) === "") {
      fold1[code] = DROP;
      continue;
    }
    const folded = foldArabic(c.normalize("NFKC"))
      .replace(/[\p{M}\u0640]/gu, "")
      .toLowerCase();
    const chars = [...folded].filter((x) => LETTER_OR_DIGIT.test(x) && x.length === 1);
    if (chars.length === 0 || chars.length !== [...folded].length) {
      fold1[code] = LETTER_OR_DIGIT.test(c) ? code : SEP;
      continue;
    }
    fold1[code] = chars[0]!.charCodeAt(0);
    if (chars.length === 2) fold2[code] = chars[1]!.charCodeAt(0);
  }
  return { fold1, fold2 };
}

const TABLES = build();
/** code unit → folded letter/digit code, SEP, or DROP. */
export const FOLD1: Uint16Array = TABLES.fold1;
/** code unit → second letter of a two-letter expansion (lam-alef ligatures), else 0. */
export const FOLD2: Uint16Array = TABLES.fold2;

/**
 * The folded form of a text as a string of words separated by single spaces, with links,
 * @mentions and retweet markers removed: the same stream the features hash. For rules and tests.
 * @example foldForStance("RT @x: الدَّوْلَةُ الإسْلامِيَّة https://t.co/y") // "الدوله الاسلاميه"
 */
export function foldForStance(text: string): string {
  const out: number[] = [];
  scanFolded(text, (c) => {
    out.push(c);
  });
  return String.fromCharCode(...out).trim();
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0xa0;
}

/** Whether a link, mention or retweet marker starts at `i` (a token start). Returns its end, else -1. */
export function skippedTokenEnd(text: string, i: number): number {
  const n = text.length;
  const c = text.charCodeAt(i);
  let skip = false;
  if (c === 64)
    skip = true; // @mention
  else if ((c === 104 || c === 72) && i + 4 < n) {
    // http:// https://
    const c1 = text.charCodeAt(i + 1) | 32;
    const c2 = text.charCodeAt(i + 2) | 32;
    const c3 = text.charCodeAt(i + 3) | 32;
    skip =
      c1 === 116 &&
      c2 === 116 &&
      c3 === 112 &&
      (text.charCodeAt(i + 4) === 58 || (text.charCodeAt(i + 4) | 32) === 115);
  } else if ((c === 119 || c === 87) && i + 3 < n) {
    skip =
      (text.charCodeAt(i + 1) | 32) === 119 && (text.charCodeAt(i + 2) | 32) === 119 && text.charCodeAt(i + 3) === 46;
  } else if ((c === 82 || c === 114) && i + 1 < n && (text.charCodeAt(i + 1) | 32) === 116) {
    // "RT" as a whole token (followed by space, ":" or the end)
    const after = i + 2 < n ? text.charCodeAt(i + 2) : 32;
    if (isSpace(after) || after === 58) return i + 2;
  }
  if (!skip) return -1;
  let j = i + 1;
  while (j < n && !isSpace(text.charCodeAt(j))) j++;
  return j;
}

/**
 * Calls `emit` with each folded code of `text`: letters and digits, and one SEP between words
 * (never two in a row, one at the end). Runs of three or more equal letters are cut to two.
 */
export function scanFolded(text: string, emit: (code: number) => void): void {
  const n = text.length;
  let prev = SEP;
  let prev2 = SEP;
  let atTokenStart = true;
  for (let i = 0; i < n; i++) {
    const raw = text.charCodeAt(i);
    if (atTokenStart) {
      const end = skippedTokenEnd(text, i);
      if (end >= 0) {
        i = end - 1;
        continue;
      }
    }
    atTokenStart = isSpace(raw);
    const f = FOLD1[raw]!;
    if (f === DROP) continue;
    if (f === SEP) {
      if (prev !== SEP) emit(SEP);
      prev2 = prev;
      prev = SEP;
      continue;
    }
    if (!(f === prev && f === prev2)) emit(f);
    prev2 = prev;
    prev = f;
    const g = FOLD2[raw]!;
    if (g !== 0) {
      emit(g);
      prev2 = prev;
      prev = g;
    }
  }
  if (prev !== SEP) emit(SEP);
}
