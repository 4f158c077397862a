/**
 * Seeded pseudo-random generators, so that what rasd draws at random — bootstrap replicates,
 * training folds and epochs, demo data — can be drawn again exactly on any machine. Two
 * generators, each for a reason:
 * - `seededRandom` (xoshiro128**) for figures rasd publishes (measurement, the demo);
 * - `mulberry32` for training: `models/stance-v1.bin` and `stance-v2.bin` were trained with it, and keeping it is
 *   what lets `rasd train` rebuild that model byte for byte.
 * HMA's Python-compatible Mersenne Twister lives in `kernels/python/` (it reproduces Python's
 * `random.seed(str)` for HMA's `enabled_ratio`, not a generator of rasd's own).
 */

/** xoshiro128** (Blackman & Vigna), seeded by SplitMix32 from a 32-bit seed; doubles in [0, 1). */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0;
  const next32 = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = next32();
  let b = next32();
  let c = next32();
  let d = next32();
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result / 4294967296;
  };
}

function rotl(v: number, k: number): number {
  return (v << k) | (v >>> (32 - k));
}

/** A 32-bit seed from text (FNV-1a), e.g. from the query a figure answers. */
export function seedFrom(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small generator with 32 bits of state; doubles in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of a copy of `items`, drawing from `random`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
