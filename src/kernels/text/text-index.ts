/**
 * An in-memory near-duplicate index of texts: MinHash LSH to find candidates, exact Jaccard
 * on the stored shingle sets to verify them, so every answer's similarity is exact and no
 * answer falls below the asked threshold. Live: `add` and `remove` take effect at once,
 * without a rebuild.
 *
 * Design note. Each long text (≥ `MIN_SHINGLES` shingles) is stored under its 42 band keys,
 * one bucket map per band; a query looks up its own 42 keys, takes the union of the ids found,
 * and keeps those whose exact Jaccard similarity reaches `minSimilarity`. Short texts live in a
 * separate map from normal form to ids and match only identical normal forms (similarity 1);
 * see `fingerprint.ts`. Recall follows the LSH S-curve (`lsh.ts`): ≥ 0.996 per pair at the
 * default threshold 0.5, lower for thresholds under 0.41 (where it drops below 0.95).
 * Memory per long text: its shingle hashes (4 bytes each, ~ its length in characters), 42 band
 * keys and 42 bucket entries.
 */

import { IdBuckets } from "./buckets.js";
import { textFingerprint, type TextFingerprint } from "./fingerprint.js";
import { LSH_BANDS } from "./lsh.js";
import { jaccard } from "./shingles.js";

/** The similarity threshold the LSH parameters were chosen for (decision 0004). */
export const DEFAULT_MIN_SIMILARITY = 0.5;

/** One answer of `TextIndex.query`. */
export interface TextMatch {
  readonly id: number;
  /** Exact Jaccard similarity of the two shingle sets (1 for identical normal forms). */
  readonly similarity: number;
}

/**
 * Near-duplicate text index.
 * @example
 *   const index = new TextIndex();
 *   index.add(1, "The soldiers of the caliphate advanced on the city at dawn");
 *   index.query("RT @x: the soldiers of the caliphate advanced on the city at dawn #news");
 *   // [{ id: 1, similarity: 1 }]
 */
export class TextIndex {
  private readonly entries = new Map<number, TextFingerprint>();
  private readonly bands: IdBuckets<number>[] = Array.from({ length: LSH_BANDS }, () => new IdBuckets<number>());
  private readonly exact = new IdBuckets<string>();

  /** Number of ids in the index (texts that normalise to nothing included). */
  get size(): number {
    return this.entries.size;
  }

  /** True when `id` is in the index. */
  has(id: number): boolean {
    return this.entries.has(id);
  }

  /**
   * Adds `text` under `id`, replacing the text already stored under that id. `id` must be a
   * safe integer. A text that normalises to nothing (only emoji, links, mentions) is counted
   * but never matches.
   */
  add(id: number, text: string): void {
    if (!Number.isSafeInteger(id)) throw new RangeError(`text id must be a safe integer, got ${id}`);
    this.remove(id);
    const fp = textFingerprint(text);
    this.entries.set(id, fp);
    if (fp.bandKeys) for (let b = 0; b < LSH_BANDS; b++) this.bands[b]!.add(fp.bandKeys[b]!, id);
    else if (fp.normalized !== "") this.exact.add(fp.normalized, id);
  }

  /** Removes `id`; does nothing when it is not in the index. */
  remove(id: number): void {
    const fp = this.entries.get(id);
    if (!fp) return;
    this.entries.delete(id);
    if (fp.bandKeys) for (let b = 0; b < LSH_BANDS; b++) this.bands[b]!.delete(fp.bandKeys[b]!, id);
    else if (fp.normalized !== "") this.exact.delete(fp.normalized, id);
  }

  /**
   * The indexed texts whose similarity to `text` is at least `minSimilarity` (0..1, default
   * 0.5), most similar first (ties by id). Below 0.41, LSH recall per pair falls under 0.95.
   */
  query(text: string, minSimilarity = DEFAULT_MIN_SIMILARITY): TextMatch[] {
    if (!(minSimilarity >= 0 && minSimilarity <= 1)) {
      throw new RangeError(`minSimilarity must be between 0 and 1, got ${minSimilarity}`);
    }
    const fp = textFingerprint(text);
    const matches: TextMatch[] = [];
    if (!fp.bandKeys) {
      if (fp.normalized !== "") this.exact.forEach(fp.normalized, (id) => matches.push({ id, similarity: 1 }));
    } else {
      const seen = new Set<number>();
      for (let b = 0; b < LSH_BANDS; b++) {
        this.bands[b]!.forEach(fp.bandKeys[b]!, (id) => {
          if (seen.has(id)) return;
          seen.add(id);
          const similarity = jaccard(fp.shingles, this.entries.get(id)!.shingles);
          if (similarity >= minSimilarity) matches.push({ id, similarity });
        });
      }
    }
    return matches.sort((a, b) => b.similarity - a.similarity || a.id - b.id);
  }
}
