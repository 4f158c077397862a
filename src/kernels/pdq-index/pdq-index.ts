/**
 * A mutable, exact PDQ index: static multi-index segments plus a small append buffer,
 * merged like a log-structured tree. Adding or removing a hash is visible to the next
 * search at once — no rebuild — and searches return exactly what a linear scan returns.
 *
 * - add: appended to the buffer (searched linearly); when the buffer fills, it becomes a
 *   segment, and segments of similar size are merged, so there are O(log n) of them.
 * - remove: a tombstone, found through the index itself; merges drop tombstoned entries.
 * - search: the buffer plus every segment, each with MIH (see segment.ts).
 */

import { MihSegment, type NarrowParts, type RawMatch } from "./segment.js";
import { WideSegment, type WideParts } from "./wide-segment.js";
import { WORDS, popcount32 } from "./words.js";

export type { RawMatch } from "./segment.js";

/** The largest distance the index answers exactly (16 chunks, one flipped bit each). */
export const MAX_INDEX_DISTANCE = 31;

const BUFFER_MAX = 4096;

/** Segments at least this large use the wide layout (its bucket tables cost ~140 MB). */
export const WIDE_SEGMENT_MIN = 4_000_000;

/** What every segment layout offers. */
interface Segment {
  readonly size: number;
  readonly live: number;
  readonly bytes: number;
  search(q: Uint32Array, off: number, max: number, out: RawMatch[], accept?: (tag: number, d: number) => boolean): void;
  remove(q: Uint32Array, off: number, key: number): number;
  forEachLive(visit: (words: Uint32Array, offset: number, key: number, tag: number) => void): void;
  parts(): SegmentParts;
}

/** A segment's arrays, to rebuild a read-only replica in another thread. */
export type SegmentParts = NarrowParts | WideParts;

/** Builds a segment in the layout that suits its size (or the one forced, for tests). */
export function buildSegment(
  words: Uint32Array,
  keys: Int32Array,
  tags: Uint16Array,
  count: number,
  layout: "auto" | "narrow" | "wide" = "auto",
  shared = false,
): Segment {
  const wide = layout === "wide" || (layout === "auto" && count >= WIDE_SEGMENT_MIN);
  return wide
    ? WideSegment.build(words, keys, tags, count, shared)
    : MihSegment.build(words, keys, tags, count, shared);
}

export interface PdqIndexStats {
  readonly hashes: number;
  readonly segments: number;
  readonly bytes: number;
}

export class PdqIndex {
  private segments: Segment[] = [];
  private bufWords = new Uint32Array(BUFFER_MAX * WORDS);
  private bufKeys = new Int32Array(BUFFER_MAX);
  private bufTags = new Uint16Array(BUFFER_MAX);
  private bufDead = new Uint8Array(BUFFER_MAX);
  private bufCount = 0;
  private bufDeadCount = 0;

  /** Builds an index from `count` hashes at once (the fast path for loading a bank store). */
  static bulk(
    words: Uint32Array,
    keys: Int32Array,
    tags: Uint16Array,
    count: number = keys.length,
    layout: "auto" | "narrow" | "wide" = "auto",
    shared = false,
  ): PdqIndex {
    const index = new PdqIndex();
    const max = (1 << 24) - 1;
    for (let start = 0; start < count; start += max) {
      const n = Math.min(max, count - start);
      index.segments.push(
        buildSegment(
          words.subarray(start * WORDS, (start + n) * WORDS),
          keys.subarray(start, start + n),
          tags.subarray(start, start + n),
          n,
          layout,
          shared,
        ),
      );
    }
    return index;
  }

  /**
   * The segments' arrays, for read-only replicas in worker threads (built with `shared`,
   * they are the same memory: removals show in replicas too). The append buffer is flushed
   * first; later additions reach replicas only through a new `parts()`.
   */
  parts(): SegmentParts[] {
    this.flush();
    return this.segments.map((s) => s.parts());
  }

  /** A read-only replica over arrays from `parts()`. */
  static fromParts(parts: readonly SegmentParts[]): PdqIndex {
    const index = new PdqIndex();
    for (const p of parts) index.segments.push(p.kind === "wide" ? WideSegment.fromParts(p) : MihSegment.fromParts(p));
    return index;
  }

  get size(): number {
    let n = this.bufCount - this.bufDeadCount;
    for (const s of this.segments) n += s.live;
    return n;
  }

  stats(): PdqIndexStats {
    let bytes = this.bufWords.byteLength + this.bufKeys.byteLength + this.bufTags.byteLength + this.bufDead.byteLength;
    for (const s of this.segments) bytes += s.bytes;
    return { hashes: this.size, segments: this.segments.length, bytes };
  }

  /** Adds a hash (8 words at `offset`) under `key`, with a 16-bit `tag`. */
  add(words: Uint32Array, offset: number, key: number, tag: number): void {
    const n = this.bufCount;
    for (let i = 0; i < WORDS; i++) this.bufWords[n * WORDS + i] = words[offset + i]!;
    this.bufKeys[n] = key;
    this.bufTags[n] = tag;
    this.bufDead[n] = 0;
    this.bufCount++;
    if (this.bufCount === BUFFER_MAX) this.flush();
  }

  /** Removes the entries with `key` and exactly this hash; returns how many were removed. */
  remove(words: Uint32Array, offset: number, key: number): number {
    let removed = 0;
    for (let e = 0; e < this.bufCount; e++) {
      if (this.bufDead[e] || this.bufKeys[e] !== key) continue;
      let same = true;
      for (let i = 0; i < WORDS && same; i++) same = this.bufWords[e * WORDS + i] === words[offset + i];
      if (same) {
        this.bufDead[e] = 1;
        this.bufDeadCount++;
        removed++;
      }
    }
    for (const s of this.segments) removed += s.remove(words, offset, key);
    return removed;
  }

  /**
   * Every entry within `maxDistance` (0..31) of the query, exactly. `accept(tag, d)` may
   * filter (per-bank thresholds) without allocating a match first.
   */
  search(
    query: Uint32Array,
    offset: number,
    maxDistance: number,
    accept?: (tag: number, distance: number) => boolean,
  ): RawMatch[] {
    if (maxDistance > MAX_INDEX_DISTANCE || maxDistance < 0) {
      throw new RangeError(`distance must be 0..${MAX_INDEX_DISTANCE}, got ${maxDistance}`);
    }
    const out: RawMatch[] = [];
    for (let e = 0; e < this.bufCount; e++) {
      if (this.bufDead[e]) continue;
      let d = 0;
      for (let i = 0; i < WORDS && d <= maxDistance; i++) {
        d += popcount32((this.bufWords[e * WORDS + i]! ^ query[offset + i]!) >>> 0);
      }
      if (d > maxDistance) continue;
      const tag = this.bufTags[e]!;
      if (accept && !accept(tag, d)) continue;
      out.push({ key: this.bufKeys[e]!, tag, distance: d });
    }
    for (const s of this.segments) s.search(query, offset, maxDistance, out, accept);
    return out;
  }

  /** Turns the buffer into a segment and merges segments of similar size. */
  flush(): void {
    const live = this.bufCount - this.bufDeadCount;
    if (live > 0) {
      const words = new Uint32Array(live * WORDS);
      const keys = new Int32Array(live);
      const tags = new Uint16Array(live);
      let n = 0;
      for (let e = 0; e < this.bufCount; e++) {
        if (this.bufDead[e]) continue;
        words.set(this.bufWords.subarray(e * WORDS, e * WORDS + WORDS), n * WORDS);
        keys[n] = this.bufKeys[e]!;
        tags[n] = this.bufTags[e]!;
        n++;
      }
      this.segments.push(buildSegment(words, keys, tags, n));
    }
    this.bufCount = 0;
    this.bufDeadCount = 0;
    this.compact();
  }

  private compact(): void {
    for (;;) {
      const k = this.segments.length;
      if (k < 2) return;
      const last = this.segments[k - 1]!;
      const prev = this.segments[k - 2]!;
      if (last.live * 2 < prev.live && prev.live * 4 > prev.size * 3) return;
      const merged = mergeSegments([prev, last]);
      this.segments.splice(k - 2, 2, ...(merged ? [merged] : []));
    }
  }
}

function mergeSegments(parts: Segment[]): Segment | undefined {
  let total = 0;
  for (const p of parts) total += p.live;
  if (total === 0) return undefined;
  const words = new Uint32Array(total * WORDS);
  const keys = new Int32Array(total);
  const tags = new Uint16Array(total);
  let n = 0;
  for (const p of parts) {
    p.forEachLive((w, off, key, tag) => {
      words.set(w.subarray(off, off + WORDS), n * WORDS);
      keys[n] = key;
      tags[n] = tag;
      n++;
    });
  }
  return buildSegment(words, keys, tags, n);
}

/** The oracle: a linear scan over `count` hashes, for tests and recall measurements. */
export function linearSearch(
  words: Uint32Array,
  keys: Int32Array,
  tags: Uint16Array,
  count: number,
  query: Uint32Array,
  offset: number,
  maxDistance: number,
): RawMatch[] {
  const out: RawMatch[] = [];
  for (let e = 0; e < count; e++) {
    let d = 0;
    for (let i = 0; i < WORDS; i++) d += popcount32((words[e * WORDS + i]! ^ query[offset + i]!) >>> 0);
    if (d <= maxDistance) out.push({ key: keys[e]!, tag: tags[e]!, distance: d });
  }
  return out;
}
