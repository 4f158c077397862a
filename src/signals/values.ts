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
    case "video_md5":
      if (!MD5.test(text.toLowerCase()))
        throw new RasdError("invalid", `not a video MD5 (32 hex digits): "${clip(text)}"`);
      return { value: text.toLowerCase() };
    case "vpdq":
      return { value: canonicalVpdq(text) };
    case "text":
      if (raw.length > MAX_TEXT)
        throw new RasdError("invalid", `text is ${raw.length} characters, over the ${MAX_TEXT} limit`);
      if (LONE_SURROGATE.test(raw)) throw new RasdError("invalid", "text has unpaired surrogates (invalid UTF-16)");
      return { value: raw.normalize("NFC") };
  }
}

const MAX_VPDQ_FRAMES = 100_000;

/**
 * A vPDQ signal's canonical value: a JSON array of "hash,quality,timestamp" strings in frame
 * order (python-threatexchange's compact form), timestamps with 3 decimals. Accepts that, or
 * the reference tool's lines "frame,quality,hash,timestamp".
 */
export function canonicalVpdq(text: string): string {
  let frames: { hash: string; quality: number; timestamp: number }[];
  if (text.startsWith("[")) {
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch {
      throw new RasdError("invalid", "vPDQ: not a JSON array");
    }
    if (!Array.isArray(items)) throw new RasdError("invalid", "vPDQ: not a JSON array");
    frames = items.map((item, i) => {
      const [hash, quality, timestamp] = String(item).split(",");
      return checkFrame(hash, quality, timestamp, i);
    });
  } else {
    frames = text
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "")
      .map((line, i) => {
        const [, quality, hash, timestamp] = line.split(",");
        return checkFrame(hash, quality, timestamp, i);
      });
  }
  if (frames.length === 0) throw new RasdError("invalid", "vPDQ: no frames");
  if (frames.length > MAX_VPDQ_FRAMES)
    throw new RasdError("invalid", `vPDQ: ${frames.length} frames, over the ${MAX_VPDQ_FRAMES} limit`);
  return JSON.stringify(frames.map((f) => `${f.hash},${f.quality},${f.timestamp.toFixed(3)}`));
}

function checkFrame(
  hash: string | undefined,
  quality: string | undefined,
  timestamp: string | undefined,
  i: number,
): { hash: string; quality: number; timestamp: number } {
  const q = Number(quality);
  const t = Number(timestamp);
  if (!hash || !isHash256Hex(hash.trim())) throw new RasdError("invalid", `vPDQ frame ${i + 1}: not a PDQ hash`);
  if (!Number.isInteger(q) || q < 0 || q > 100)
    throw new RasdError("invalid", `vPDQ frame ${i + 1}: quality must be 0..100`);
  if (!Number.isFinite(t) || t < 0) throw new RasdError("invalid", `vPDQ frame ${i + 1}: bad timestamp`);
  return { hash: hash.trim().toLowerCase(), quality: q, timestamp: t };
}

/** The frames of a canonical vPDQ value. */
export function vpdqFrames(value: string): { hash: string; quality: number; timestamp: number }[] {
  return (JSON.parse(value) as string[]).map((item) => {
    const [hash, quality, timestamp] = item.split(",");
    return { hash: hash!, quality: Number(quality), timestamp: Number(timestamp) };
  });
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
