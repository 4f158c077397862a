/**
 * Small, fast, deterministic 32-bit hashing for shingles and MinHash: FNV-1a over code points
 * followed by MurmurHash3's finaliser (which spreads FNV's weak low bits), and SplitMix32 for
 * the fixed seeds. Not cryptographic; nothing here needs to be.
 */

/** MurmurHash3's 32-bit finaliser: a bijection on 32-bit integers with full avalanche. */
export function fmix32(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hash of `count` code points of `codePoints` starting at `start`, mixed with `seed`.
 * @example hashCodePoints([104, 105], 0, 2) // the hash of "hi"
 */
export function hashCodePoints(codePoints: ArrayLike<number>, start: number, count: number, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = start; i < start + count; i++) {
    h ^= codePoints[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/**
 * `count` pseudo-random 32-bit seeds from SplitMix32, the same on every machine and run.
 * @example seeds32(2, 1) // always the same two numbers
 */
export function seeds32(count: number, seed: number): Uint32Array {
  const out = new Uint32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    out[i] = (z ^ (z >>> 15)) >>> 0;
  }
  return out;
}
