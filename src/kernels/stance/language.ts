/**
 * Language of a text for the stance classifier, by script and a few cues: `ar` when Arabic
 * letters are at least as many as Latin ones; `en` when Latin letters dominate and the text
 * has an English function word (or is Latin script and short enough to have none); `und`
 * otherwise (other languages, other scripts, no letters at all). Persian and Urdu count as
 * `ar` here: the script, not the language, decides which features carry.
 */

import type { StanceLanguage } from "./labels.js";
import { scanFolded } from "./fold.js";

const ENGLISH_WORDS = new Set(
  (
    "the of and to in is are was were be been it that this for on with as at by from not no " +
    "they them their he she his her we our you your i my me will would can should have has had " +
    "do does did what who why how all but or if so just about more than an there here when"
  ).split(" "),
);

function isArabicLetter(c: number): boolean {
  return (c >= 0x0620 && c <= 0x064a) || (c >= 0x066e && c <= 0x06d3) || (c >= 0x0750 && c <= 0x077f);
}

function isLatinLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 0xe0 && c <= 0x24f);
}

/**
 * @example detectLanguage("الدولة الإسلامية باقية") // "ar"
 * @example detectLanguage("Daesh murders civilians") // "en"
 * @example detectLanguage("🔥🔥") // "und"
 */
export function detectLanguage(text: string): StanceLanguage {
  let arabic = 0;
  let latin = 0;
  let other = 0;
  let english = 0;
  let words = 0;
  let word = "";
  scanFolded(text, (c) => {
    if (c === 32) {
      if (word !== "") {
        words++;
        if (ENGLISH_WORDS.has(word)) english++;
      }
      word = "";
      return;
    }
    if (isArabicLetter(c)) arabic++;
    else if (isLatinLetter(c)) latin++;
    else if (c > 0x7f) other++;
    if (word.length < 8) word += String.fromCharCode(c);
  });
  if (arabic > 0 && arabic >= latin && arabic >= other) return "ar";
  if (latin > 0 && latin >= other && (english > 0 || words <= 3)) return "en";
  return "und";
}
