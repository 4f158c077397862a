/**
 * Direction and language of user text: Arabic (and other right-to-left scripts) is shown
 * right-to-left with lang="ar", isolated from the text around it.
 */

const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;
const ARABIC = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/;
const STRONG_LTR = /[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF]/;

/** True when the text has any Arabic letter. */
export function hasArabic(text: string): boolean {
  return ARABIC.test(text);
}

/** The direction of the first strong character (as dir="auto" decides), or "ltr". */
function firstStrongDir(text: string): "rtl" | "ltr" {
  for (const ch of text) {
    if (RTL.test(ch)) return "rtl";
    if (STRONG_LTR.test(ch)) return "ltr";
  }
  return "ltr";
}

/**
 * The direction most of the letters have: "RT @x: <Arabic>" is an Arabic post with a Latin
 * prefix, which dir="auto" (first strong character) would lay out left-to-right.
 */
export function dominantDir(text: string): "rtl" | "ltr" {
  let rtl = 0;
  let ltr = 0;
  for (const ch of text) {
    if (RTL.test(ch)) rtl++;
    else if (STRONG_LTR.test(ch)) ltr++;
  }
  return rtl > ltr ? "rtl" : rtl === ltr && rtl > 0 ? firstStrongDir(text) : "ltr";
}

/** Attributes for an element that shows `text`: its direction, and lang="ar" for mostly Arabic text. */
export function textAttrs(text: string): { dir: "rtl" | "ltr" | "auto"; lang?: string } {
  if (!RTL.test(text)) return { dir: "auto" };
  const dir = dominantDir(text);
  return { dir, ...(dir === "rtl" && hasArabic(text) ? { lang: "ar" } : {}) };
}
