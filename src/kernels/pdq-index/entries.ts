/**
 * What every segment layout stores per entry — the hash (8 words), the caller's key and
 * tag, a tombstone — and the operations on entries that do not depend on the layout.
 */

import { WORDS } from "./words.js";

export abstract class Entries {
  readonly size: number;
  protected deadCount = 0;

  protected constructor(
    protected readonly words: Uint32Array,
    protected readonly keys: Int32Array,
    protected readonly tags: Uint16Array,
    protected readonly dead: Uint8Array,
  ) {
    this.size = keys.length;
    for (let e = 0; e < this.size; e++) if (dead[e]) this.deadCount++;
  }

  /** Entries not removed. */
  get live(): number {
    return this.size - this.deadCount;
  }

  /** Bytes of the per-entry arrays. */
  protected get entryBytes(): number {
    return this.words.byteLength + this.keys.byteLength + this.tags.byteLength + this.dead.byteLength;
  }

  /** Calls `visit` for each live entry (for merges). */
  forEachLive(visit: (words: Uint32Array, offset: number, key: number, tag: number) => void): void {
    for (let e = 0; e < this.size; e++) if (!this.dead[e]) visit(this.words, e * WORDS, this.keys[e]!, this.tags[e]!);
  }

  /**
   * Copies the live entries `from..to` into `words`/`keys`/`tags` from entry `n` on (for
   * merges done a slice at a time); returns the next free entry.
   */
  copyLive(from: number, to: number, words: Uint32Array, keys: Int32Array, tags: Uint16Array, n: number): number {
    const end = Math.min(to, this.size);
    for (let e = from; e < end; e++) {
      if (this.dead[e]) continue;
      for (let i = 0; i < WORDS; i++) words[n * WORDS + i] = this.words[e * WORDS + i]!;
      keys[n] = this.keys[e]!;
      tags[n] = this.tags[e]!;
      n++;
    }
    return n;
  }

  /** Tombstones entry `e` if it is live, has `key` and exactly this hash; returns 1 if so. */
  protected removeIfSame(e: number, query: Uint32Array, qOffset: number, key: number): number {
    if (this.keys[e] !== key || this.dead[e]) return 0;
    for (let i = 0; i < WORDS; i++) if (this.words[e * WORDS + i] !== query[qOffset + i]) return 0;
    this.dead[e] = 1;
    this.deadCount++;
    return 1;
  }
}
