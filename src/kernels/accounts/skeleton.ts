/**
 * Name skeletons for ban-evasion matching: the forms a returning account's handle or display
 * name keeps when its owner dresses it up. Pure functions, no I/O.
 *
 * - `handleForm`: lower case, NFKC, Cyrillic/Greek look-alikes folded to Latin (every one: a
 *   handle is an identifier, not prose), Arabic folded and transliterated (Arabic-Indic digits to
 *   ASCII), only letters and digits kept ("@Gun_sAnd_Coffee_70" → "gunsandcoffee70").
 *   `nameForm` is the same for a display name, where a Cyrillic or Greek word is folded only in a
 *   Latin context (a Russian name stays Russian).
 * - `strippedKey`: the handle form without digits ("gunsandcoffee70" → "gunsandcoffee"), so that
 *   `name_2`, `name2`, `_name`, `name77` share one key.
 * - `leetKey`: digits inside read as the letters they mimic (0→o, 1→i, 3→e, 4→a, 5→s, 7→t, 8→b), l and
 *   i merged, doubled letters collapsed ("n4me" → "name", "gunsandcofee" → "gunsandcofe").
 * - `consonantKey`: the consonants of a transliteration, so that Arabic and Latin spellings of
 *   one name meet ("أبو محمد" and "Abu Muhammad" → "bmhmd").
 */

import { foldArabic } from "../text/arabic.js";
import { foldHomoglyphs, foldLookalikeLetters } from "../text/homoglyphs.js";

/** Arabic letter → Latin transliteration (one common spelling; vowels are dropped later). */
const ARABIC_LATIN: Readonly<Record<string, string>> = {
  "\u0627": "a", // ا
  "\u0628": "b", // ب
  "\u062A": "t", // ت
  "\u062B": "th", // ث
  "\u062C": "j", // ج
  "\u062D": "h", // ح
  "\u062E": "kh", // خ
  "\u062F": "d", // د
  "\u0630": "dh", // ذ
  "\u0631": "r", // ر
  "\u0632": "z", // ز
  "\u0633": "s", // س
  "\u0634": "sh", // ش
  "\u0635": "s", // ص
  "\u0636": "d", // ض
  "\u0637": "t", // ط
  "\u0638": "z", // ظ
  "\u0639": "", // ع (written ' or a vowel in Latin)
  "\u063A": "gh", // غ
  "\u0641": "f", // ف
  "\u0642": "q", // ق
  "\u0643": "k", // ك
  "\u0644": "l", // ل
  "\u0645": "m", // م
  "\u0646": "n", // ن
  "\u0647": "h", // ه
  "\u0648": "w", // و
  "\u064A": "y", // ي
  "\u0621": "", // ء
};

const ARABIC_LETTER_RE = /[\u0621-\u064A]/g;

/** Arabic letters replaced by a Latin transliteration; other characters unchanged. */
export function transliterateArabic(text: string): string {
  return foldArabic(text).replace(ARABIC_LETTER_RE, (c) => ARABIC_LATIN[c] ?? "");
}

const latinForm = (folded: string): string =>
  transliterateArabic(folded)
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]/g, "");

/**
 * Lower-case Latin letters and digits of a handle after folding every look-alike letter and
 * transliterating Arabic.
 * @example handleForm("06230550_і5") // "06230550i5" (a Cyrillic і)
 */
export function handleForm(handle: string): string {
  return latinForm(foldLookalikeLetters(handle.normalize("NFKC")));
}

/** `handleForm` for a display name: look-alikes folded only in a Latin context (`foldHomoglyphs`). */
export function nameForm(name: string): string {
  return latinForm(foldHomoglyphs(name.normalize("NFKC")));
}

/** The handle form without digits. */
export function strippedKey(form: string): string {
  return form.replace(/[0-9]/g, "");
}

const LEET: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "8": "b",
  l: "i",
};

/**
 * Leading and trailing digits dropped (`name77`, `2name`), digits inside read as letters, l and i
 * merged, remaining digits dropped, doubled letters collapsed.
 */
export function leetKey(form: string): string {
  return form
    .replace(/^[0-9]+|[0-9]+$/g, "")
    .replace(/[013457l8]/g, (c) => LEET[c] ?? c)
    .replace(/[0-9]/g, "")
    .replace(/(.)\1+/g, "$1");
}

/**
 * Every digit read as the letter it mimics, wherever it stands (digits that mimic none dropped), l
 * and i merged, doubled letters collapsed: the key of a handle whose letters were swapped for
 * digits next to its own digits ("Afriqqiy4_252" and "Afriqqiya_252" → "afriqiyas"; "k5484174031"
 * and "ks48a174031" → "ksabaitaoei"), where `leetKey` drops the trailing digits first.
 */
export function lookalikeKey(form: string): string {
  return form
    .replace(/[013457l8]/g, (c) => LEET[c] ?? c)
    .replace(/[0-9]/g, "")
    .replace(/(.)\1+/g, "$1");
}

/**
 * The letters of a key in alphabetical order: two letters swapped ("dabiqwseets" for
 * "dabiqsweets") leave it unchanged, where they break both halves of the handle.
 */
export function sortedKey(key: string): string {
  return [...key].sort().join("");
}

/** Digraphs and letters that transliterations of one Arabic letter disagree on. */
const CONSONANT_FOLDS: readonly (readonly [RegExp, string])[] = [
  [/sh/g, "s"],
  [/th/g, "t"],
  [/kh/g, "k"],
  [/dh/g, "d"],
  [/gh/g, "g"],
  [/ph/g, "f"],
  [/[qc]/g, "k"],
  [/g/g, "j"],
  [/[zx]/g, "s"],
  [/[aeiouwy0-9]/g, ""],
];

/** The consonant skeleton of a name (see the module comment). */
export function consonantKey(name: string): string {
  let s = nameForm(name);
  for (const [re, to] of CONSONANT_FOLDS) s = s.replace(re, to);
  return s.replace(/(.)\1+/g, "$1");
}

/** Rows reused by `editDistance` (one call at a time: JavaScript runs one thread per isolate). */
let rows = new Int32Array(3 * 64);

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), stopping
 * early once it exceeds `max` (then returns `max + 1`).
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  const w = n + 1;
  if (rows.length < 3 * w) rows = new Int32Array(3 * w * 2);
  // Three rows in one array: i-2, i-1 and i, rotating.
  let prev2 = 0;
  let prev = w;
  let cur = 2 * w;
  for (let j = 0; j <= n; j++) rows[prev + j] = j;
  for (let i = 1; i <= a.length; i++) {
    rows[cur] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    const ai1 = i > 1 ? a.charCodeAt(i - 2) : -1;
    for (let j = 1; j <= n; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let v = Math.min(rows[prev + j]! + 1, rows[cur + j - 1]! + 1, rows[prev + j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && ai1 === bj) v = Math.min(v, rows[prev2 + j - 2]! + 1);
      rows[cur + j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return rows[prev + n]!;
}

/**
 * 1 − distance / longer length: 1 for equal strings, 0 for nothing in common. With `min`, any
 * similarity below it may be returned as 0 (the distance stops early).
 */
export function nameSimilarity(a: string, b: string, min = 0): number {
  const len = Math.max(a.length, b.length);
  if (len === 0) return 0;
  const max = Math.floor((1 - min) * len);
  const d = editDistance(a, b, max);
  return d > max ? 0 : 1 - d / len;
}
