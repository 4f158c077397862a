/**
 * PDQ (image) signals: a 256-bit perceptual hash as 64 hex digits. Matched with the exact
 * multi-index (kernels/pdq-index), each bank applying its own distance threshold and
 * quality gate. The index also holds the frames of vPDQ (video) signals under the video's
 * id, so that an image query finds a video containing it (see `vpdq.ts`).
 */

import { RasdError } from "../../core/errors.js";
import { PDQ_MATCH_THRESHOLD, PDQ_MIN_QUALITY, type IndexedSignal } from "../../core/model.js";
import type { DihedralName } from "../../kernels/pdq/dihedral.js";
import { hammingDistanceHex, isHash256Hex } from "../../kernels/pdq/hash256.js";
import {
  MAX_INDEX_DISTANCE,
  PdqIndex,
  PdqIndexReplica,
  type PdqIndexView,
  type RawMatch,
} from "../../kernels/pdq-index/pdq-index.js";
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

/** How long one turn of background index work may hold the thread (lookups wait at most this). */
export const PDQ_MAINTAIN_BUDGET_MS = 4;

/** Where a PDQ signal index's hashes live (see `PdqSignalIndex`). */
export type PdqIndexMode = "own" | "shared" | "replica";

/**
 * PDQ hashes of image signals and frames of video signals, in one multi-index. A full load
 * (between `beginLoad` and `flush`) collects the hashes and builds the index in bulk, as one
 * segment; afterwards additions go to the index's write buffer and `maintain` does its
 * builds and merges a few milliseconds at a time.
 *
 * One index for a whole process (`rasd serve` with pipeline threads): the owner is made
 * with mode "shared" — its arrays on SharedArrayBuffers, and `onView` told of each new
 * layout — and other threads hold a "replica" over the same memory, searching it without a
 * copy. A replica keeps no hashes of its own (additions and removals are the owner's work:
 * it applies the same store changes), only vPDQ videos' frames, and `caughtUp` asks the
 * owner (`setOwner`) to catch up before the thread matches.
 */
export class PdqSignalIndex implements SignalIndex {
  private owned: PdqIndex;
  private readonly replica: PdqIndexReplica | undefined;
  /** vPDQ signals: their usable frames (quality ≥ 50, distinct), which are also in `hashes`. */
  readonly videos = new Map<number, Uint32Array>();
  private readonly words = new Uint32Array(WORDS);
  private loading: HashBatch | undefined;
  private readonly viewListeners: ((view: PdqIndexView) => void)[] = [];
  private owner: ((since: number) => Promise<void>) | undefined;

  constructor(readonly mode: PdqIndexMode = "own") {
    this.owned = new PdqIndex({ shared: mode === "shared" });
    this.watch();
    this.replica = mode === "replica" ? new PdqIndexReplica() : undefined;
  }

  /** The index itself (not in a replica, which has none of its own). */
  get hashes(): PdqIndex {
    if (this.replica) throw new Error("a PDQ index replica has no index of its own");
    return this.owned;
  }

  get size(): number {
    if (this.replica) return this.replica.entries;
    return this.owned.size + (this.loading?.count ?? 0);
  }

  /** Every hash within `maxDistance` of the query (see `PdqIndex.search`). */
  search(
    query: Uint32Array,
    offset: number,
    maxDistance: number,
    accept?: (tag: number, distance: number) => boolean,
  ): RawMatch[] {
    return (this.replica ?? this.owned).search(query, offset, maxDistance, accept);
  }

  /** The owner's arrays now, for a replica (mode "shared"). */
  view(): PdqIndexView {
    return this.owned.view();
  }

  /** Calls `listener` with each new layout of a shared index (a buffer filled, a merge done). */
  onView(listener: (view: PdqIndexView) => void): void {
    if (this.mode !== "shared") throw new Error("only a shared PDQ index has views for replicas");
    this.viewListeners.push(listener);
  }

  /** A replica's new layout, from the owner's `onView`. */
  setView(view: PdqIndexView): void {
    this.replica?.setView(view);
  }

  /** How a replica asks the owner to take in every change committed before now. */
  setOwner(caughtUp: (since: number) => Promise<void>): void {
    this.owner = caughtUp;
  }

  /** A replica: resolves once the owner has every change committed before `since`, and this view. */
  async caughtUp(since: number): Promise<void> {
    await this.owner?.(since);
  }

  /** From now until `flush`, additions are collected for one bulk build. */
  beginLoad(): void {
    if (!this.replica && this.owned.size === 0 && !this.loading) this.loading = new HashBatch();
  }

  /** Ends a load: builds the index from the hashes collected (one segment). */
  flush(): void {
    const batch = this.loading;
    if (!batch) return;
    this.loading = undefined;
    const { words, keys, tags, count } = batch.take();
    this.owned = PdqIndex.bulk(words, keys, tags, count, "auto", this.mode === "shared");
    this.watch();
    this.published();
  }

  /** Runs the index's background builds and merges for about `budgetMs`; true if work remains. */
  maintain(budgetMs = PDQ_MAINTAIN_BUDGET_MS): boolean {
    if (this.replica) return false;
    const start = performance.now();
    while (this.owned.step(1)) if (performance.now() - start >= budgetMs) return true;
    return false;
  }

  addImage(s: IndexedSignal): void {
    if (this.replica) return;
    hexToWords(s.value, this.words);
    checkBank(s.bankId);
    if (this.loading) this.loading.push(this.words, 0, s.id, s.bankId);
    else this.owned.add(this.words, 0, s.id, s.bankId);
  }

  removeImage(s: IndexedSignal): void {
    if (this.replica) return;
    this.flush();
    hexToWords(s.value, this.words);
    checkBank(s.bankId);
    this.owned.remove(this.words, 0, s.id);
  }

  /** A video's frames, under the video's signal id. */
  addFrames(s: IndexedSignal, frames: Uint32Array): void {
    checkBank(s.bankId);
    this.videos.set(s.id, frames);
    if (this.replica) return;
    for (let f = 0; f < frames.length / WORDS; f++) {
      if (this.loading) this.loading.push(frames, f * WORDS, s.id, s.bankId);
      else this.owned.add(frames, f * WORDS, s.id, s.bankId);
    }
  }

  removeFrames(s: IndexedSignal, frames: Uint32Array): void {
    checkBank(s.bankId);
    this.videos.delete(s.id);
    if (this.replica) return;
    this.flush();
    for (let f = 0; f < frames.length / WORDS; f++) this.owned.remove(frames, f * WORDS, s.id);
  }

  private watch(): void {
    if (this.mode === "shared") this.owned.onLayout = () => this.published();
  }

  private published(): void {
    if (this.viewListeners.length === 0) return;
    const view = this.owned.view();
    for (const listener of this.viewListeners) listener(view);
  }
}

/** Hashes collected for a bulk build, in arrays grown by half each time. */
class HashBatch {
  words = new Uint32Array(1024 * WORDS);
  keys = new Int32Array(1024);
  tags = new Uint16Array(1024);
  count = 0;

  push(words: Uint32Array, offset: number, key: number, tag: number): void {
    if (this.count === this.keys.length) this.grow(Math.ceil(this.keys.length * 1.5));
    this.words.set(words.subarray(offset, offset + WORDS), this.count * WORDS);
    this.keys[this.count] = key;
    this.tags[this.count] = tag;
    this.count++;
  }

  /** The arrays cut to size (the batch is empty afterwards). */
  take(): { words: Uint32Array; keys: Int32Array; tags: Uint16Array; count: number } {
    if (this.count !== this.keys.length) this.grow(this.count);
    const out = { words: this.words, keys: this.keys, tags: this.tags, count: this.count };
    this.words = new Uint32Array(0);
    this.keys = new Int32Array(0);
    this.tags = new Uint16Array(0);
    this.count = 0;
    return out;
  }

  private grow(capacity: number): void {
    const words = new Uint32Array(capacity * WORDS);
    words.set(this.words.subarray(0, this.count * WORDS));
    const keys = new Int32Array(capacity);
    keys.set(this.keys.subarray(0, this.count));
    const tags = new Uint16Array(capacity);
    tags.set(this.tags.subarray(0, this.count));
    this.words = words;
    this.keys = keys;
    this.tags = tags;
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
    const found = index.search(words, 0, maxDistance, (tag, d) => {
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
