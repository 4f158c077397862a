/**
 * Host names as match keys: lower-case ASCII (IDN labels in punycode), no trailing dot, no
 * leading `www.`, aliases resolved. Also the list of parent domains a host matches under,
 * so that a `domain` signal for example.com catches a.b.example.com.
 *
 * Typing quirks fixed before parsing, in the host only: NFKC (full-width `ｅｘａｍｐｌｅ．ｃｏｍ`),
 * and Arabic-Indic or Persian digits in a label without Arabic letters (`١٢٣.com` → `123.com`;
 * such a label mixing directions would be refused by IDNA's bidi rule anyway).
 */

import { RasdError } from "../../core/errors.js";
import { aliasHost } from "./aliases.js";
import { refangAuthority, refangUrl } from "./defang.js";
import { cleanUrlInput, quote } from "./input.js";

const ARABIC_LETTER = /(?=\p{L})\p{Script=Arabic}/u;
const ARABIC_DIGIT = /[\u0660-\u0669\u06F0-\u06F9]/;
const ARABIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function arabicDigitToAscii(d: string): string {
  const code = d.charCodeAt(0);
  return String.fromCharCode(0x30 + (code >= 0x06f0 ? code - 0x06f0 : code - 0x0660));
}

/**
 * The authority text (host, maybe port and user info) with typing quirks fixed: NFKC and
 * Arabic-Indic digits in labels that hold no Arabic letters. Pure ASCII passes unchanged.
 */
export function normalizeAuthorityText(authority: string): string {
  let text = refangAuthority(authority);
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  text = text.normalize("NFKC");
  if (!ARABIC_DIGIT.test(text)) return text;
  return text
    .split(".")
    .map((label) => (ARABIC_LETTER.test(label) ? label : label.replace(ARABIC_DIGITS, arabicDigitToAscii)))
    .join(".");
}

/** A host as WHATWG URL left it, cleaned: trailing dot and `www.` gone, labels checked. */
export function finishHost(hostname: string, whole: string): string {
  if (hostname.startsWith("[")) return hostname;
  const host = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  if (host === "") throw new RasdError("url.invalid", `no host in ${quote(whole)}`);
  if (host.length > 253) throw new RasdError("url.invalid", `host is longer than 253 characters in ${quote(whole)}`);
  const labels = host.split(".");
  if (labels.length < 2) throw new RasdError("url.invalid", `host ${quote(host)} has no dot in ${quote(whole)}`);
  for (const label of labels) {
    if (label === "") throw new RasdError("url.invalid", `host ${quote(host)} has an empty label in ${quote(whole)}`);
    if (label.length > 63) {
      throw new RasdError("url.invalid", `host has a label longer than 63 characters in ${quote(whole)}`);
    }
  }
  let start = 0;
  while (labels.length - start > 2 && labels[start] === "www") start++;
  return start === 0 ? host : labels.slice(start).join(".");
}

/**
 * A host name normalised but not aliased: lower-case punycode, no trailing dot or `www.`.
 * Accepts defanged and Unicode forms; throws `RasdError` (`url.invalid`) for anything
 * that is not a bare host (a port, a path, white space, a single label).
 * @example normalizeHost("WWW.Пример.РФ.") // "xn--e1afmkfd.xn--p1ai"
 */
export function normalizeHost(input: string): string {
  const text = normalizeAuthorityText(refangUrl(cleanUrlInput(input, "host")).text);
  if (/[\s/?#@\\]/.test(text)) throw new RasdError("url.invalid", `not a host name: ${quote(input)}`);
  let url: URL;
  try {
    url = new URL(`http://${text}/`);
  } catch {
    throw new RasdError("url.invalid", `not a host name: ${quote(input)}`);
  }
  if (url.port !== "" || url.pathname !== "/") throw new RasdError("url.invalid", `not a host name: ${quote(input)}`);
  return finishHost(url.hostname, input);
}

/**
 * The canonical host, as in `CanonicalUrl.host`: {@link normalizeHost} then host aliases.
 * @example canonicalHost("Mobile.Twitter.com") // "x.com"
 */
export function canonicalHost(input: string): string {
  return aliasHost(normalizeHost(input));
}

/**
 * A canonical host and each parent domain, longest first, without the bare top-level
 * label; an IP address gives only itself. There is no public-suffix list here, so
 * `a.example.co.uk` also yields `co.uk`: banks must not hold public suffixes as signals.
 * @example hostSuffixes("a.b.example.com") // ["a.b.example.com", "b.example.com", "example.com"]
 */
export function hostSuffixes(host: string): string[] {
  if (host.startsWith("[") || IPV4.test(host)) return [host];
  const out = [host];
  for (let dot = host.indexOf("."); dot !== -1; dot = host.indexOf(".", dot + 1)) {
    const parent = host.slice(dot + 1);
    if (!parent.includes(".")) break;
    out.push(parent);
  }
  return out;
}
