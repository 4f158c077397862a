/**
 * Matching two videos by their vPDQ frame hashes, with python-threatexchange's rule
 * (vpdq_brute_matcher.py): drop frames with quality below 50, de-duplicate hashes, then
 *   query%    = query frames with some compared frame within `distance` / query frames
 *   compared% = compared frames with some query frame within `distance` / compared frames
 * and the videos match when query% ≥ 80 and compared% ≥ 0 (the defaults).
 */

import { WORDS, hexToWords, popcount32 } from "../pdq-index/words.js";

export interface VpdqFrameHash {
  readonly hash: string;
  readonly quality: number;
}

export interface VpdqMatchOptions {
  readonly distance?: number;
  readonly minQuality?: number;
  readonly queryMatchPercent?: number;
  readonly comparedMatchPercent?: number;
}

export interface VpdqComparison {
  readonly queryMatchPercent: number;
  readonly comparedMatchPercent: number;
  readonly isMatch: boolean;
}

const VPDQ_DISTANCE = 31;
const VPDQ_MIN_QUALITY = 50;
export const VPDQ_QUERY_MATCH_PERCENT = 80;
const VPDQ_COMPARED_MATCH_PERCENT = 0;

/** The distinct hashes of the frames with quality ≥ `minQuality`, as words. */
export function usableFrames(frames: readonly VpdqFrameHash[], minQuality = VPDQ_MIN_QUALITY): Uint32Array {
  const distinct = [...new Set(frames.filter((f) => f.quality >= minQuality).map((f) => f.hash.toLowerCase()))];
  const words = new Uint32Array(distinct.length * WORDS);
  distinct.forEach((h, i) => hexToWords(h, words, i * WORDS));
  return words;
}

function within(a: Uint32Array, i: number, b: Uint32Array, j: number, max: number): boolean {
  let d = 0;
  for (let w = 0; w < WORDS && d <= max; w++) d += popcount32((a[i * WORDS + w]! ^ b[j * WORDS + w]!) >>> 0);
  return d <= max;
}

/** Compares a query video with another, frame by frame (brute force, as the reference). */
export function compareVpdq(
  query: readonly VpdqFrameHash[],
  compared: readonly VpdqFrameHash[],
  options: VpdqMatchOptions = {},
): VpdqComparison {
  return compareVpdqWords(usableFrames(query, options.minQuality), usableFrames(compared, options.minQuality), options);
}

/** The same on frames already filtered and de-duplicated (`usableFrames`). */
export function compareVpdqWords(q: Uint32Array, c: Uint32Array, options: VpdqMatchOptions = {}): VpdqComparison {
  const max = options.distance ?? VPDQ_DISTANCE;
  const nq = q.length / WORDS;
  const nc = c.length / WORDS;
  const cHit = new Uint8Array(nc);
  let qHits = 0;
  for (let i = 0; i < nq; i++) {
    let hit = false;
    for (let j = 0; j < nc; j++) {
      if (within(q, i, c, j, max)) {
        hit = true;
        cHit[j] = 1;
      }
    }
    if (hit) qHits++;
  }
  let cHits = 0;
  for (const h of cHit) cHits += h;
  const queryMatchPercent = nq === 0 ? 0 : (qHits * 100) / nq;
  const comparedMatchPercent = nc === 0 ? 0 : (cHits * 100) / nc;
  return {
    queryMatchPercent,
    comparedMatchPercent,
    isMatch:
      queryMatchPercent >= (options.queryMatchPercent ?? VPDQ_QUERY_MATCH_PERCENT) &&
      comparedMatchPercent >= (options.comparedMatchPercent ?? VPDQ_COMPARED_MATCH_PERCENT),
  };
}

/** Parses the reference's line format `frame,quality,hash,timestamp` (blank lines skipped). */
export function parseVpdqLines(text: string): (VpdqFrameHash & { frameNumber: number; timestamp: number })[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .map((line, i) => {
      const [frame, quality, hash, timestamp] = line.split(",");
      if (!hash || !/^[0-9a-f]{64}$/i.test(hash))
        throw new RangeError(`line ${i + 1}: not frame,quality,hash,timestamp`);
      return {
        frameNumber: Number(frame),
        quality: Number(quality),
        hash: hash.toLowerCase(),
        timestamp: Number(timestamp),
      };
    });
}
