/**
 * The canonical form of a URL: the key under which URL signals are stored and matched.
 * Two links that any browser would take to the same content should get the same key; two
 * that could reach different content must not. The rules, in order (docs/decisions/0003):
 *
 *   1. clean the input (input.ts) and undo defanging (defang.ts);
 *   2. scheme: http and https are one (the canonical string has no scheme); ftp keeps
 *      `ftp://`; other schemes are refused; no scheme means http, but then the host must
 *      contain a dot (`example.com/x` is a URL, `hello` is not);
 *   3. host (host.ts): NFKC and Arabic-Indic digits, WHATWG URL parsing (lower case, IDNA
 *      to punycode, IPv4 forms), trailing dot and leading `www.` removed, aliases
 *      resolved (aliases.ts); user name and password dropped;
 *   4. port: 80 and 443 dropped (both, since the scheme is not kept); others kept;
 *   5. path (path.ts): percent-encoding normalised (percent.ts), dot segments resolved,
 *      trailing slashes removed except for the root, which is `/`;
 *   6. query: tracking parameters dropped (tracking.ts), site rules (sites.ts), the rest
 *      sorted by name;
 *   7. fragment dropped (anchors and share trackers such as `#.Vo4cw42htZw.twitter`), except
 *      a route of a single-page site, `#!…` or `#/…`.
 *
 * The result is ASCII, and canonicalising it again gives it back unchanged.
 */

import { domainToUnicode } from "node:url";
import { RasdError } from "../../core/errors.js";
import { aliasHost } from "./aliases.js";
import { refangUrl } from "./defang.js";
import { finishHost, normalizeAuthorityText } from "./host.js";
import { cleanUrlInput, quote } from "./input.js";
import { normalizePath } from "./path.js";
import { normalizePercent } from "./percent.js";
import { formatQuery, parseQuery } from "./query.js";
import { hasMixedScriptLabel } from "./scripts.js";
import { isShortenerHost, type ShortenerSet } from "./shorteners.js";
import { applySiteRules, type SiteParts } from "./sites.js";
import { isTrackingParam } from "./tracking.js";

/** The schemes accepted; http and https are not told apart in the canonical form. */
export type UrlScheme = "http" | "https" | "ftp";

/** A canonicalised URL and what was learnt on the way. */
export interface CanonicalUrl {
  /** The match key: `host[:port]/path[?query][#!route]`, with `ftp://` in front for ftp. */
  canonical: string;
  /** The scheme as written (after refanging), or "http" when there was none. */
  scheme: UrlScheme;
  /** The canonical host: lower-case punycode, no `www.`, aliases resolved. */
  host: string;
  /** The same host with IDN labels decoded, for display. */
  unicodeHost: string;
  /** The port, or "" for the scheme's default (and for 80 and 443 with http and https alike). */
  port: string;
  /** The host or a parent domain is in the shortener set: follow the link to match it. */
  isShortener: boolean;
  /** A label of the host mixes scripts, like a homograph ("аpple.com"). */
  mixedScriptHost: boolean;
  /** The input was defanged (`hxxp`, `[.]`, …). */
  defanged: boolean;
}

export interface CanonicalizeOptions {
  /** Shortener hosts to flag; defaults to the built-in set. */
  shorteners?: ShortenerSet;
}

const SCHEME_NAME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** What follows `name:` when the name is a host and this is its port: "example.com:8080/x". */
const PORT_AFTER = /^(?![/\\]{2})\d*(?:[/?#\\]|$)/;
/** The slashes after `scheme:`, two as written or one or none as typed (browsers accept all). */
const SCHEME_SLASHES = /^(?:\/\/|\\\\|\/|\\)?/;
const AUTHORITY_END = /[/?#\\]/;
const SUPPORTED: ReadonlySet<string> = new Set(["http", "https", "ftp"]);

interface Split {
  scheme: UrlScheme;
  schemeWritten: boolean;
  authority: string;
  rest: string;
}

function unsupported(scheme: string, whole: string): RasdError {
  return new RasdError(
    "url.unsupported_scheme",
    `scheme ${quote(scheme.toLowerCase())} is not supported (http, https, ftp) in ${quote(whole)}`,
  );
}

function splitUrl(text: string, whole: string): Split {
  let scheme: UrlScheme = "http";
  let schemeWritten = false;
  let rest = text;
  const named = SCHEME_NAME.exec(text);
  const afterColon = named ? text.slice(named[0].length) : "";
  if (named && SUPPORTED.has(named[1]!.toLowerCase())) {
    scheme = named[1]!.toLowerCase() as UrlScheme;
    schemeWritten = true;
    rest = afterColon.replace(SCHEME_SLASHES, "");
  } else if (named && !PORT_AFTER.test(afterColon)) {
    throw unsupported(named[1]!, whole);
  } else if (text.startsWith("//")) {
    rest = text.slice(2);
  }
  const end = rest.search(AUTHORITY_END);
  let authority = end < 0 ? rest : rest.slice(0, end);
  let after = end < 0 ? "" : rest.slice(end);
  authority = normalizeAuthorityText(authority);
  // NFKC can turn full-width ／ ？ ＃ into delimiters: the host ends there.
  const late = authority.search(AUTHORITY_END);
  if (late >= 0) {
    after = authority.slice(late) + after;
    authority = authority.slice(0, late);
  }
  return { scheme, schemeWritten, authority, rest: after };
}

function parse(split: Split, whole: string): URL {
  if (split.authority.slice(split.authority.lastIndexOf("@") + 1) === "") {
    throw new RasdError("url.invalid", `no host in ${quote(whole)}`);
  }
  if (!split.schemeWritten && !/[.[]/.test(split.authority.slice(split.authority.lastIndexOf("@") + 1))) {
    throw new RasdError("url.invalid", `no scheme and no dot in the host of ${quote(whole)}`);
  }
  try {
    return new URL(`${split.scheme}://${split.authority}${split.rest}`);
  } catch {
    throw new RasdError("url.invalid", `not a valid URL: ${quote(whole)}`);
  }
}

interface Key {
  canonical: string;
  scheme: UrlScheme;
  host: string;
  port: string;
}

/** Steps 2–7 on cleaned, refanged text; `whole` is the input, for messages. */
function canonicalKey(text: string, whole: string): Key {
  const split = splitUrl(text, whole);
  let url = parse(split, whole);

  const fromHost = finishHost(url.hostname, whole);
  const host = aliasHost(fromHost);
  if (host === "x.com" && url.hash.startsWith("#!/")) {
    url = parse({ ...split, authority: url.host, rest: url.hash.slice(2) }, whole);
  }

  const port = split.scheme !== "ftp" && (url.port === "80" || url.port === "443") ? "" : url.port;
  const parts: SiteParts = {
    path: normalizePath(url.pathname),
    params: parseQuery(url.search).filter((p) => !isTrackingParam(p.key)),
  };
  applySiteRules(host, fromHost, parts);
  const route = (url.hash.startsWith("#!") || url.hash.startsWith("#/")) && host !== "x.com";
  const fragment = route ? `#${normalizePercent(url.hash.slice(1), "query")}` : "";

  const canonical =
    (split.scheme === "ftp" ? "ftp://" : "") +
    host +
    (port === "" ? "" : `:${port}`) +
    parts.path +
    formatQuery(parts.params) +
    fragment;
  return { canonical, scheme: split.scheme, host, port };
}

/** Rounds of re-canonicalisation allowed when decoding spelled a defanged form. */
const MAX_REFANG_ROUNDS = 8;

/**
 * Canonicalises one URL (no surrounding text; see `extractUrls` for text). Accepts
 * defanged forms, missing schemes, Unicode hosts. Throws `RasdError`: `url.too_long`,
 * `url.unsupported_scheme`, or `url.invalid` with a one-line reason.
 * @example
 *   canonicalizeUrl("hxxps://WWW.Example[.]com:443/a/b/?utm_source=x&b=2&a=1#top").canonical
 *   // "example.com/a/b?a=1&b=2"
 *   canonicalizeUrl("https://youtu.be/dQw4w9WgXcQ?si=abc").canonical // "youtube.com/watch?v=dQw4w9WgXcQ"
 */
export function canonicalizeUrl(input: string, options: CanonicalizeOptions = {}): CanonicalUrl {
  const cleaned = cleanUrlInput(input);
  const unwrapped = cleaned.startsWith("<") && cleaned.endsWith(">") ? cleaned.slice(1, -1).trim() : cleaned;
  const { text, defanged } = refangUrl(unwrapped);
  const first = canonicalKey(text, input);
  let key = first;
  // Decoding escapes and resolving `\` can spell a defanged form (`(%2E)` → `(.)`,
  // `h%78%78p://`, `(\)` → `(/)`); refang and go again so the key is its own canonical form.
  for (let round = 0; round < MAX_REFANG_ROUNDS; round++) {
    const again = refangUrl(key.canonical);
    if (!again.defanged) break;
    key = canonicalKey(again.text, input);
  }
  const { canonical, host, port } = key;
  return {
    canonical,
    scheme: first.scheme,
    host,
    unicodeHost: host.includes("xn--") ? domainToUnicode(host) : host,
    port,
    isShortener: isShortenerHost(host, options.shorteners),
    mixedScriptHost: hasMixedScriptLabel(host),
    defanged,
  };
}
