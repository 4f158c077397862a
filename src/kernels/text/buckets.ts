/**
 * A multimap from a key to ids that stores a lone id without an array, since almost every LSH
 * bucket and almost every exact-text bucket holds one id.
 */

export class IdBuckets<K> {
  private readonly map = new Map<K, number | number[]>();

  /** Adds `id` under `key` (the caller never adds the same pair twice). */
  add(key: K, id: number): void {
    const bucket = this.map.get(key);
    if (bucket === undefined) this.map.set(key, id);
    else if (typeof bucket === "number") this.map.set(key, [bucket, id]);
    else bucket.push(id);
  }

  /** Removes `id` from `key`'s bucket, if it is there. */
  delete(key: K, id: number): void {
    const bucket = this.map.get(key);
    if (bucket === undefined) return;
    if (typeof bucket === "number") {
      if (bucket === id) this.map.delete(key);
      return;
    }
    const at = bucket.indexOf(id);
    if (at < 0) return;
    bucket[at] = bucket[bucket.length - 1]!;
    bucket.pop();
    if (bucket.length === 1) this.map.set(key, bucket[0]!);
  }

  /** Calls `visit` with every id under `key`. */
  forEach(key: K, visit: (id: number) => void): void {
    const bucket = this.map.get(key);
    if (bucket === undefined) return;
    if (typeof bucket === "number") visit(bucket);
    else for (const id of bucket) visit(id);
  }
}
