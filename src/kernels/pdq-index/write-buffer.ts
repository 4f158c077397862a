/**
 * The index's write segment: a small append-only array of hashes searched by a linear scan.
 * New hashes land here and are visible to the next search at once; once full it is sealed
 * and a stepped build (pdq-index.ts) turns it into a multi-index segment off the query path.
 */

import { Entries } from "./entries.js";
import type { RawMatch } from "./segment.js";
import { WORDS, alloc, popcount32, wordsDistance } from "./words.js";

/** Hashes a write buffer holds: a scan of them costs about as much as one segment's probes. */
export const WRITE_BUFFER_ENTRIES = 4096;

/** The arrays of a write buffer, for a read-only replica in another thread. */
export interface BufferParts {
  readonly kind: "buffer";
  readonly words: Uint32Array;
  readonly keys: Int32Array;
  readonly tags: Uint16Array;
  readonly dead: Uint8Array;
  /** One element: the entries appended so far (written last, with Atomics, by the owner). */
  readonly fill: Int32Array;
}

export class WriteBuffer extends Entries {
  /**
   * The count of entries appended, in an array of its own so that a replica over shared
   * memory sees appends: the owner writes an entry, then the count (Atomics.store); a
   * replica reads the count (Atomics.load), then entries below it.
   */
  private readonly fill: Int32Array;

  constructor(capacity = WRITE_BUFFER_ENTRIES, shared = false, parts?: BufferParts) {
    super(
      parts?.words ?? alloc(Uint32Array, capacity * WORDS, shared),
      parts?.keys ?? alloc(Int32Array, capacity, shared),
      parts?.tags ?? alloc(Uint16Array, capacity, shared),
      parts?.dead ?? alloc(Uint8Array, capacity, shared),
    );
    this.fill = parts?.fill ?? alloc(Int32Array, 1, shared);
  }

  /** A replica over a buffer's arrays from `parts()` (in another thread: the same memory). */
  static fromParts(p: BufferParts): WriteBuffer {
    return new WriteBuffer(0, false, p);
  }

  parts(): BufferParts {
    return { kind: "buffer", words: this.words, keys: this.keys, tags: this.tags, dead: this.dead, fill: this.fill };
  }

  private get count(): number {
    return Atomics.load(this.fill, 0);
  }

  /** Entries appended so far (live or removed). */
  get used(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.size;
  }

  override get live(): number {
    return this.count - this.deadCount;
  }

  get bytes(): number {
    return this.entryBytes;
  }

  /** Appends a hash; the caller checks `full` first. */
  append(words: Uint32Array, offset: number, key: number, tag: number): void {
    const n = this.count;
    for (let i = 0; i < WORDS; i++) this.words[n * WORDS + i] = words[offset + i]!;
    this.keys[n] = key;
    this.tags[n] = tag;
    this.dead[n] = 0;
    Atomics.store(this.fill, 0, n + 1);
  }

  remove(query: Uint32Array, qOffset: number, key: number): number {
    let removed = 0;
    for (let e = 0; e < this.count; e++) removed += this.removeIfSame(e, query, qOffset, key);
    return removed;
  }

  override copyLive(
    from: number,
    to: number,
    words: Uint32Array,
    keys: Int32Array,
    tags: Uint16Array,
    n: number,
  ): number {
    return super.copyLive(from, Math.min(to, this.count), words, keys, tags, n);
  }

  override forEachLive(visit: (words: Uint32Array, offset: number, key: number, tag: number) => void): void {
    for (let e = 0; e < this.count; e++) if (!this.dead[e]) visit(this.words, e * WORDS, this.keys[e]!, this.tags[e]!);
  }

  search(
    query: Uint32Array,
    qOffset: number,
    maxDistance: number,
    out: RawMatch[],
    accept?: (tag: number, distance: number) => boolean,
  ): void {
    const words = this.words;
    const count = this.count;
    const q0 = query[qOffset]!;
    const q1 = query[qOffset + 1]!;
    const q2 = query[qOffset + 2]!;
    const q3 = query[qOffset + 3]!;
    // First pass, without a branch: the distance over the first four words. Beyond 31 there
    // (nearly every entry of a random bank) the entry cannot match; a per-entry early exit
    // after two words mispredicted about half the time, which cost more than two popcounts.
    const near = nearScratch.length >= count ? nearScratch : (nearScratch = new Uint32Array(count));
    let nn = 0;
    for (let e = 0; e < count; e++) {
      const w = e * WORDS;
      const d =
        popcount32((words[w]! ^ q0) >>> 0) +
        popcount32((words[w + 1]! ^ q1) >>> 0) +
        popcount32((words[w + 2]! ^ q2) >>> 0) +
        popcount32((words[w + 3]! ^ q3) >>> 0);
      near[nn] = e;
      nn += ((maxDistance - d) >>> 31) ^ 1;
    }
    for (let k = 0; k < nn; k++) {
      const e = near[k]!;
      if (this.dead[e]) continue;
      const d = wordsDistance(words, e * WORDS, query, qOffset);
      if (d > maxDistance) continue;
      const tag = this.tags[e]!;
      if (accept && !accept(tag, d)) continue;
      out.push({ key: this.keys[e]!, tag, distance: d });
    }
  }
}

/** Entries that pass a search's first pass (searches are synchronous: one per thread). */
let nearScratch = new Uint32Array(WRITE_BUFFER_ENTRIES);
