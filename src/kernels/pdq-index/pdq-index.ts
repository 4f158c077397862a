/**
 * A mutable, exact PDQ index: static multi-index segments plus a small write buffer,
 * merged like a log-structured tree — with every build and merge done a slice at a time,
 * off the query path. Adding or removing a hash is visible to the next search at once, no
 * add waits for a build, and searches return exactly what a linear scan returns.
 *
 * - bulk: the fast path for loading a store — one segment built from every hash at once.
 * - add: appended to the write buffer (searched linearly). A full buffer is sealed (still
 *   searched) and a new one started; nothing else happens in `add`.
 * - remove: a tombstone, found through the index itself; merges drop tombstoned entries.
 * - step: one slice (about `BUILD_SLICE` entries) of background work — turning sealed
 *   buffers into a segment, or merging segments of similar size (or one with many
 *   tombstones), so there are O(log n) segments. The old segments stay searchable until the
 *   new one is complete; removals made meanwhile are replayed on it when it is swapped in.
 *   The caller runs steps between searches (a time budget per turn), or `flush` at once.
 * - search: the buffers plus every segment, each with MIH (see segment.ts).
 */

import { BUILD_SLICE, MihSegment, type NarrowParts, type RawMatch } from "./segment.js";
import { WideSegment, type WideParts } from "./wide-segment.js";
import { WORDS, alloc, popcount32 } from "./words.js";
import { WRITE_BUFFER_ENTRIES, WriteBuffer, type BufferParts } from "./write-buffer.js";

export type { RawMatch } from "./segment.js";
export type { BufferParts } from "./write-buffer.js";

/** The largest distance the index answers exactly (16 chunks, one flipped bit each). */
export const MAX_INDEX_DISTANCE = 31;

/** Segments at least this large use the wide layout (its bucket tables cost ~140 MB). */
export const WIDE_SEGMENT_MIN = 4_000_000;

/** The most hashes one segment holds (3-byte entry ids). */
const SEGMENT_MAX = (1 << 24) - 1;

/** What every segment layout offers. */
interface Segment {
  readonly size: number;
  readonly live: number;
  readonly bytes: number;
  search(q: Uint32Array, off: number, max: number, out: RawMatch[], accept?: (tag: number, d: number) => boolean): void;
  remove(q: Uint32Array, off: number, key: number): number;
  copyLive(from: number, to: number, words: Uint32Array, keys: Int32Array, tags: Uint16Array, n: number): number;
  forEachLive(visit: (words: Uint32Array, offset: number, key: number, tag: number) => void): void;
  parts(): SegmentParts;
}

/** What a merge reads from: segments or sealed write buffers. */
type Source = Pick<Segment, "size" | "live" | "copyLive">;

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

/** The live entries of `inputs` copied, then built into one segment, a slice at a time. */
function* mergeSteps(inputs: readonly Source[], shared: boolean): Generator<void, Segment | undefined> {
  let total = 0;
  for (const p of inputs) total += p.live;
  if (total === 0) return undefined;
  // Where the output will live (shared or not), so that the build keeps these arrays rather
  // than copying them in one step (a wide build keeps its inputs: at 10M a copy of 380 MB).
  const words = alloc(Uint32Array, total * WORDS, shared);
  const keys = alloc(Int32Array, total, shared);
  const tags = alloc(Uint16Array, total, shared);
  let n = 0;
  for (const p of inputs) {
    for (let from = 0; from < p.size; from += BUILD_SLICE) {
      // Entries removed since `total` was counted are skipped, so n ≤ total.
      n = p.copyLive(from, from + BUILD_SLICE, words, keys, tags, n);
      yield;
    }
  }
  if (n === 0) return undefined;
  // Views of the first n entries, not copies: entries removed during the copy leave n < total.
  const w = words.subarray(0, n * WORDS);
  const k = keys.subarray(0, n);
  const t = tags.subarray(0, n);
  return n >= WIDE_SEGMENT_MIN
    ? yield* WideSegment.buildSteps(w, k, t, n, shared)
    : yield* MihSegment.buildSteps(w, k, t, n, shared);
}

/** Background work in progress: its inputs stay searchable until its output replaces them. */
interface Job {
  readonly inputs: readonly Source[];
  readonly steps: Generator<void, Segment | undefined>;
  /** Removals made while it runs, replayed on its output (its copy may predate them). */
  readonly removals: { words: Uint32Array; key: number }[];
  slices: number;
}

export interface PdqIndexStats {
  readonly hashes: number;
  /** Multi-index segments (write buffers not counted). */
  readonly segments: number;
  /** Write buffers: the one taking adds plus sealed ones waiting for their build. */
  readonly buffers: number;
  readonly bytes: number;
  /** Hashes that came in through `add` (the rest through `bulk`). */
  readonly added: number;
  readonly bulkLoaded: number;
  /** Builds and merges completed, and slices of work they took. */
  readonly merges: number;
  readonly slices: number;
  /** Whether background work is waiting (`step` has something to do). */
  readonly pending: boolean;
}

export interface PdqIndexOptions {
  /** Hashes per write buffer (default 4096; tests use a few, to exercise merges). */
  readonly bufferEntries?: number;
  /**
   * Every array on SharedArrayBuffers, so that replicas in other threads (`PdqIndexReplica`
   * over `view()`) search this index's memory without a copy.
   */
  readonly shared?: boolean;
}

/**
 * Every array an index searches — its segments and write buffers — for a replica in
 * another thread. It changes only when a buffer fills or background work swaps segments
 * in (`onLayout`); appends to a buffer and removals show through the shared memory.
 */
export interface PdqIndexView {
  readonly segments: SegmentParts[];
  readonly buffers: BufferParts[];
}

export class PdqIndex {
  private segments: Segment[] = [];
  private readonly bufferEntries: number;
  private head: WriteBuffer;
  private sealed: WriteBuffer[] = [];
  /** Sealed buffers → a segment (short, runs first). */
  private small: Job | undefined;
  /** Segments → a merged segment (may be long). */
  private big: Job | undefined;
  private readonly shared: boolean;
  /** Called whenever `view()` changes (a buffer sealed or started, a build or merge installed). */
  onLayout: (() => void) | undefined;
  private added = 0;
  private bulkLoaded = 0;
  private merges = 0;
  private slices = 0;
  private mergeAll = false;

  constructor(options: PdqIndexOptions = {}) {
    this.bufferEntries = options.bufferEntries ?? WRITE_BUFFER_ENTRIES;
    this.shared = options.shared ?? false;
    this.head = new WriteBuffer(this.bufferEntries, this.shared);
  }

  /** Builds an index from `count` hashes at once (the fast path for loading a bank store). */
  static bulk(
    words: Uint32Array,
    keys: Int32Array,
    tags: Uint16Array,
    count: number = keys.length,
    layout: "auto" | "narrow" | "wide" = "auto",
    shared = false,
  ): PdqIndex {
    const index = new PdqIndex({ shared });
    for (let start = 0; start < count; start += SEGMENT_MAX) {
      const n = Math.min(SEGMENT_MAX, count - start);
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
    index.bulkLoaded = count;
    return index;
  }

  /**
   * The segments' arrays, for read-only replicas in worker threads (built with `shared`,
   * they are the same memory: removals show in replicas too). Pending work is finished
   * first; later additions reach replicas only through a new `parts()`.
   */
  parts(): SegmentParts[] {
    this.flush();
    return this.segments.map((s) => s.parts());
  }

  /** The arrays searched now, for replicas (see `PdqIndexView`); pending work is left pending. */
  view(): PdqIndexView {
    return {
      segments: this.segments.map((s) => s.parts()),
      buffers: [...this.sealed, this.head].map((b) => b.parts()),
    };
  }

  /** A read-only replica over arrays from `parts()`. */
  static fromParts(parts: readonly SegmentParts[]): PdqIndex {
    const index = new PdqIndex();
    for (const p of parts) index.segments.push(p.kind === "wide" ? WideSegment.fromParts(p) : MihSegment.fromParts(p));
    return index;
  }

  get size(): number {
    let n = this.head.live;
    for (const b of this.sealed) n += b.live;
    for (const s of this.segments) n += s.live;
    return n;
  }

  stats(): PdqIndexStats {
    let bytes = this.head.bytes;
    for (const b of this.sealed) bytes += b.bytes;
    for (const s of this.segments) bytes += s.bytes;
    return {
      hashes: this.size,
      segments: this.segments.length,
      buffers: this.sealed.length + 1,
      bytes,
      added: this.added,
      bulkLoaded: this.bulkLoaded,
      merges: this.merges,
      slices: this.slices,
      pending: this.pending,
    };
  }

  /** Adds a hash (8 words at `offset`) under `key`, with a 16-bit `tag`. Never builds. */
  add(words: Uint32Array, offset: number, key: number, tag: number): void {
    if (this.head.full) {
      this.sealed.push(this.head);
      this.head = new WriteBuffer(this.bufferEntries, this.shared);
      this.onLayout?.();
    }
    this.head.append(words, offset, key, tag);
    this.added++;
  }

  /** Removes the entries with `key` and exactly this hash; returns how many were removed. */
  remove(words: Uint32Array, offset: number, key: number): number {
    let removed = this.head.remove(words, offset, key);
    for (const b of this.sealed) removed += b.remove(words, offset, key);
    for (const s of this.segments) removed += s.remove(words, offset, key);
    for (const job of [this.small, this.big]) {
      if (job) job.removals.push({ words: words.slice(offset, offset + WORDS), key });
    }
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
    checkDistance(maxDistance);
    const out: RawMatch[] = [];
    this.head.search(query, offset, maxDistance, out, accept);
    for (const b of this.sealed) b.search(query, offset, maxDistance, out, accept);
    for (const s of this.segments) s.search(query, offset, maxDistance, out, accept);
    return out;
  }

  /** Whether `step` has work to do. */
  get pending(): boolean {
    return (
      this.small !== undefined || this.big !== undefined || this.sealed.length > 0 || this.pickMerge() !== undefined
    );
  }

  /**
   * Runs at most `slices` slices of background work (each about `BUILD_SLICE` entries);
   * returns whether work remains. Searches, adds and removals may run between calls.
   */
  step(slices = 1): boolean {
    for (let i = 0; i < slices; i++) {
      if (!this.small && this.sealed.length > 0) this.small = this.startJob([...this.sealed]);
      if (!this.small && !this.big) {
        const inputs = this.pickMerge();
        if (inputs) this.big = this.startJob(inputs);
      }
      const job = this.small ?? this.big;
      if (!job) return false;
      job.slices++;
      this.slices++;
      const r = job.steps.next();
      if (r.done) this.install(job, r.value);
    }
    return this.pending;
  }

  /** Seals the write buffer and finishes all background work now (tests, one-shot use). */
  flush(): void {
    if (this.head.used > 0) {
      this.sealed.push(this.head);
      this.head = new WriteBuffer(this.bufferEntries, this.shared);
      this.onLayout?.();
    }
    while (this.step(64));
  }

  /**
   * Asks the background work to merge every segment into one (after a large import, or to
   * measure a full merge under load); `step` does it a slice at a time like any merge.
   */
  compact(): void {
    this.mergeAll = true;
  }

  private startJob(inputs: readonly Source[]): Job {
    if (inputs.every((i) => this.segments.includes(i as Segment))) this.mergeAll = false;
    return { inputs, steps: mergeSteps(inputs, this.shared), removals: [], slices: 0 };
  }

  /** Swaps a finished job's output in for its inputs (sealed buffers or segments). */
  private install(job: Job, output: Segment | undefined): void {
    if (output) for (const r of job.removals) output.remove(r.words, 0, r.key);
    if (job === this.small) {
      this.sealed = this.sealed.filter((b) => !job.inputs.includes(b));
      if (output) this.segments.push(output);
      this.small = undefined;
    } else {
      const at = this.segments.indexOf(job.inputs[0] as Segment);
      this.segments = this.segments.filter((s) => !job.inputs.includes(s));
      if (output) this.segments.splice(at, 0, output);
      this.big = undefined;
    }
    this.merges++;
    this.onLayout?.();
  }

  /**
   * The segments to merge next, if any: a segment at least half the size of the one before
   * it (newer segments are smaller, so this keeps O(log n) of them), or one whose entries
   * are a quarter tombstones.
   */
  private pickMerge(): Segment[] | undefined {
    const segs = this.segments;
    if (this.mergeAll && segs.length > 0) {
      let total = 0;
      for (const s of segs) total += s.live;
      if (total <= SEGMENT_MAX) return [...segs];
    }
    for (let k = segs.length - 1; k >= 1; k--) {
      const prev = segs[k - 1]!;
      const last = segs[k]!;
      if (last.live * 2 >= prev.live && prev.live + last.live <= SEGMENT_MAX) return [prev, last];
    }
    for (const s of segs) if (s.live * 4 <= s.size * 3) return [s];
    return undefined;
  }
}

/**
 * A read-only replica of a `PdqIndex` built with `shared`, over its `view()` (typically in
 * another thread): searches the owner's memory, so it holds no copy. Appends to the owner's
 * write buffer and removals are seen at once; a new layout (after `onLayout`) must be given
 * with `setView`, and until then the old one still answers for what it holds.
 */
export class PdqIndexReplica {
  private segments: Segment[] = [];
  private buffers: WriteBuffer[] = [];

  constructor(view: PdqIndexView = { segments: [], buffers: [] }) {
    this.setView(view);
  }

  setView(view: PdqIndexView): void {
    this.segments = view.segments.map((p) => (p.kind === "wide" ? WideSegment.fromParts(p) : MihSegment.fromParts(p)));
    this.buffers = view.buffers.map((b) => WriteBuffer.fromParts(b));
  }

  /** Entries held, removed ones included (a replica does not count removals). */
  get entries(): number {
    let n = 0;
    for (const b of this.buffers) n += b.used;
    for (const s of this.segments) n += s.size;
    return n;
  }

  /** As `PdqIndex.search`. */
  search(
    query: Uint32Array,
    offset: number,
    maxDistance: number,
    accept?: (tag: number, distance: number) => boolean,
  ): RawMatch[] {
    checkDistance(maxDistance);
    const out: RawMatch[] = [];
    for (const b of this.buffers) b.search(query, offset, maxDistance, out, accept);
    for (const s of this.segments) s.search(query, offset, maxDistance, out, accept);
    return out;
  }
}

function checkDistance(maxDistance: number): void {
  if (maxDistance > MAX_INDEX_DISTANCE || maxDistance < 0) {
    throw new RangeError(`distance must be 0..${MAX_INDEX_DISTANCE}, got ${maxDistance}`);
  }
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
