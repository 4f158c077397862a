/**
 * Arabic orthographic folding for matching: the marks and letter variants that writers (and
 * people evading filters) vary freely without changing what a text says. The output is a
 * matching key, never text to show anyone.
 *
 * Each choice, and why:
 * - Marks removed: tashkeel and other combining marks U+064B–U+065F (fathatan … wavy hamza
 *   below), U+0670 (superscript alef), the Quranic annotation marks U+06D6–U+06ED, the
 *   honorific signs U+0610–U+061A and the extended Quranic marks U+08D3–U+08FF. Everyday
 *   writing omits them, so a copy with marks added is the same text.
 * - Tatweel (U+0640, kashida) removed: it only stretches letters.
 * - Alef variants → bare alef ا: أ إ آ (hamza above/below, madda) and ٱ (wasla), plus the rare
 *   wavy-hamza and high-hamza alefs U+0672, U+0673, U+0675. Social-media writing drops hamza on
 *   alef most of the time, so "أحمد" and "احمد" are the same word.
 * - ى (alef maqsura) → ي: the two are swapped constantly, above all in Egyptian writing.
 * - ة (taa marbuta) → ه: written without dots ("مدرسه") in much dialect writing.
 * - The Urdu/Persian/Kurdish hehs ھ (U+06BE), ہ (U+06C1), ۃ (U+06C3) and ە (U+06D5) → ه: found
 *   in real Arabic tweets typed on those keyboards ("ينتھي" for "ينتهي").
 * - ؤ → و and ئ → ي: hamza seats are often dropped; the letter without hamza is what remains.
 * - Persian yeh ی (U+06CC) → ي and keheh ک (U+06A9) → ك: Persian and Urdu keyboards type
 *   these for Arabic text, and they look the same as the Arabic letters in most positions.
 * - Arabic-Indic ٠–٩ (U+0660–U+0669) and Extended Arabic-Indic ۰–۹ (U+06F0–U+06F9) digits →
 *   ASCII 0–9, so "١٤٣٦" and "1436" match.
 * The standalone hamza ء and every other letter are left as they are.
 */

/** Combining Arabic marks and tatweel: removed. */
export const ARABIC_MARKS_RE = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u08D3-\u08FF\u0640]/g;

const LETTER_FOLDS: Readonly<Record<string, string>> = {
  "\u0623": "\u0627", // أ → ا
  "\u0625": "\u0627", // إ → ا
  "\u0622": "\u0627", // آ → ا
  "\u0671": "\u0627", // ٱ → ا
  "\u0672": "\u0627", // ٲ → ا
  "\u0673": "\u0627", // ٳ → ا
  "\u0675": "\u0627", // ٵ → ا
  "\u0649": "\u064A", // ى → ي
  "\u0629": "\u0647", // ة → ه
  "\u0624": "\u0648", // ؤ → و
  "\u0626": "\u064A", // ئ → ي
  "\u06BE": "\u0647", // ھ → ه
  "\u06C1": "\u0647", // ہ → ه
  "\u06C3": "\u0647", // ۃ → ه
  "\u06D5": "\u0647", // ە → ه
  "\u06CC": "\u064A", // ی → ي
  "\u06A9": "\u0643", // ک → ك
};

const FOLD_RE =
  /[\u0622\u0623\u0624\u0625\u0626\u0629\u0649\u0671\u0672\u0673\u0675\u06A9\u06BE\u06C1\u06C3\u06CC\u06D5\u0660-\u0669\u06F0-\u06F9]/g;

function foldChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code >= 0x0660 && code <= 0x0669) return String.fromCharCode(code - 0x0660 + 48);
  if (code >= 0x06f0 && code <= 0x06f9) return String.fromCharCode(code - 0x06f0 + 48);
  return LETTER_FOLDS[c] ?? c;
}

/**
 * Removes Arabic marks and tatweel, unifies the letter variants above and maps Arabic-Indic
 * digits to ASCII. Leaves every other character alone.
 * @example foldArabic("إِنَّ الْعِلْمَ نُورٌ ١٢") // "ان العلم نور 12"
 */
export function foldArabic(text: string): string {
  return text.replace(ARABIC_MARKS_RE, "").replace(FOLD_RE, foldChar);
}
