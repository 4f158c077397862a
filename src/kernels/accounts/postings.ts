/**
 * A multimap from 32-bit key hashes to ids, in typed arrays (one open-addressed table of chain
 * heads, one array of postings): a million accounts' few keys each fit in tens of megabytes, where
 * a `Map` of strings would take gigabytes. Hash collisions only add candidates, which the scorer
 * then rejects. Removal marks postings dead; the account index rebuilds its postings when the dead
 * outnumber the live.
 */

export class Postings {
  private mask: number;
  private heads: Int32Array;
  private keys = new Uint32Array(1024);
  private ids = new Int32Array(1024);
  private next = new Int32Array(1024);
  private count = 0;
  private deadCount = 0;

  constructor(capacityHint = 1024) {
    let size = 1024;
    while (size < capacityHint * 2) size *= 2;
    this.heads = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  /** Postings marked dead by `delete`. */
  get dead(): number {
    return this.deadCount;
  }

  /** Postings held (dead ones included). */
  get length(): number {
    return this.count;
  }

  add(key: number, id: number): void {
    if (this.count === this.keys.length) this.growPostings();
    if (this.count * 2 >= this.heads.length) this.growTable();
    const p = this.count++;
    const b = key & this.mask;
    this.keys[p] = key;
    this.ids[p] = id;
    this.next[p] = this.heads[b]!;
    this.heads[b] = p;
  }

  /** Marks `id`'s posting under `key` dead. */
  delete(key: number, id: number): void {
    for (let p = this.heads[key & this.mask]!; p >= 0; p = this.next[p]!) {
      if (this.keys[p] === key && this.ids[p] === id) {
        this.ids[p] = -1;
        this.deadCount++;
      }
    }
  }

  /**
   * Calls `fn` for each live id under `key` and returns how many postings the key holds, unless
   * there are more than `cap` (a key that common says nothing: returns -1 and calls nothing).
   */
  forEach(key: number, cap: number, fn: (id: number) => void): number {
    let n = 0;
    const head = this.heads[key & this.mask]!;
    for (let p = head; p >= 0; p = this.next[p]!) if (this.keys[p] === key && this.ids[p]! >= 0 && ++n > cap) return -1;
    for (let p = head; p >= 0; p = this.next[p]!) {
      if (this.keys[p] === key && this.ids[p]! >= 0) fn(this.ids[p]!);
    }
    return n;
  }

  /** How many live ids `key` holds, counting no further than `cap + 1`. */
  holders(key: number, cap: number): number {
    let n = 0;
    for (let p = this.heads[key & this.mask]!; p >= 0; p = this.next[p]!)
      if (this.keys[p] === key && this.ids[p]! >= 0 && ++n > cap) return n;
    return n;
  }

  private growPostings(): void {
    const size = this.keys.length * 2;
    const keys = new Uint32Array(size);
    keys.set(this.keys);
    const ids = new Int32Array(size);
    ids.set(this.ids);
    const next = new Int32Array(size);
    next.set(this.next);
    this.keys = keys;
    this.ids = ids;
    this.next = next;
  }

  private growTable(): void {
    const size = this.heads.length * 2;
    this.heads = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let p = 0; p < this.count; p++) {
      const b = this.keys[p]! & this.mask;
      this.next[p] = this.heads[b]!;
      this.heads[b] = p;
    }
  }
}

/** FNV-1a of a string's UTF-16 code units, with a tag so that keys of different kinds differ. */
export function keyHash(tag: number, s: string): number {
  let h = (0x811c9dc5 ^ Math.imul(tag, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
