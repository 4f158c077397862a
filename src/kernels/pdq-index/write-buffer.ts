/**
 * The index's write segment: a small append-only array of hashes searched by a linear scan.
 * New hashes land here and are visible to the next search at once; once full it is sealed
 * and a stepped build (pdq-index.ts) turns it into a multi-index segment off the query path.
 */

import { Entries } from "./entries.js";
import type { RawMatch } from "./segment.js";
import { WORDS, popcount32 } from "./words.js";

/** Hashes a write buffer holds: a scan of them costs about as much as one segment's probes. */
export const WRITE_BUFFER_ENTRIES = 4096;

export class WriteBuffer extends Entries {
  private count = 0;

  constructor(capacity = WRITE_BUFFER_ENTRIES) {
    super(
      new Uint32Array(capacity * WORDS),
      new Int32Array(capacity),
      new Uint16Array(capacity),
      new Uint8Array(capacity),
    );
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
    this.count++;
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
    for (let e = 0; e < this.count; e++) {
      if (this.dead[e]) continue;
      let d = 0;
      for (let i = 0; i < WORDS && d <= maxDistance; i++)
        d += popcount32((words[e * WORDS + i]! ^ query[qOffset + i]!) >>> 0);
      if (d > maxDistance) continue;
      const tag = this.tags[e]!;
      if (accept && !accept(tag, d)) continue;
      out.push({ key: this.keys[e]!, tag, distance: d });
    }
  }
}
