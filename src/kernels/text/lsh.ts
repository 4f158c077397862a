/**
 * Locality-sensitive hashing by banding: the MinHash signature is cut into `LSH_BANDS` bands of
 * `LSH_ROWS` slots, and two texts become candidates when all slots of at least one band agree.
 * A pair with Jaccard similarity s is a candidate with probability 1 − (1 − s^r)^b (the
 * S-curve). With b = 42, r = 3:
 *
 *   s      0.1    0.2    0.3    0.4    0.45   0.5    0.6    0.7
 *   P      0.041  0.286  0.683  0.938  0.982  0.996  >0.999 >0.999
 *
 * so pairs at the matching threshold 0.5 are found with probability 0.996 (≥ 0.95 from s = 0.41
 * up), while unrelated tweets (s mostly below 0.1 on 4-character shingles) rarely collide, and
 * the few that do are removed by exact verification. r = 4 with b = 32 would give only 0.87 at
 * s = 0.5; r = 2 would make 47 % of pairs at s = 0.1 candidates.
 */

import { fmix32 } from "./hash.js";
import { MINHASH_SIZE } from "./minhash.js";

/** Bands per signature. */
export const LSH_BANDS = 42;
/** Signature slots per band. */
export const LSH_ROWS = 3;

if (LSH_BANDS * LSH_ROWS !== MINHASH_SIZE) throw new Error("LSH bands x rows must equal MINHASH_SIZE");

/**
 * The probability that a pair with Jaccard similarity `s` shares at least one band.
 * @example candidateProbability(0.5) // 0.9963
 */
export function candidateProbability(s: number, bands = LSH_BANDS, rows = LSH_ROWS): number {
  return 1 - (1 - s ** rows) ** bands;
}

/**
 * One 32-bit key per band: a hash of the band's slots and its index (so equal slot values in
 * different bands give different keys). Equal bands always give equal keys; a rare collision
 * of unequal bands only adds a candidate, which exact verification then rejects.
 */
export function bandKeys(signature: Uint32Array, out = new Uint32Array(LSH_BANDS)): Uint32Array {
  for (let b = 0; b < LSH_BANDS; b++) {
    let h = Math.imul(b + 1, 0x9e3779b1);
    for (let r = 0; r < LSH_ROWS; r++) h = Math.imul(fmix32(h ^ signature[b * LSH_ROWS + r]!), 0x01000193);
    out[b] = fmix32(h);
  }
  return out;
}
