/**
 * A static multi-index hashing (MIH) segment over 256-bit hashes: exact range search for
 * Hamming distance ≤ 31.
 *
 * Design note. The hash is cut into 16 chunks of 16 bits. If two hashes differ in at most
 * 31 bits, by pigeonhole one of the 16 chunks differs in at most 1 bit (16 x 2 = 32 > 31).
 * So probing, in every chunk's table, the query's chunk value and its 16 one-bit
 * neighbours finds every hash within 31 — exactly what a linear scan finds (the same
 * scheme as faiss's IndexBinaryMultiHash(nhash=16, b=16, nflip=1) that HMA uses).
 *
 * Layout, for a small memory footprint (about 76 bytes per hash up to 2^20 hashes, 84 above):
 * - `words`: the hashes, 8 x 32-bit words each (32 B), entries sorted by chunk 0, so chunk 0's
 *   buckets are contiguous ranges of entries and need no id list;
 * - for chunks 1..15, a CSR table: 65,537 bucket offsets and the entry ids of each bucket,
 *   bit-packed in as few bits as the segment needs — 16 up to 2^16 entries, 20 up to 2^20,
 *   else 24 (30, 37.5 or 45 B per hash; a segment holds at most 2^24 entries). An id is
 *   read as three bytes shifted and masked, whatever its width (see `idAt`);
 * - per entry, the caller's 32-bit key and a 16-bit tag (the bank), and a tombstone bit.
 *
 * A candidate found in chunk c is reported only if c is the first chunk in which it is
 * within one bit of the query, so each match is reported once without a visited set.
 */

import { Entries } from "./entries.js";
import { WORDS, alloc, chunkOf, popcount32 } from "./words.js";

export const MAX_SEGMENT_ENTRIES = (1 << 24) - 1;

/**
 * Entries processed between two yields of a stepped build or merge: about 0.1-0.5 ms of work,
 * so that a search never waits long behind one.
 */
export const BUILD_SLICE = 1 << 13;

/** Runs a stepped build to its end at once. */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
const CHUNKS = 16;
const BUCKETS = 1 << 16;

/** The arrays of a narrow segment. */
export interface NarrowParts {
  readonly kind: "narrow";
  readonly words: Uint32Array;
  readonly keys: Int32Array;
  readonly tags: Uint16Array;
  readonly offsets: Uint32Array[];
  readonly ids: Uint8Array[];
  /** Bits per packed entry id in `ids` (16, 20 or 24). */
  readonly idBits: number;
  readonly dead: Uint8Array;
}

/** Bits per entry id in a segment of `count` entries: 16, 20 or 24. */
export function idBitsFor(count: number): number {
  return count <= 1 << 16 ? 16 : count <= 1 << 20 ? 20 : 24;
}

/** Bytes of an id table of `count` ids of `bits` bits (3 bytes of slack: a read takes three). */
export function idTableBytes(count: number, bits: number): number {
  return Math.ceil((count * bits) / 8) + 3;
}

/** The `i`th id of `bits` bits in `table` (bits 16, 20 or 24: at most 7 + 24 bits read). */
export function idAt(table: Uint8Array, i: number, bits: number): number {
  const bit = i * bits;
  const b = bit >>> 3;
  return ((table[b]! | (table[b + 1]! << 8) | (table[b + 2]! << 16)) >>> (bit & 7)) & ((1 << bits) - 1);
}

/** Writes id `e` at `i` into a zeroed table (each slot once: neighbours may share a byte). */
export function setIdAt(table: Uint8Array, i: number, bits: number, e: number): void {
  const bit = i * bits;
  const b = bit >>> 3;
  const v = e << (bit & 7);
  table[b] = table[b]! | (v & 0xff);
  table[b + 1] = table[b + 1]! | ((v >>> 8) & 0xff);
  table[b + 2] = table[b + 2]! | ((v >>> 16) & 0xff);
}

/** One match: the caller's key and tag, and the distance. */
export interface RawMatch {
  key: number;
  tag: number;
  distance: number;
}

export class MihSegment extends Entries {
  private readonly offsets: Uint32Array[]; // per chunk, BUCKETS + 1
  private readonly ids: Uint8Array[]; // per chunk 1..15, `idBits` bits per entry
  private readonly idBits: number;

  private constructor(
    words: Uint32Array,
    keys: Int32Array,
    tags: Uint16Array,
    offsets: Uint32Array[],
    ids: Uint8Array[],
    dead: Uint8Array,
    idBits: number,
  ) {
    super(words, keys, tags, dead);
    this.offsets = offsets;
    this.ids = ids;
    this.idBits = idBits;
  }

  /** The arrays, for a replica in another thread (shared when built with `shared`). */
  parts(): NarrowParts {
    return {
      kind: "narrow",
      words: this.words,
      keys: this.keys,
      tags: this.tags,
      offsets: this.offsets,
      ids: this.ids,
      idBits: this.idBits,
      dead: this.dead,
    };
  }

  /** A segment over arrays from `parts()` (in another thread: same memory, no copy). */
  static fromParts(p: NarrowParts): MihSegment {
    return new MihSegment(p.words, p.keys, p.tags, p.offsets, p.ids, p.dead, p.idBits);
  }

  /**
   * Builds a segment from `count` hashes (`words`, 8 per hash), with a key and tag each.
   * The inputs are not kept; they may be reused by the caller.
   */
  static build(
    words: Uint32Array,
    keys: Int32Array,
    tags: Uint16Array,
    count: number = keys.length,
    shared = false,
  ): MihSegment {
    return runSteps(MihSegment.buildSteps(words, keys, tags, count, shared));
  }

  /**
   * The same build, a slice of at most `BUILD_SLICE` entries' work between yields, so that
   * a caller can interleave it with searches (merges off the query path). The inputs must
   * not change until the generator returns.
   */
  static *buildSteps(
    words: Uint32Array,
    keys: Int32Array,
    tags: Uint16Array,
    count: number = keys.length,
    shared = false,
  ): Generator<void, MihSegment> {
    if (count > MAX_SEGMENT_ENTRIES) throw new RangeError(`a segment holds at most ${MAX_SEGMENT_ENTRIES} hashes`);
    // Order entries by chunk 0 (counting sort), so chunk 0 needs no id table.
    const offsets0 = alloc(Uint32Array, BUCKETS + 1, shared);
    for (let start = 0; start < count; start += BUILD_SLICE) {
      for (let e = start, end = Math.min(count, start + BUILD_SLICE); e < end; e++)
        offsets0[(words[e * WORDS]! & 0xffff) + 1]!++;
      yield;
    }
    for (let b = 0; b < BUCKETS; b++) offsets0[b + 1]! += offsets0[b]!;
    const cursor = offsets0.slice(0, BUCKETS);
    const sortedWords = alloc(Uint32Array, count * WORDS, shared);
    const sortedKeys = alloc(Int32Array, count, shared);
    const sortedTags = alloc(Uint16Array, count, shared);
    for (let start = 0; start < count; start += BUILD_SLICE) {
      for (let e = start, end = Math.min(count, start + BUILD_SLICE); e < end; e++) {
        const to = cursor[words[e * WORDS]! & 0xffff]!++;
        for (let i = 0; i < WORDS; i++) sortedWords[to * WORDS + i] = words[e * WORDS + i]!;
        sortedKeys[to] = keys[e]!;
        sortedTags[to] = tags[e]!;
      }
      yield;
    }
    const offsets: Uint32Array[] = [offsets0];
    const ids: Uint8Array[] = [new Uint8Array(0)];
    const idBits = idBitsFor(count);
    for (let c = 1; c < CHUNKS; c++) {
      const off = alloc(Uint32Array, BUCKETS + 1, shared);
      for (let start = 0; start < count; start += BUILD_SLICE) {
        for (let e = start, end = Math.min(count, start + BUILD_SLICE); e < end; e++)
          off[chunkOf(sortedWords, e * WORDS, c) + 1]!++;
        yield;
      }
      for (let b = 0; b < BUCKETS; b++) off[b + 1]! += off[b]!;
      const fill = off.slice(0, BUCKETS);
      const table = alloc(Uint8Array, idTableBytes(count, idBits), shared);
      for (let start = 0; start < count; start += BUILD_SLICE) {
        for (let e = start, end = Math.min(count, start + BUILD_SLICE); e < end; e++)
          setIdAt(table, fill[chunkOf(sortedWords, e * WORDS, c)]!++, idBits, e);
        yield;
      }
      offsets.push(off);
      ids.push(table);
    }
    return new MihSegment(sortedWords, sortedKeys, sortedTags, offsets, ids, alloc(Uint8Array, count, shared), idBits);
  }

  /** Bytes held by this segment's arrays. */
  get bytes(): number {
    let n = this.entryBytes;
    for (const o of this.offsets) n += o.byteLength;
    for (const t of this.ids) n += t.byteLength;
    return n;
  }

  /**
   * Marks every entry with `key` and exactly this hash as removed; returns how many.
   * (Found through the index, so no key → entry map is needed.)
   */
  remove(query: Uint32Array, qOffset: number, key: number): number {
    const c0 = query[qOffset]! & 0xffff;
    let removed = 0;
    for (let e = this.offsets[0]![c0]!, end = this.offsets[0]![c0 + 1]!; e < end; e++) {
      removed += this.removeIfSame(e, query, qOffset, key);
    }
    return removed;
  }

  /**
   * Every live entry within `maxDistance` (0..31) of the query, appended to `out`.
   * `accept(tag, distance)` may reject a match (per-bank thresholds).
   */
  search(
    query: Uint32Array,
    qOffset: number,
    maxDistance: number,
    out: RawMatch[],
    accept?: (tag: number, distance: number) => boolean,
  ): void {
    if (this.size === 0) return;
    const words = this.words;
    const q0 = query[qOffset]!;
    const q1 = query[qOffset + 1]!;
    const q2 = query[qOffset + 2]!;
    const q3 = query[qOffset + 3]!;
    const q4 = query[qOffset + 4]!;
    const q5 = query[qOffset + 5]!;
    const q6 = query[qOffset + 6]!;
    const q7 = query[qOffset + 7]!;
    const sc = narrowScratch;
    const qChunks = sc.qChunks;
    for (let c = 0; c < CHUNKS; c++) qChunks[c] = chunkOf(query, qOffset, c);
    // Within 15 bits, one of the 16 chunks is equal (pigeonhole): its exact bucket suffices, a
    // seventeenth of the probes (decision 0033). Beyond, each chunk's one-bit neighbours too.
    const exact = maxDistance < CHUNKS;
    const idBits = this.idBits;
    const idMask = (1 << idBits) - 1;
    const lastFlip = exact ? -1 : 15;

    // In phases, as in wide-segment.ts: each phase a short loop of independent reads, so that
    // their cache misses overlap. Phase 1: every probed bucket's range (empty ones dropped).
    const rangeStarts = sc.rangeStart;
    const rangeEnds = sc.rangeEnd;
    const rangeChunks = sc.rangeChunk;
    let nr = 0;
    let total = 0;
    for (let c = 0; c < CHUNKS; c++) {
      const off = this.offsets[c]!;
      const qc = qChunks[c]!;
      for (let flip = -1; flip <= lastFlip; flip++) {
        const bucket = flip < 0 ? qc : qc ^ (1 << flip);
        const start = off[bucket]!;
        const end = off[bucket + 1]!;
        rangeStarts[nr] = start;
        rangeEnds[nr] = end;
        rangeChunks[nr] = c;
        total += end - start;
        nr += (start - end) >>> 31; // +1 when the bucket is not empty
      }
    }

    // Phase 2: candidate entry ids (chunk 0's are its entry numbers: entries are sorted by it).
    sc.ensure(total);
    const cand = sc.cand;
    const candChunk = sc.candChunk;
    let nc = 0;
    for (let r = 0; r < nr; r++) {
      const c = rangeChunks[r]!;
      const table = this.ids[c]!;
      for (let i = rangeStarts[r]!, end = rangeEnds[r]!; i < end; i++) {
        // (idAt, inlined: this loop is the lookup's hot path.)
        const bit = i * idBits;
        const b = bit >>> 3;
        cand[nc] = c === 0 ? i : ((table[b]! | (table[b + 1]! << 8) | (table[b + 2]! << 16)) >>> (bit & 7)) & idMask;
        candChunk[nc++] = c;
      }
    }

    // Phase 3: each candidate's hash read ahead (one cache line), in a loop of a few
    // instructions a candidate so that many misses are in flight; phase 4 finds them in cache.
    let touched = 0;
    for (let k = 0; k < nc; k++) touched += words[cand[k]! * WORDS]!;
    sc.touched = touched; // (kept, so that the reads ahead are not optimised away)

    // Phase 4: distances with early exit: most candidates are far after two or three words.
    for (let k = 0; k < nc; k++) {
      const e = cand[k]!;
      const w = e * WORDS;
      let d = popcount32((words[w]! ^ q0) >>> 0) + popcount32((words[w + 1]! ^ q1) >>> 0);
      if (d > maxDistance) continue;
      d += popcount32((words[w + 2]! ^ q2) >>> 0) + popcount32((words[w + 3]! ^ q3) >>> 0);
      if (d > maxDistance) continue;
      d += popcount32((words[w + 4]! ^ q4) >>> 0) + popcount32((words[w + 5]! ^ q5) >>> 0);
      if (d > maxDistance) continue;
      d += popcount32((words[w + 6]! ^ q6) >>> 0) + popcount32((words[w + 7]! ^ q7) >>> 0);
      if (d > maxDistance || this.dead[e]) continue;
      // Report from the first chunk in which the entry is within one bit of the query (equal
      // to it, for an exact search).
      const c = candChunk[k]!;
      let first = true;
      for (let p = 0; p < c && first; p++) {
        const diff = (chunkOf(words, w, p) ^ qChunks[p]!) >>> 0;
        if (exact ? diff === 0 : (diff & (diff - 1)) === 0) first = false;
      }
      if (!first) continue;
      const tag = this.tags[e]!;
      if (accept && !accept(tag, d)) continue;
      out.push({ key: this.keys[e]!, tag, distance: d });
    }
  }
}

/** Scratch for searches (searches are synchronous, so one set per thread suffices). */
class NarrowScratch {
  readonly qChunks = new Uint16Array(CHUNKS);
  readonly rangeStart = new Uint32Array(CHUNKS * 17);
  readonly rangeEnd = new Uint32Array(CHUNKS * 17);
  readonly rangeChunk = new Uint8Array(CHUNKS * 17);
  /** A sum of the values read ahead (see `search`), stored so the reads are not dropped. */
  touched = 0;
  cand = new Uint32Array(1 << 13);
  candChunk = new Uint8Array(1 << 13);

  /** Room for at least `n` candidates. */
  ensure(n: number): void {
    if (this.cand.length >= n) return;
    let size = this.cand.length;
    while (size < n) size *= 2;
    this.cand = new Uint32Array(size);
    this.candChunk = new Uint8Array(size);
  }
}

const narrowScratch = new NarrowScratch();
