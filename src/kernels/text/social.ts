/**
 * Social-media markup that carries no content of its own and that copiers change freely:
 * retweet prefixes, @mentions, links, hashtag markers, and the word Twitter cut off with "…".
 *
 * Hashtags are the interesting case. Propagandists append trending or campaign hashtags to a
 * copied text to reach new audiences and to change its fingerprint, but a hashtag inside a
 * sentence ("#ISIS cuts off #Iraq army supply lines") is a word of that sentence. The default
 * policy, "edges", drops the hashtags of the leading and trailing runs (the tag blocks) and
 * keeps inline hashtags as words without '#'; a text made of nothing but hashtags keeps them
 * all. The policies "keep" and "drop" exist so the choice can be measured (decision 0004).
 */

/** What to do with hashtags: see the module comment. */
export type HashtagPolicy = "edges" | "keep" | "drop";

/**
 * Links with a scheme or "www." (the link runs to the next space or non-ASCII character), also
 * when cut short ("https:/…"), and a bare "htt…" cut off mid-scheme.
 */
const URL_RE = /\b(?:(?:https?|ftp):|www\.)[!-~]*|\bhttps?(?=\.\.\.)/giu;
/** A whole space-delimited token that is a bare domain with a path (t.co/…, pic.twitter.com/…). */
const BARE_URL_RE = /^[("'“]*(?:[a-z0-9-]+\.)+[a-z]{2,}\/[!-~]*$/iu;
/**
 * "RT @user:", "MT @user:" (also mid-text, where retweets are quoted) and "via @user", with up
 * to ten characters of punctuation, emoji or space between the word and the handle.
 */
const RETWEET_RE = /(?<![\p{L}\p{N}_])(?:rt|mt|via)[^\p{L}\p{N}@]{0,10}(?=@[\p{L}\p{N}_])/giu;
/** A leading "RT" or "RT:" without a handle (a whole word: not the "rt" of "rté"). */
const LEADING_RT_RE = /^ ?rt(?![\p{L}\p{N}_]) ?:?/iu;
const MENTION_RE = /@[\p{L}\p{N}_]+/gu;
const HASHTAG_RE = /#([\p{L}\p{M}\p{N}_]+)/gu;
const CONTENT_RE = /[\p{L}\p{N}]/u;
const SPACE_RE = /\s/u;
const CUT_WORD_END_RE = /[\p{L}\p{N}/]/u;

/**
 * Removes the final word when the text ends in a word cut off by "…" (U+2026, Twitter's
 * truncation of long retweets): the partial word matches nothing in the full text.
 * @example dropTruncatedWord("we will not stop fighti…") // "we will not stop "
 */
export function dropTruncatedWord(text: string): string {
  const t = text.trimEnd();
  if (!t.endsWith("\u2026") || !CUT_WORD_END_RE.test(t.charAt(t.length - 2))) return text;
  let start = t.length - 1;
  while (start > 0 && !SPACE_RE.test(t.charAt(start - 1))) start--;
  return t.slice(0, start);
}

/**
 * Replaces links, retweet prefixes and @mentions by spaces (and runs of whitespace by one
 * space). Every pattern here runs in linear time on hostile input.
 */
export function stripLinksAndMentions(text: string): string {
  const words = text.replace(URL_RE, " ").split(/\s+/);
  return words
    .map((w) => (w.includes("/") && BARE_URL_RE.test(w) ? "" : w))
    .join(" ")
    .replace(RETWEET_RE, " ")
    .replace(LEADING_RT_RE, " ")
    .replace(MENTION_RE, " ");
}

/**
 * Applies a hashtag policy: "keep" turns "#tag" into "tag", "drop" removes every hashtag,
 * "edges" (the default) removes the leading and trailing hashtag runs and keeps inline ones.
 * @example applyHashtagPolicy("#news the army withdrew from #Raqqa today #ISIS #Syria")
 *   // "  the army withdrew from  Raqqa today    " (normalizeText collapses the spaces)
 */
export function applyHashtagPolicy(text: string, policy: HashtagPolicy = "edges"): string {
  if (policy === "keep") return text.replace(HASHTAG_RE, " $1");
  const withoutTags = text.replace(HASHTAG_RE, " ");
  if (policy === "drop" || !text.includes("#")) return withoutTags;
  if (!CONTENT_RE.test(withoutTags)) return text.replace(HASHTAG_RE, " $1"); // nothing but hashtags
  // Positions of the first and last content character outside hashtags.
  const mask = text.replace(HASHTAG_RE, (m) => " ".repeat(m.length));
  let first = -1;
  let last = -1;
  for (let i = 0; i < mask.length; i++) {
    if (CONTENT_RE.test(mask[i]!)) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return text.replace(HASHTAG_RE, (m: string, word: string, at: number) =>
    at + m.length <= first || at > last ? " " : ` ${word}`,
  );
}
