/**
 * The normal form that near-duplicate text matching compares: one function that undoes the
 * cheap edits people make to slip a copied text past filters, for Arabic and for Latin script.
 * The output is a matching key (lower-case words separated by single spaces), not display text.
 *
 * Steps, in order (each rule's reasons are in the module it lives in):
 * 1. Invisible characters removed: every Unicode Default_Ignorable_Code_Point — zero-width
 *    spaces and joiners U+200B–U+200F, bidi controls U+202A–U+202E and U+2066–U+2069, the
 *    Arabic letter mark U+061C, U+FEFF, the soft hyphen U+00AD, the combining grapheme joiner
 *    U+034F, variation selectors, Hangul fillers, tag characters.
 * 2. A last word cut off by Twitter's "…" dropped (`social.ts`).
 * 3. Compatibility normalisation (NFKC, computed as NFKD, marks removed, NFC): fullwidth and
 *    mathematical letters, ligatures and Arabic presentation forms become plain letters. The
 *    marks removed are the Arabic ones (`arabic.ts`) and the combining marks every script
 *    shares (Unicode Script=Inherited: U+0300–U+036F, U+1AB0–U+1AFF, U+1DC0–U+1DFF,
 *    U+20D0–U+20FF, U+FE20–U+FE2F …, but not the Japanese voicing marks), so "ìŝíš" and
 *    stacked "Zalgo" marks fold to plain letters; accents are not meaning here.
 * 4. Arabic letter variants unified and Arabic-Indic digits made ASCII (`arabic.ts`).
 * 5. Cyrillic/Greek look-alikes folded to Latin inside Latin words only (`homoglyphs.ts`).
 * 6. Retweet prefixes, @mentions and links removed; hashtags per the policy (`social.ts`).
 *    This comes after the folds so that "httpѕ://t.cо/…" (Cyrillic ѕ and о), "RТ @x" or a
 *    link with Arabic-Indic digits is still recognised.
 * 7. Lower-cased (locale-independent), and look-alikes folded again: lower-casing turns letters
 *    the case-sensitive table leaves alone into ones it folds (Ʀ → ʀ → r, Γ → γ → y), and the
 *    key must be a fixed point (test/properties/text.test.ts).
 * 8. Everything that is not a letter, digit or remaining mark (punctuation, emoji, symbols,
 *    underscores) becomes a space.
 * 9. A letter repeated three or more times becomes one ("goooal", "مووووت"): the letter-level
 *    cousin of tatweel. Digits are left alone.
 * 10. Whitespace collapsed to single spaces and trimmed; leading "rt" words (retweet markers
 *    that only show now, as in "¡RT" or "@x RT") dropped, so that the key is a fixed point.
 */

import { ARABIC_MARKS_RE, foldArabic } from "./arabic.js";
import { foldHomoglyphs } from "./homoglyphs.js";
import { applyHashtagPolicy, dropTruncatedWord, stripLinksAndMentions, type HashtagPolicy } from "./social.js";

const INVISIBLE_RE = /\p{Default_Ignorable_Code_Point}/gu;
/** Marks of Unicode's "Inherited" script, but the Japanese voicing marks (they make other kana). */
const COMBINING_RE = /(?![\u3099\u309A])\p{Script=Inherited}/gu;
const NOT_WORD_RE = /[^\p{L}\p{N}\p{M}]+/gu;
const REPEATED_LETTER_RE = /(\p{L})\1{2,}/gu;
const LEADING_RT_WORDS_RE = /^(?:rt(?: |$))+/u;

/** Options of `normalizeTextWith`; the defaults are what `normalizeText` uses. */
export interface NormalizeOptions {
  /** What to do with hashtags; default "edges" (decision 0004 has the measurements). */
  readonly hashtags?: HashtagPolicy;
}

/**
 * `normalizeText` with a chosen hashtag policy, for measuring the alternatives.
 */
export function normalizeTextWith(text: string, options: NormalizeOptions = {}): string {
  let t = text.replace(INVISIBLE_RE, "");
  t = dropTruncatedWord(t);
  t = t.normalize("NFKD").replace(COMBINING_RE, "").replace(ARABIC_MARKS_RE, "").normalize("NFC");
  t = foldHomoglyphs(foldArabic(t));
  t = applyHashtagPolicy(stripLinksAndMentions(t), options.hashtags ?? "edges").toLowerCase();
  // Lower-casing makes new look-alikes of letters the case-sensitive fold left alone (Ʀ → ʀ,
  // Γ → γ); folding again makes the key a fixed point: normalizing it again gives it back.
  t = foldHomoglyphs(t);
  t = t.replace(NOT_WORD_RE, " ").replace(REPEATED_LETTER_RE, "$1").trim();
  // A retweet "rt" that only shows once punctuation, mentions or repeats are gone ("¡RT",
  // "@x RT", "RRRT") is dropped here too, or the key would lose it when normalised again.
  return t.replace(LEADING_RT_WORDS_RE, "");
}

/**
 * Normalises a text for near-duplicate matching: invisible characters, Arabic marks, tatweel
 * and letter variants, compatibility forms, look-alike letters, case, retweet prefixes,
 * mentions, links, hashtag blocks, punctuation and emoji are all folded away.
 * @example normalizeText("RT @someone: الدَّوْلَةُ الإسْلامِيَّة ١٤٣٦ https://t.co/x #tag") // "الدوله الاسلاميه 1436"
 * @example normalizeText("Јоіn   the ＩＳＩＳ… army!! 🔥") // "join the isis army"
 */
export function normalizeText(text: string): string {
  return normalizeTextWith(text);
}
