/**
 * Finding links in free text (posts, captions, chat messages), in any language. A link is:
 *   - `http://`, `https://` or `ftp://` and what follows, or the defanged forms of these;
 *   - a bare domain with a known TLD (tlds.ts), with or without a path: `justpaste.it/abc`;
 *     `www.` makes any TLD acceptable.
 * Where a link ends, the hard part in Arabic text:
 *   - at white space, quotes and angle quotes (" “ ” « » ‹ ›), `<` `>`, Arabic comma,
 *     semicolon and question mark (، ؛ ؟), CJK punctuation, and bidi or zero-width marks;
 *   - where an ASCII letter or digit is directly followed by an Arabic, Hebrew or CJK
 *     letter (`justpaste.it/abcهنا`): real paths put a `/`, `-` or `=` before such text;
 *   - where an ASCII letter or digit is directly followed by another `https://` (glued
 *     links, "t.co/abchttps://t.co/def"); after `/` or `=` it is a link inside the link;
 *   - trailing . , ; : ! ? ' * … ۔ are not part of it, nor a `)` `]` `}` without its
 *     opening partner inside the link (Wikipedia's `Foo_(bar)` keeps its parenthesis).
 * Not links: "e.g.", "i.e.", "3.5", "10.30", e-mail addresses, `setup.py`, `163.com`
 * without a path (all-numeric names), `Hello.How` (mixed-case TLD), and a spelled-out
 * ` dot `, which is an ordinary word in prose.
 */

import { canonicalizeUrl, type CanonicalUrl } from "./canonicalize.js";
import { refangText } from "./defang.js";
import { MAX_URL_LENGTH } from "./input.js";
import type { ShortenerSet } from "./shorteners.js";
import { FILE_LIKE_TLDS, KNOWN_TLDS } from "./tlds.js";

/** A link found in text. Offsets are UTF-16 indices into the original text. */
export interface ExtractedUrl {
  /** The link as written (maybe defanged): `text.slice(start, end)`. */
  raw: string;
  start: number;
  end: number;
  /** Its canonical form, the match key. */
  canonical: string;
  /** Everything canonicalisation reported. */
  url: CanonicalUrl;
}

export interface ExtractOptions {
  /** Shortener hosts to flag; defaults to the built-in set. */
  shorteners?: ShortenerSet;
  /** Also extract bare domains without a scheme (default true). */
  bareDomains?: boolean;
}

/**
 * A scheme anywhere (links glued to a word, "RThttps://…", are common in posts), or a run of
 * host labels ending in an alphabetic TLD, not glued to a preceding ASCII word, dot, slash
 * or `@` (which would make it part of a path or an e-mail address).
 */
const CANDIDATE =
  /((?:https?|ftp):\/\/)|(?<![A-Za-z0-9_@.\-/\\])((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24}))(?!\.?[A-Za-z0-9_-])/gi;

/** A scheme glued to the end of the previous link ("…/abchttps://…") starts a new one. */
const GLUED_SCHEME = /^(?:https?|ftp):\/\//i;

const TERMINATOR =
  /[\s<>"`«»‹›“”„،؛؟、。，；：！？（）「」『』【】〔〕\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/;
const PROSE_LETTER =
  /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
const TRAILING = new Set([".", ",", ";", ":", "!", "?", "'", "*", "…", "۔"]);
const CLOSING: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
const PORT = /^:\d{1,5}(?![\d])/;

function isAsciiAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);
}

/** End of the link text that starts at `from`: up to a terminator, a script change or a glued scheme. */
function scanRun(text: string, from: number): number {
  let i = from;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (TERMINATOR.test(ch)) break;
    if (i === from || !isAsciiAlnum(text.charCodeAt(i - 1))) continue;
    if (ch.charCodeAt(0) >= 0x80 && PROSE_LETTER.test(ch)) break;
    if ((ch === "h" || ch === "H" || ch === "f" || ch === "F") && GLUED_SCHEME.test(text.slice(i, i + 8))) break;
  }
  return i;
}

/** Drops trailing punctuation and closing brackets whose opening partner is not inside. */
function trimTrailing(text: string, start: number, end: number): number {
  let balance: Record<string, number> | undefined;
  while (end > start) {
    const last = text[end - 1]!;
    const opening = CLOSING[last];
    if (TRAILING.has(last)) {
      end--;
      continue;
    }
    if (opening === undefined) break;
    if (balance === undefined) {
      balance = { "(": 0, "[": 0, "{": 0 };
      for (let i = start; i < end; i++) {
        const ch = text[i]!;
        if (ch in balance) balance[ch]!++;
        else if (ch in CLOSING) balance[CLOSING[ch]!]!--;
      }
    }
    if (balance[opening]! >= 0) break;
    balance[opening]!++;
    end--;
  }
  return end;
}

function acceptBareHost(host: string, tld: string, hasPath: boolean): boolean {
  const lower = tld.toLowerCase();
  if (tld !== lower && tld !== tld.toUpperCase()) return false;
  if (/^www\./i.test(host)) return true;
  if (!KNOWN_TLDS.has(lower)) return false;
  if (hasPath) return true;
  if (FILE_LIKE_TLDS.has(lower)) return false;
  return !/^[\d.]+$/.test(host.slice(0, host.length - tld.length));
}

/**
 * Finds the links in `text`, in order, each with its place and canonical form. Candidates
 * that fail canonicalisation (a label over 63 characters, a bad port) are skipped.
 * @example
 *   extractUrls("شاهد:justpaste.it/abc، ثم hxxps://t[.]me/Channel؟")
 *     .map((u) => u.canonical) // ["justpaste.it/abc", "t.me/channel"]
 */
export function extractUrls(text: string, options: ExtractOptions = {}): ExtractedUrl[] {
  const bare = options.bareDomains ?? true;
  const { text: r, origin } = refangText(text);
  const at = (i: number): number => (origin ? origin[i]! : i);
  const found: ExtractedUrl[] = [];
  const re = new RegExp(CANDIDATE.source, CANDIDATE.flags);
  for (let m = re.exec(r); m; m = re.exec(r)) {
    const start = m.index;
    let end: number;
    if (m[1] !== undefined) {
      end = scanRun(r, start + m[1].length);
    } else {
      if (!bare) continue;
      const host = m[2]!;
      end = start + host.length;
      const port = PORT.exec(r.slice(end, end + 7));
      if (port) end += port[0].length;
      const next = r[end];
      const hasPath = port !== null || next === "/" || next === "?" || next === "#";
      if (next === "/" || next === "?" || next === "#") end = scanRun(r, end);
      if (!acceptBareHost(host, m[3]!, hasPath)) continue;
    }
    end = trimTrailing(r, start, end);
    re.lastIndex = Math.max(end, start + 1);
    const rawStart = at(start);
    const rawEnd = at(end);
    const raw = text.slice(rawStart, rawEnd);
    if (raw.length > MAX_URL_LENGTH) continue;
    let url: CanonicalUrl;
    try {
      url = canonicalizeUrl(raw, { shorteners: options.shorteners });
    } catch {
      continue;
    }
    found.push({ raw, start: rawStart, end: rawEnd, canonical: url.canonical, url });
  }
  return found;
}
