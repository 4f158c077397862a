/**
 * What a valid signal value is, per type, and its canonical form — the form stored and
 * matched on. One function per type; errors name the type and say what was wrong.
 */

import { RasdError } from "../core/errors.js";
import type { SignalType } from "../core/model.js";
import { isHash256Hex } from "../kernels/pdq/hash256.js";
import { canonicalHost, canonicalizeUrl, type ShortenerSet } from "../kernels/url/index.js";

const MD5 = /^[0-9a-f]{32}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const MAX_TEXT = 20_000;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface CanonicalValue {
  readonly value: string;
  /** For URLs: the canonical host is a known shortener (match the expanded link too). */
  readonly isShortener?: boolean;
}

/** Validates `raw` as a `type` signal and returns its canonical form, or throws "invalid". */
export function canonicalSignalValue(type: SignalType, raw: string, shorteners?: ShortenerSet): CanonicalValue {
  const text = raw.trim();
  if (text === "") throw new RasdError("invalid", `empty ${type} value`);
  switch (type) {
    case "pdq":
      if (!isHash256Hex(text)) throw new RasdError("invalid", `not a PDQ hash (64 hex digits): "${clip(text)}"`);
      return { value: text.toLowerCase() };
    case "md5":
      if (!MD5.test(text.toLowerCase())) throw new RasdError("invalid", `not an MD5 (32 hex digits): "${clip(text)}"`);
      return { value: text.toLowerCase() };
    case "sha256":
      if (!SHA256.test(text.toLowerCase()))
        throw new RasdError("invalid", `not a SHA-256 (64 hex digits): "${clip(text)}"`);
      return { value: text.toLowerCase() };
    case "url": {
      const url = canonicalizeUrl(text, shorteners ? { shorteners } : {});
      return { value: url.canonical, isShortener: url.isShortener };
    }
    case "domain": {
      const host = canonicalHost(text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/[/?#].*$/, ""));
      if (!host.includes(".")) throw new RasdError("invalid", `not a domain name: "${clip(text)}"`);
      return { value: host };
    }
    case "text":
      if (raw.length > MAX_TEXT)
        throw new RasdError("invalid", `text is ${raw.length} characters, over the ${MAX_TEXT} limit`);
      if (LONE_SURROGATE.test(raw)) throw new RasdError("invalid", "text has unpaired surrogates (invalid UTF-16)");
      return { value: raw.normalize("NFC") };
  }
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
