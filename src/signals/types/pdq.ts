/**
 * PDQ (image) signals: a 256-bit perceptual hash as 64 hex digits. Matched with the exact
 * multi-index (kernels/pdq-index), each bank applying its own distance threshold and
 * quality gate. The index also holds the frames of vPDQ (video) signals under the video's
 * id, so that an image query finds a video containing it (see `vpdq.ts`).
 */

import { RasdError } from "../../core/errors.js";
import { PDQ_MATCH_THRESHOLD, PDQ_MIN_QUALITY, type Signal } from "../../core/model.js";
import type { DihedralName } from "../../kernels/pdq/dihedral.js";
import { hammingDistanceHex, isHash256Hex } from "../../kernels/pdq/hash256.js";
import { MAX_INDEX_DISTANCE, PdqIndex } from "../../kernels/pdq-index/pdq-index.js";
import { WORDS, hexToWords } from "../../kernels/pdq-index/words.js";
import type { PdqMatch, VpdqFrameMatch } from "./match.js";
import { clip, type IndexKind, type MatchScope, type SignalIndex, type SignalTypeDef } from "./signal-type.js";

/** The highest distance threshold a bank may set: the multi-index's reach. */
export const PDQ_MAX_THRESHOLD = MAX_INDEX_DISTANCE;

/** The PDQ bank ids fit in the index's 16-bit tags. */
const MAX_BANK_ID = 0xffff;
const HEX64 = /^[0-9a-fA-F]{64}$/;

/** One PDQ query: a hash, its quality, and which dihedral transform of the image it is. */
export interface PdqQuery {
  readonly hash: string;
  readonly quality: number;
  readonly transform?: DihedralName;
}

/** PDQ hashes of image signals and frames of video signals, in one multi-index. */
export class PdqSignalIndex implements SignalIndex {
  readonly hashes = new PdqIndex();
  /** vPDQ signals: their usable frames (quality ≥ 50, distinct), which are also in `hashes`. */
  readonly videos = new Map<number, Uint32Array>();
  private readonly words = new Uint32Array(WORDS);

  get size(): number {
    return this.hashes.size;
  }

  flush(): void {
    this.hashes.flush();
  }

  addImage(s: Signal): void {
    hexToWords(s.value, this.words);
    checkBank(s.bankId);
    this.hashes.add(this.words, 0, s.id, s.bankId);
  }

  removeImage(s: Signal): void {
    hexToWords(s.value, this.words);
    checkBank(s.bankId);
    this.hashes.remove(this.words, 0, s.id);
  }

  /** A video's frames, under the video's signal id. */
  addFrames(s: Signal, frames: Uint32Array): void {
    checkBank(s.bankId);
    for (let f = 0; f < frames.length / WORDS; f++) this.hashes.add(frames, f * WORDS, s.id, s.bankId);
    this.videos.set(s.id, frames);
  }

  removeFrames(s: Signal, frames: Uint32Array): void {
    checkBank(s.bankId);
    for (let f = 0; f < frames.length / WORDS; f++) this.hashes.remove(frames, f * WORDS, s.id);
    this.videos.delete(s.id);
  }
}

function checkBank(bankId: number): void {
  if (bankId > MAX_BANK_ID) throw new RangeError("bank ids above 65535 are not supported by the PDQ index");
}

export const PDQ_INDEX: IndexKind<PdqSignalIndex> = { name: "pdq", create: () => new PdqSignalIndex() };

/**
 * PDQ matches for one or more query hashes (the 8 dihedral variants, say). Each bank
 * applies its own distance threshold and quality gate; the best match per signal wins.
 * A frame of a video signal comes back as a vpdq match with its distance.
 */
export function matchPdqQueries(queries: readonly PdqQuery[], scope: MatchScope): (PdqMatch | VpdqFrameMatch)[] {
  const index = scope.index(PDQ_INDEX);
  const only = scope.only;
  let maxDistance = 0;
  for (const b of scope.banks.values())
    maxDistance = Math.max(maxDistance, Math.min(b.pdqThreshold, MAX_INDEX_DISTANCE));
  const best = new Map<number, PdqMatch | VpdqFrameMatch>();
  for (const q of queries) {
    const words = hexToWords(q.hash);
    const found = index.hashes.search(words, 0, maxDistance, (tag, d) => {
      const bank = scope.banks.get(tag);
      return !!bank && d <= bank.pdqThreshold && q.quality >= bank.pdqMinQuality && (!only || only.has(tag));
    });
    for (const m of found) {
      const prev = best.get(m.key);
      if (prev && prev.distance <= m.distance) continue;
      best.set(m.key, {
        signalId: m.key,
        bankId: m.tag,
        // A frame of a video signal (vpdq) or an image signal (pdq).
        type: index.videos.has(m.key) ? "vpdq" : "pdq",
        distance: m.distance,
        ...(q.transform ? { transform: q.transform } : {}),
      });
    }
  }
  return [...best.values()].sort((a, b) => a.distance - b.distance || a.signalId - b.signalId);
}

/** The score of a match by distance (a PDQ hash, or a video's frame), as `rasd match` prints it. */
export function distanceText(m: PdqMatch | VpdqFrameMatch): string {
  return `distance=${m.distance}${m.transform && m.transform !== "orig" ? ` transform=${m.transform}` : ""}`;
}

export const pdq: SignalTypeDef<PdqSignalIndex, PdqMatch> = {
  type: "pdq",
  hasQuality: true,
  canonical(text) {
    if (!isHash256Hex(text)) throw new RasdError("invalid", `not a PDQ hash (64 hex digits): "${clip(text)}"`);
    return { value: text.toLowerCase() };
  },
  index: PDQ_INDEX,
  add: (index, s) => index.addImage(s),
  remove: (index, s) => index.removeImage(s),
  match: (value, scope, options) => matchPdqQueries([{ hash: value, quality: options.quality ?? 100 }], scope),
  lookupValue(raw) {
    if (!HEX64.test(raw)) throw new RasdError("invalid", "value: a PDQ hash is 64 hexadecimal digits");
    return raw.toLowerCase();
  },
  score: (m) => ({ distance: m.distance }),
  scoreText: distanceText,
  nearQuery: (q) => HEX64.test(q),
  media: { hash: async (media) => (await media.pdq()).hash },
  hma: {
    hashedFrom: "image",
    answers: ["pdq"],
    // HMA's PDQSignal gives an empty hash below the minimum quality.
    mediaValue: (value, media) => ((media.pdq?.quality ?? 0) >= PDQ_MIN_QUALITY ? value : ""),
    invalid: () => "invalid PDQ hash",
    distance: (m) => String(m.distance),
    compare(a, b) {
      const distance = hammingDistanceHex(a, b);
      return [distance <= PDQ_MATCH_THRESHOLD, { distance }];
    },
  },
};
