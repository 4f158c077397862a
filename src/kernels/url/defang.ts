/**
 * Refanging: undoing the ways analysts and propagandists "defang" links so they are not
 * clickable (`hxxps[:]//example[.]com`). Only bracketed, starred or x-ed forms are rewritten,
 * so an ordinary URL is never changed: no real link contains `[.]` or starts with `hxxp`.
 *
 * Recognised (case-insensitive):
 *   scheme   hxxp hxxps hXXp h**p hxtp htxp h__p hx*p h[tt]p h[xx]p h(xx)p http[s] hxxp[s] fxp f*p f[t]p
 *   dots     [.] (.) {.} [dot] (dot) {dot}, spaces allowed inside and just outside the brackets
 *   colons   [:] (:) {:}      separators [://] (://) {://} [/] [//]
 *   a defanged scheme is rewritten wherever it is followed by `://`, not only at the start;
 *   and, in a single URL only, `\.` anywhere and ` dot ` between host labels
 *   (see {@link refangAuthority}); in free text ` dot ` is too common a word to trust.
 */

/** Text with its defanging undone, and whether anything was undone. */
export interface Refanged {
  text: string;
  defanged: boolean;
}

const BRACKET_DOT = /\s?[[({]\s?(?:\.|dot)\s?[\])}]\s?/gi;
const BRACKET_SEP = /[[({](:\/\/|:|\/\/?)[\])}]/g;
const BACKSLASH_DOT = /\\\./g;
/** A defanged scheme anywhere (a defanged link often carries another in its query). */
const SCHEME =
  /\b(?:h(?:xx|\*\*|xt|tx|__|x\*|\*x|\[tt\]|\[xx\]|\(xx\))p(?:s|\[s\])?|http\[s\]|f(?:x|\*|\[t\])p)(?=:(?:\/\/|\\\\))/gi;

/** Cheap test: every defanged form has a bracket, a backslash, or `://` after an odd scheme. */
const MAYBE_DEFANGED = /[[({\\]|(?<!https?|ftp):(?:\/\/|\\\\)/i;

function schemeReplacement(token: string): string {
  const lower = token.toLowerCase();
  if (lower.startsWith("f")) return "ftp";
  return lower.endsWith("s") || lower.endsWith("[s]") ? "https" : "http";
}

/**
 * Undoes defanging in one URL-like string (no surrounding prose).
 * @example refangUrl("hxxps[:]//evil[.]example[.]com/a") // { text: "https://evil.example.com/a", defanged: true }
 */
export function refangUrl(input: string): Refanged {
  if (!MAYBE_DEFANGED.test(input)) return { text: input, defanged: false };
  let text = input
    .replace(BRACKET_DOT, ".")
    .replace(BRACKET_SEP, (_m, inner: string) => inner)
    .replace(BACKSLASH_DOT, ".");
  text = text.replace(SCHEME, schemeReplacement);
  return { text, defanged: text !== input };
}

const SPACED_DOT = /\s+dot\s+/gi;

/**
 * Undoes ` dot ` (any case, any white space) in the authority part of a URL, where no real
 * host can contain white space.
 * @example refangAuthority("example dot com") // "example.com"
 */
export function refangAuthority(authority: string): string {
  return authority.replace(SPACED_DOT, ".");
}

/**
 * Free text with defanging undone, plus where each character came from: `origin[i]` is the
 * offset in the original text of refanged character `i` (a replacement's characters all map
 * to its start), and `origin[text.length]` is the original length.
 */
export interface RefangedText {
  text: string;
  /** null when nothing was rewritten (the identity mapping). */
  origin: Int32Array | null;
}

const TEXT_DEFANG =
  /( ?[[({] ?(?:\.|dot) ?[\])}] ?)|([[({](?::\/\/|:|\/\/?)[\])}])|\b(h(?:xx|\*\*|xt|tx|__|x\*|\*x|\[tt\]|\[xx\]|\(xx\))p(?:s|\[s\])?|http\[s\]|f(?:x|\*|\[t\])p)(?=[[({]?:)/gi;

/**
 * Undoes the bracketed and x-ed forms of defanging in free text, keeping an offset map so
 * that URLs found in the result can be reported at their place in the original.
 * Never lengthens the text.
 */
export function refangText(input: string): RefangedText {
  TEXT_DEFANG.lastIndex = 0;
  let match = TEXT_DEFANG.exec(input);
  if (!match) return { text: input, origin: null };
  const origin = new Int32Array(input.length + 1);
  let out = "";
  let from = 0;
  const copy = (until: number): void => {
    for (let i = from; i < until; i++) origin[out.length + i - from] = i;
    out += input.slice(from, until);
  };
  while (match) {
    copy(match.index);
    const [whole, dot, sep, scheme] = match;
    const replacement = dot !== undefined ? "." : sep !== undefined ? sep.slice(1, -1) : schemeReplacement(scheme!);
    for (let k = 0; k < replacement.length; k++) origin[out.length + k] = match.index;
    out += replacement;
    from = match.index + whole.length;
    match = TEXT_DEFANG.exec(input);
  }
  copy(input.length);
  origin[out.length] = input.length;
  return { text: out, origin: origin.subarray(0, out.length + 1) };
}
