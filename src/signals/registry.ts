/**
 * The signal-type registry: one plug-in per type (`types/*.ts`), as HMA 2.0 keeps one
 * `SignalType` class per type. Everything outside `src/signals/` that depends on a type —
 * validating and canonicalising values, the matcher's indexes, lookups, how a score is
 * shown, hashing media, the HMA API — asks the registry; nothing else branches on it.
 *
 * Adding a signal type (an account id, say): write `types/<name>.ts` implementing
 * `SignalTypeDef` (an exact type can use `exact.ts`'s helpers), add its name to
 * `SIGNAL_TYPES` in `core/model.ts` (the stored vocabulary, which the compiler then
 * requires here) and one line to `SIGNAL_TYPE_DEFS` below. A type with a new kind of
 * score also adds its match shape to `types/match.ts`.
 */

import { RasdError } from "../core/errors.js";
import { account } from "./types/account.js";
import { SIGNAL_TYPES, type SignalType } from "../core/model.js";
import type { ShortenerSet } from "../kernels/url/index.js";
import { domain } from "./types/domain.js";
import type { Match, MatchScore } from "./types/match.js";
import { md5 } from "./types/md5.js";
import { pdq } from "./types/pdq.js";
import { sha256 } from "./types/sha256.js";
import type { CanonicalValue, HmaSignalTypeDef, MediaKind, SignalTypeDef } from "./types/signal-type.js";
import { text } from "./types/text.js";
import { url } from "./types/url.js";
import { urlMd5 } from "./types/url-md5.js";
import { videoMd5 } from "./types/video-md5.js";
import { vpdq } from "./types/vpdq.js";

/** Every signal type's plug-in. */
export const SIGNAL_TYPE_DEFS: Readonly<Record<SignalType, SignalTypeDef>> = {
  pdq,
  md5,
  sha256,
  url,
  url_md5: urlMd5,
  domain,
  text,
  vpdq,
  video_md5: videoMd5,
  account,
};

/** The signal types offered through the HMA API, in the order GET /c/signal_type lists them. */
export const HMA_SIGNAL_TYPES = ["pdq", "video_md5", "vpdq", "md5", "sha256", "url", "text"] as const;
export type HmaSignalType = (typeof HMA_SIGNAL_TYPES)[number];

export function isSignalType(name: string): name is SignalType {
  return Object.hasOwn(SIGNAL_TYPE_DEFS, name);
}

export function isHmaSignalType(name: string): name is HmaSignalType {
  return (HMA_SIGNAL_TYPES as readonly string[]).includes(name);
}

/** A type's plug-in. */
export function signalTypeDef(type: SignalType): SignalTypeDef {
  return SIGNAL_TYPE_DEFS[type];
}

/** An HMA type's HMA side. */
export function hmaDef(type: HmaSignalType): HmaSignalTypeDef {
  const hma = SIGNAL_TYPE_DEFS[type].hma;
  if (!hma) throw new Error(`signal type ${type} has no HMA plug-in`);
  return hma;
}

/** Validates `raw` as a `type` signal and returns its canonical form, or throws "invalid". */
export function canonicalSignalValue(type: SignalType, raw: string, shorteners?: ShortenerSet): CanonicalValue {
  const trimmed = raw.trim();
  if (trimmed === "") throw new RasdError("invalid", `empty ${type} value`);
  return SIGNAL_TYPE_DEFS[type].canonical(trimmed, raw, { shorteners });
}

/** A match's score as stored with an item and shown by the API. */
export function matchScore(m: Match): MatchScore {
  return SIGNAL_TYPE_DEFS[m.type].score(m);
}

/** HMA's lookup `distance` string for a match: pdq "0".."31", vpdq "100%[100%]", exact types "-". */
export function hmaDistance(m: Match): string {
  return SIGNAL_TYPE_DEFS[m.type].hma?.distance(m) ?? "-";
}

/** A match's score as `rasd match` prints it. */
export function matchScoreText(m: Match): string {
  return SIGNAL_TYPE_DEFS[m.type].scoreText(m);
}

/** What an image or a video sent for matching is hashed as and matched by, in this order. */
export const MEDIA_SIGNAL_TYPES: Readonly<Record<MediaKind, readonly SignalType[]>> = {
  image: ["pdq", "md5", "sha256"],
  video: ["vpdq", "video_md5", "md5"],
};

/** What `rasd bank add-media` puts in a bank for an image or a video. */
export const BANKED_MEDIA_TYPES: Readonly<Record<MediaKind, readonly SignalType[]>> = {
  image: ["pdq", "md5"],
  video: ["vpdq", "video_md5"],
};

/**
 * What a reviewer's "add to bank" puts in a bank for an item of each kind, read from the
 * item's stored hashes (keyed by type; a type with a quality stores it as `<type>_quality`)
 * or, for text and URLs, from what was submitted.
 */
export const REVIEW_BANKED_TYPES: Readonly<Record<MediaKind | "url" | "text", readonly SignalType[]>> = {
  image: ["pdq", "md5", "sha256"],
  video: ["video_md5"],
  url: ["url"],
  text: ["text"],
};

/** HMA's content types (photo, video) and the types hashing one gives, in HMA's order. */
export function hmaMediaSignalTypes(kind: MediaKind): HmaSignalType[] {
  return HMA_SIGNAL_TYPES.filter((t) => SIGNAL_TYPE_DEFS[t].hma?.hashedFrom === kind);
}

/** The first type whose near-copy search takes `q` (among `only`, if given). */
export function nearQueryType(q: string, only?: string): SignalType | undefined {
  return SIGNAL_TYPES.find((t) => (!only || only === t) && SIGNAL_TYPE_DEFS[t].nearQuery?.(q));
}

export type { Match, MatchScore } from "./types/match.js";
export type { CanonicalValue, MediaKind } from "./types/signal-type.js";
