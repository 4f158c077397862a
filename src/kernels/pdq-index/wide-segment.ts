/**
 * A static multi-index segment for large indexes: 11 chunks (three of 24 bits, eight of 23)
 * probed within 2 bits. Exact for distance ≤ 31: if two hashes differ in at most 31 bits,
 * one of the 11 chunks differs in at most 2 (11 x 3 = 33 > 31).
 *
 * Why a second layout. With 16 chunks of 16 bits (segment.ts) a query at 10M hashes
 * checks about 41,000 candidates — 272 buckets of ~150 entries — each a random read of a
 * 32-byte hash. With 23-bit chunks the buckets hold about one entry each, so the same
 * query checks about 3,000 candidates for 3,047 cheap bucket probes: several times faster
 * at 10M, at the price of bucket tables (about 140 MB) that only pay off for big segments.
 *
 * Bucket table per chunk: a 36-byte record per group of 32 buckets — the group's first
 * entry (4 bytes), then for k = 1..32 the number of the group's entries in its first k
 * buckets (one byte each) — so a probe finds its bucket's range from one record, with no
 * loop. A group holding more than 255 entries keeps its cumulative counts in `dense` (flag
 * bit 31 of the base). Entry ids are packed in 3 bytes.
 */

import { BUILD_SLICE, runSteps, type RawMatch } from "./segment.js";
import { Entries } from "./entries.js";
import { WORDS, alloc, placed, popcount32 } from "./words.js";

const GROUP_SHIFT = 5;
const GROUP = 1 << GROUP_SHIFT;

interface Chunk {
  readonly word: number;
  readonly shift: number;
  readonly bits: number;
  readonly spans: boolean;
  readonly mask: number;
}

/** 3 x 24 + 8 x 23 = 256 bits. */
const CHUNKS: readonly Chunk[] = (() => {
  const out: Chunk[] = [];
  let start = 0;
  for (let c = 0; c < 11; c++) {
    const bits = c < 3 ? 24 : 23;
    const shift = start & 31;
    out.push({ word: start >>> 5, shift, bits, spans: shift + bits > 32, mask: (1 << bits) - 1 });
    start += bits;
  }
  return out;
})();
const WIDE_RADIUS = 2;

function chunkValue(words: Uint32Array, offset: number, ch: Chunk): number {
  let v = words[offset + ch.word]! >>> ch.shift;
  if (ch.spans) v |= words[offset + ch.word + 1]! << (32 - ch.shift);
  return (v & ch.mask) >>> 0;
}

const RECORD = 4 + GROUP;
/** A record in 32-bit words: records are 4-byte aligned, so a group's base is one aligned read. */
const RECORD_WORDS = RECORD / 4;
const DENSE = 0x80000000;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A bucket table read as little-endian 32-bit words: a view of it, or (big-endian hosts) a copy. */
function wordsOf(meta: Uint8Array): Uint32Array {
  if (LITTLE_ENDIAN) return new Uint32Array(meta.buffer, meta.byteOffset, meta.byteLength / 4);
  const out = new Uint32Array(meta.byteLength / 4);
  for (let i = 0; i < out.length; i++)
    out[i] = (meta[4 * i]! | (meta[4 * i + 1]! << 8) | (meta[4 * i + 2]! << 16) | (meta[4 * i + 3]! << 24)) >>> 0;
  return out;
}

/** The arrays of a wide segment. */
export interface WideParts {
  readonly kind: "wide";
  readonly words: Uint32Array;
  readonly keys: Int32Array;
  readonly tags: Uint16Array;
  readonly dead: Uint8Array;
  readonly tables: { meta: Uint8Array; ids: Uint8Array; dense: [number, Uint32Array][] }[];
}

interface Table {
  /** Per group of 32 buckets: first entry (uint32 LE, bit 31 = dense), cumulative counts. */
  readonly meta: Uint8Array;
  /** Cumulative counts (33 values) of groups with more than 255 entries. */
  readonly dense: Map<number, Uint32Array>;
  readonly ids: Uint8Array; // 3 bytes per entry, in bucket order
}

/** End of the range found by the last `rangeOf` call (a second return value, no allocation). */
let rangeEnd = 0;

/** Start of `bucket`'s entries in the ids table; the end is left in `rangeEnd`. */
function rangeOf(table: Table, bucket: number): number {
  const g = bucket >>> GROUP_SHIFT;
  const j = bucket & (GROUP - 1);
  const meta = table.meta;
  const at = g * RECORD;
  const base = (meta[at]! | (meta[at + 1]! << 8) | (meta[at + 2]! << 16) | (meta[at + 3]! << 24)) >>> 0;
  if (base & DENSE) {
    const cum = table.dense.get(g)!;
    const first = (base & ~DENSE) >>> 0;
    rangeEnd = first + cum[j + 1]!;
    return first + cum[j]!;
  }
  rangeEnd = base + meta[at + 4 + j]!;
  return j === 0 ? base : base + meta[at + 3 + j]!;
}

export class WideSegment extends Entries {
  private readonly tables: Table[];
  private readonly metas: Uint8Array[];
  private readonly idTables: Uint8Array[];
  /** The bucket tables as 32-bit words (little-endian: each record starts with its base). */
  private readonly bases: Uint32Array[];

  private constructor(words: Uint32Array, keys: Int32Array, tags: Uint16Array, tables: Table[], dead: Uint8Array) {
    super(words, keys, tags, dead);
    this.tables = tables;
    this.metas = tables.map((t) => t.meta);
    this.idTables = tables.map((t) => t.ids);
    this.bases = tables.map((t) => wordsOf(t.meta));
  }

  /** The arrays, for a replica in another thread (shared when built with `shared`). */
  parts(): WideParts {
    return {
      kind: "wide",
      words: this.words,
      keys: this.keys,
      tags: this.tags,
      dead: this.dead,
      tables: this.tables.map((t) => ({ meta: t.meta, ids: t.ids, dense: [...t.dense] })),
    };
  }

  /** A segment over arrays from `parts()` (in another thread: same memory, no copy). */
  static fromParts(p: WideParts): WideSegment {
    const tables = p.tables.map((t) => ({ meta: t.meta, ids: t.ids, dense: new Map(t.dense) }));
    return new WideSegment(p.words, p.keys, p.tags, tables, p.dead);
  }

  /** Builds from `count` hashes; the arrays passed in are kept (not copied). */
  static build(
    words: Uint32Array,
    keys: Int32Array,
    tags: Uint16Array,
    count: number = keys.length,
    shared = false,
  ): WideSegment {
    return runSteps(WideSegment.buildSteps(words, keys, tags, count, shared));
  }

  /**
   * The same build, about `BUILD_SLICE` entries' (or buckets') work between yields, so that
   * a caller can interleave it with searches. The inputs must not change until it returns.
   */
  static *buildSteps(
    words: Uint32Array,
    keys: Int32Array,
    tags: Uint16Array,
    count: number = keys.length,
    shared = false,
  ): Generator<void, WideSegment> {
    if (count >= 1 << 24) throw new RangeError("a segment holds fewer than 2^24 hashes");
    const w = placed(words.length === count * WORDS ? words : words.slice(0, count * WORDS), shared);
    const k = placed(keys.length === count ? keys : keys.slice(0, count), shared);
    const t = placed(tags.length === count ? tags : tags.slice(0, count), shared);
    const tables: Table[] = [];
    // One counting array for every chunk (the largest chunk's size), cleared between chunks.
    const full = new Uint32Array((1 << CHUNKS[0]!.bits) + 1);
    for (const ch of CHUNKS) {
      const buckets = 1 << ch.bits;
      for (let start = 0; start <= buckets; start += BUILD_SLICE * 8) {
        full.fill(0, start, Math.min(buckets + 1, start + BUILD_SLICE * 8));
        yield;
      }
      for (let start = 0; start < count; start += BUILD_SLICE) {
        for (let e = start, end = Math.min(count, start + BUILD_SLICE); e < end; e++)
          full[chunkValue(w, e * WORDS, ch) + 1]!++;
        yield;
      }
      for (let start = 0; start < buckets; start += BUILD_SLICE * 8) {
        for (let b = start, end = Math.min(buckets, start + BUILD_SLICE * 8); b < end; b++) full[b + 1]! += full[b]!;
        yield;
      }
      const meta = alloc(Uint8Array, (buckets / GROUP) * RECORD, shared);
      const dense = new Map<number, Uint32Array>();
      const groups = buckets / GROUP;
      for (let start = 0; start < groups; start += BUILD_SLICE / 4) {
        for (let g = start, end = Math.min(groups, start + BUILD_SLICE / 4); g < end; g++) {
          const first = full[g * GROUP]!;
          const isDense = full[(g + 1) * GROUP]! - first > 255;
          const base = (first | (isDense ? DENSE : 0)) >>> 0;
          const at = g * RECORD;
          meta[at] = base & 0xff;
          meta[at + 1] = (base >>> 8) & 0xff;
          meta[at + 2] = (base >>> 16) & 0xff;
          meta[at + 3] = base >>> 24;
          if (isDense) {
            const cum = new Uint32Array(GROUP + 1);
            for (let j = 0; j <= GROUP; j++) cum[j] = full[g * GROUP + j]! - first;
            dense.set(g, cum);
          } else {
            for (let j = 1; j <= GROUP; j++) meta[at + 3 + j] = full[g * GROUP + j]! - first;
          }
        }
        yield;
      }
      const ids = alloc(Uint8Array, count * 3, shared);
      for (let start = 0; start < count; start += BUILD_SLICE) {
        for (let e = start, end = Math.min(count, start + BUILD_SLICE); e < end; e++) {
          const at = full[chunkValue(w, e * WORDS, ch)]!++ * 3;
          ids[at] = e & 0xff;
          ids[at + 1] = (e >>> 8) & 0xff;
          ids[at + 2] = e >>> 16;
        }
        yield;
      }
      tables.push({ meta, dense, ids });
    }
    return new WideSegment(w, k, t, tables, alloc(Uint8Array, count, shared));
  }

  get bytes(): number {
    let n = this.entryBytes;
    for (const t of this.tables) n += t.meta.byteLength + t.ids.byteLength + t.dense.size * 4 * (GROUP + 1);
    return n;
  }

  remove(query: Uint32Array, qOffset: number, key: number): number {
    let removed = 0;
    const table = this.tables[0]!;
    const b = chunkValue(query, qOffset, CHUNKS[0]!);
    const [start, end] = this.range(table, b);
    for (let i = start; i < end; i++) {
      const e = table.ids[i * 3]! | (table.ids[i * 3 + 1]! << 8) | (table.ids[i * 3 + 2]! << 16);
      removed += this.removeIfSame(e, query, qOffset, key);
    }
    return removed;
  }

  private range(table: Table, bucket: number): [number, number] {
    const start = rangeOf(table, bucket);
    return [start, rangeEnd];
  }

  /**
   * Every live entry within `maxDistance` of the query. Done in phases — all bucket
   * numbers, then all bucket ranges, then all candidate ids, then all distances — so that
   * each phase is a loop of independent memory reads the CPU can overlap; probing bucket
   * by bucket waits for one cache miss at a time.
   */
  search(
    query: Uint32Array,
    qOffset: number,
    maxDistance: number,
    out: RawMatch[],
    accept?: (tag: number, distance: number) => boolean,
  ): void {
    if (this.size === 0) return;
    const s = scratch;
    const qChunks = s.qChunks;
    for (let c = 0; c < CHUNKS.length; c++) qChunks[c] = chunkValue(query, qOffset, CHUNKS[c]!);

    // (Typed arrays are read into locals first: property loads in hot loops cost ~10%.)
    const probeChunk = s.probeChunk;
    const probeBucket = s.probeBucket;

    // Phase 1: every bucket to probe (the chunk value with up to 2 bits flipped), and a read
    // of each bucket's group record. That read is only a prefetch: this loop is a few
    // instructions a probe, so the CPU keeps many of those cache misses in flight at once,
    // where phase 2's longer loop body would let only a handful overlap (the out-of-order
    // window fills first). Phase 2 then finds its records in cache.
    let np = 0;
    let touched = 0;
    const bases = this.bases;
    for (let c = 0; c < CHUNKS.length; c++) {
      const bits = CHUNKS[c]!.bits;
      const v = qChunks[c]!;
      const base32 = bases[c]!;
      probeBucket[np] = v;
      probeChunk[np++] = c;
      touched += base32[(v >>> GROUP_SHIFT) * RECORD_WORDS]!;
      for (let i = 0; i < bits; i++) {
        const vi = v ^ (1 << i);
        probeBucket[np] = vi;
        probeChunk[np++] = c;
        touched += base32[(vi >>> GROUP_SHIFT) * RECORD_WORDS]!;
        for (let j = i + 1; j < bits; j++) {
          const vij = vi ^ (1 << j);
          probeBucket[np] = vij;
          probeChunk[np++] = c;
          touched += base32[(vij >>> GROUP_SHIFT) * RECORD_WORDS]!;
        }
      }
    }

    // Phase 2: bucket ranges, each from one group record; empty buckets dropped.
    let nr = 0;
    const rangeStarts = s.rangeStart;
    const rangeEnds = s.rangeEnd;
    const rangeChunks = s.rangeChunk;
    const metas = this.metas;
    for (let p = 0; p < np; p++) {
      const c = probeChunk[p]!;
      const bucket = probeBucket[p]!;
      const meta = metas[c]!;
      const j = bucket & (GROUP - 1);
      const g = bucket >>> GROUP_SHIFT;
      const at = g * RECORD;
      const base = bases[c]![g * RECORD_WORDS]! >>> 0;
      let start: number;
      let end: number;
      if (base & DENSE) {
        start = rangeOf(this.tables[c]!, bucket);
        end = rangeEnd;
      } else {
        start = j === 0 ? base : base + meta[at + 3 + j]!;
        end = base + meta[at + 4 + j]!;
      }
      // Branch-free: a data-dependent branch here mispredicts often and stalls the reads.
      rangeStarts[nr] = start;
      rangeEnds[nr] = end;
      rangeChunks[nr] = c;
      nr += (start - end) >>> 31; // +1 when the bucket is not empty
    }

    // The first id of each range, read ahead as in phase 1.
    const idTables = this.idTables;
    for (let r = 0; r < nr; r++) touched += idTables[rangeChunks[r]!]![rangeStarts[r]! * 3]!;

    // Phase 3: candidate entry ids.
    let total = 0;
    for (let r = 0; r < nr; r++) total += rangeEnds[r]! - rangeStarts[r]!;
    s.ensure(total);
    const cand = s.cand;
    const candChunk = s.candChunk;
    const surv = s.surv;
    let nc = 0;
    for (let r = 0; r < nr; r++) {
      const c = rangeChunks[r]!;
      const ids = idTables[c]!;
      for (let i = rangeStarts[r]!, end = rangeEnds[r]!; i < end; i++) {
        cand[nc] = ids[i * 3]! | (ids[i * 3 + 1]! << 8) | (ids[i * 3 + 2]! << 16);
        candChunk[nc++] = c;
      }
    }

    // Phase 4: distances, with early exit; report each entry from its first close chunk.
    const words = this.words;
    const dead = this.dead;
    const tags = this.tags;
    const keys = this.keys;
    const q0 = query[qOffset]!;
    const q1 = query[qOffset + 1]!;
    const q2 = query[qOffset + 2]!;
    const q3 = query[qOffset + 3]!;
    const q4 = query[qOffset + 4]!;
    const q5 = query[qOffset + 5]!;
    const q6 = query[qOffset + 6]!;
    const q7 = query[qOffset + 7]!;
    // Each candidate's hash, read ahead as in phase 1 (one cache line: 8 words at 32 bytes).
    for (let k = 0; k < nc; k++) touched += words[cand[k]! * WORDS]!;
    s.touched = touched; // (kept, so that the reads ahead are not optimised away)
    let nk = 0;
    for (let k = 0; k < nc; k++) {
      const w = cand[k]! * WORDS;
      const d = popcount32((words[w]! ^ q0) >>> 0) + popcount32((words[w + 1]! ^ q1) >>> 0);
      surv[nk] = k; // survivors of the cheap two-word test, kept without a branch
      nk += ((maxDistance - d) >>> 31) ^ 1;
    }
    for (let j = 0; j < nk; j++) {
      const k = surv[j]!;
      const e = cand[k]!;
      const w = e * WORDS;
      let d = popcount32((words[w]! ^ q0) >>> 0) + popcount32((words[w + 1]! ^ q1) >>> 0);
      d += popcount32((words[w + 2]! ^ q2) >>> 0) + popcount32((words[w + 3]! ^ q3) >>> 0);
      if (d > maxDistance) continue;
      d += popcount32((words[w + 4]! ^ q4) >>> 0) + popcount32((words[w + 5]! ^ q5) >>> 0);
      if (d > maxDistance) continue;
      d += popcount32((words[w + 6]! ^ q6) >>> 0) + popcount32((words[w + 7]! ^ q7) >>> 0);
      if (d > maxDistance || dead[e]) continue;
      const c = candChunk[k]!;
      let first = true;
      for (let p = 0; p < c && first; p++) {
        if (popcount32((chunkValue(words, w, CHUNKS[p]!) ^ qChunks[p]!) >>> 0) <= WIDE_RADIUS) first = false;
      }
      if (!first) continue;
      const tag = tags[e]!;
      if (accept && !accept(tag, d)) continue;
      out.push({ key: keys[e]!, tag, distance: d });
    }
  }
}

/** Scratch for searches (searches are synchronous, so one set per thread suffices). */
class SearchScratch {
  readonly qChunks = new Uint32Array(CHUNKS.length);
  readonly probeBucket: Uint32Array;
  readonly probeChunk: Uint8Array;
  readonly rangeStart: Uint32Array;
  readonly rangeEnd: Uint32Array;
  readonly rangeChunk: Uint8Array;
  /** A sum of the values read ahead (see `search`), stored so the reads are not dropped. */
  touched = 0;
  cand = new Uint32Array(1 << 14);
  candChunk = new Uint8Array(1 << 14);
  surv = new Uint32Array(1 << 14);

  constructor() {
    let probes = 0;
    for (const ch of CHUNKS) probes += 1 + ch.bits + (ch.bits * (ch.bits - 1)) / 2;
    this.probeBucket = new Uint32Array(probes);
    this.probeChunk = new Uint8Array(probes);
    this.rangeStart = new Uint32Array(probes);
    this.rangeEnd = new Uint32Array(probes);
    this.rangeChunk = new Uint8Array(probes);
  }

  /** Room for at least `n` candidates. */
  ensure(n: number): void {
    if (this.cand.length >= n) return;
    let size = this.cand.length;
    while (size < n) size *= 2;
    this.cand = new Uint32Array(size);
    this.candChunk = new Uint8Array(size);
    this.surv = new Uint32Array(size);
  }
}

const scratch = new SearchScratch();
