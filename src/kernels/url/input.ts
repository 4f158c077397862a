/**
 * The first gate for untrusted URL text: length, control characters, unpaired surrogates,
 * and the invisible formatting characters that copy-paste from right-to-left text leaves
 * around links. Everything after this point may assume well-formed, bounded input.
 */

import { RasdError } from "../../core/errors.js";

/** Longest URL accepted, in UTF-16 code units (browsers and servers commonly cap near 8 KiB). */
export const MAX_URL_LENGTH = 8192;

/**
 * Format characters removed wherever they appear: soft hyphen, Arabic letter mark, zero-width
 * space, left-to-right/right-to-left marks, bidi embeddings, overrides and isolates, word joiner
 * and byte-order mark. They are invisible, never part of a real link, and bidi controls are how
 * a link is made to read differently from what it is. ZWNJ and ZWJ stay: Persian and Arabic
 * words in paths use them.
 */
const INVISIBLE = /[\u00AD\u061C\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** Where an ill-formed string's first unpaired surrogate is (`toWellFormed` replaces each with U+FFFD in place). */
function unpairedAt(text: string): number {
  const fixed = text.toWellFormed();
  let i = 0;
  while (i < text.length && text.charCodeAt(i) === fixed.charCodeAt(i)) i++;
  return i;
}

/** A short, escaped quotation of untrusted text for one-line error messages. */
export function quote(text: string, max = 80): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/**
 * Checks and cleans one URL-like string: trims surrounding white space, drops invisible
 * format characters, and throws `RasdError` (`url.too_long`, `url.invalid`) for what no
 * URL may contain.
 * @example cleanUrlInput(" https://example.com/\u200F ") // "https://example.com/"
 */
export function cleanUrlInput(input: string, what = "URL"): string {
  if (typeof input !== "string") throw new RasdError("url.invalid", `${what} is not a string`);
  if (input.length > MAX_URL_LENGTH) {
    throw new RasdError("url.too_long", `${what} is ${input.length} characters long; the limit is ${MAX_URL_LENGTH}`);
  }
  if (!input.isWellFormed()) {
    throw new RasdError("url.invalid", `${what} has an unpaired UTF-16 surrogate at offset ${unpairedAt(input)}`);
  }
  const trimmed = input.trim();
  const control = CONTROL.exec(trimmed);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    const offset = control.index + input.length - input.trimStart().length;
    throw new RasdError("url.invalid", `${what} contains control character U+${code} at offset ${offset}`);
  }
  const text = trimmed.replace(INVISIBLE, "");
  if (text === "") throw new RasdError("url.invalid", `${what} is empty`);
  return text;
}
