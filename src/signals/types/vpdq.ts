/**
 * vPDQ (video) signals: the PDQ hashes of a video's frames. The canonical value is a JSON
 * array of "hash,quality,timestamp" strings in frame order (python-threatexchange's
 * compact form), timestamps with 3 decimals. The usable frames (quality ≥ 50, distinct)
 * go into PDQ's multi-index under the video's id: candidates come from it, then
 * python-threatexchange's rule decides (kernels/vpdq).
 */

import { RasdError, describeError } from "../../core/errors.js";
import { isHash256Hex } from "../../kernels/pdq/hash256.js";
import { pythonFloat3, pythonRound0 } from "../../kernels/python/format.js";
import { compareVpdq, compareVpdqWords, usableFrames, type VpdqFrameHash } from "../../kernels/vpdq/match.js";
import { MAX_INDEX_DISTANCE } from "../../kernels/pdq-index/pdq-index.js";
import { WORDS } from "../../kernels/pdq-index/words.js";
import type { VpdqFrame } from "../vpdq/hash-video.js";
import type { PdqMatch, VpdqMatch, VpdqVideoMatch } from "./match.js";
import { PDQ_INDEX, distanceText } from "./pdq.js";
import type { PdqSignalIndex } from "./pdq.js";
import type { MatchScope, SignalTypeDef } from "./signal-type.js";

const MAX_VPDQ_FRAMES = 100_000;
/** python-threatexchange's default share of the query's frames that must match. */
export const VPDQ_QUERY_MATCH_PERCENT = 80;

/**
 * A vPDQ signal's canonical value. Accepts that form, or the reference tool's lines
 * "frame,quality,hash,timestamp".
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
  return vpdqValue(frames);
}

/** The canonical value of hashed frames. */
function vpdqValue(frames: readonly { hash: string; quality: number; timestamp: number }[]): string {
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
    const [hash = "", quality, timestamp] = item.split(",");
    return { hash, quality: Number(quality), timestamp: Number(timestamp) };
  });
}

/**
 * Video matches for a query video's vPDQ frames: candidate videos come from the PDQ index
 * (any frame within the bank's distance), then python-threatexchange's rule decides — the
 * share of the query's usable frames matched by the video's (≥ 80%), and the reverse.
 * Image (pdq) signals matched by a frame are returned too, with the best distance.
 */
export function matchVpdqFrames(
  frames: readonly VpdqFrameHash[],
  scope: MatchScope,
  queryMatchPercent = VPDQ_QUERY_MATCH_PERCENT,
): (VpdqVideoMatch | PdqMatch)[] {
  const index = scope.index(PDQ_INDEX);
  const only = scope.only;
  const query = usableFrames(frames);
  const images = new Map<number, PdqMatch>();
  /** Candidate video → its bank. */
  const candidates = new Map<number, number>();
  for (let f = 0; f < query.length / WORDS; f++) {
    for (const m of index.search(query, f * WORDS, MAX_INDEX_DISTANCE, (tag, d) => {
      const bank = scope.banks.get(tag);
      return !!bank && d <= bank.pdqThreshold && (!only || only.has(tag));
    })) {
      if (index.videos.has(m.key)) candidates.set(m.key, m.tag);
      else if ((images.get(m.key)?.distance ?? Infinity) > m.distance) {
        images.set(m.key, { signalId: m.key, bankId: m.tag, type: "pdq", distance: m.distance });
      }
    }
  }
  const matches: VpdqVideoMatch[] = [];
  for (const [id, bankId] of candidates) {
    const bank = scope.banks.get(bankId);
    const video = index.videos.get(id);
    if (!bank || !video) continue;
    const c = compareVpdqWords(query, video, { distance: bank.pdqThreshold, queryMatchPercent });
    if (!c.isMatch) continue;
    matches.push({
      signalId: id,
      bankId,
      type: "vpdq",
      queryMatchPercent: Math.round(c.queryMatchPercent * 100) / 100,
      comparedMatchPercent: Math.round(c.comparedMatchPercent * 100) / 100,
    });
  }
  matches.sort((a, b) => b.queryMatchPercent - a.queryMatchPercent || a.signalId - b.signalId);
  return [...matches, ...images.values()];
}

/** vPDQ frames as HMA's vpdq extension writes them: a JSON array of "hash,quality,timestamp". */
export function hmaVpdqJson(frames: readonly VpdqFrame[]): string {
  return `[${frames.map((f) => JSON.stringify(`${f.hash},${f.quality},${pythonFloat3(f.timestamp)}`)).join(", ")}]`;
}

export const vpdq: SignalTypeDef<PdqSignalIndex, VpdqMatch> = {
  type: "vpdq",
  hasQuality: false,
  canonical: (text) => ({ value: canonicalVpdq(text) }),
  index: PDQ_INDEX,
  add(index, s) {
    index.addFrames(s, index.videos.get(s.id) ?? usableFrames(vpdqFrames(s.value)));
  },
  remove(index, s) {
    index.removeFrames(s, index.videos.get(s.id) ?? usableFrames(vpdqFrames(s.value)));
  },
  match: (value, scope) => matchVpdqFrames(vpdqFrames(value), scope),
  lookupValue: canonicalVpdq,
  score: (m) =>
    m.queryMatchPercent !== undefined
      ? { queryMatchPercent: m.queryMatchPercent, comparedMatchPercent: m.comparedMatchPercent }
      : { distance: m.distance },
  scoreText: (m) =>
    m.queryMatchPercent !== undefined
      ? `query%=${m.queryMatchPercent.toFixed(2)} compared%=${m.comparedMatchPercent.toFixed(2)}`
      : distanceText(m),
  media: { hash: async (media) => vpdqValue((await media.vpdq()).frames) },
  hma: {
    hashedFrom: "video",
    answers: ["vpdq"],
    mediaValue: (value, media) => (media.vpdq ? hmaVpdqJson(media.vpdq.frames) : value),
    invalid: (_value, error) => `invalid VpdqCompactFeature serialization: ${describeError(error)}`,
    distance: (m) =>
      m.queryMatchPercent !== undefined
        ? `${pythonRound0(m.queryMatchPercent)}%[${pythonRound0(m.comparedMatchPercent)}%]`
        : "0%[0%]",
    compare(a, b) {
      const c = compareVpdq(vpdqFrames(a), vpdqFrames(b));
      return [c.isMatch, { query_match_percent: c.queryMatchPercent, compared_match_percent: c.comparedMatchPercent }];
    },
  },
};
