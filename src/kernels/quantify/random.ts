/**
 * Seeded randomness for the bootstrap, so that a published interval can be recomputed
 * exactly: the same inputs and seed give the same figures on any machine.
 */

/** SplitMix64 reduced to 53-bit doubles in [0, 1). */
export function seededRandom(seed: bigint): () => number {
  let state = BigInt.asUintN(64, seed);
  return () => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    return Number(z >> 11n) / 2 ** 53;
  };
}

/** A 64-bit seed from text (FNV-1a), e.g. from the query a figure answers. */
export function seedFrom(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = BigInt.asUintN(64, h * 0x100000001b3n);
  }
  return h;
}

/** A standard normal deviate (Box–Muller). */
function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * A binomial draw: exact (by counting successes) for small n, the normal approximation with
 * continuity correction, clamped to [0, n], once n·p·(1−p) is large enough for it to be
 * indistinguishable at bootstrap precision.
 */
export function binomial(n: number, p: number, random: () => number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const variance = n * p * (1 - p);
  if (n <= 64 || variance < 25) {
    let k = 0;
    for (let i = 0; i < n; i++) if (random() < p) k++;
    return k;
  }
  const k = Math.round(n * p + Math.sqrt(variance) * normal(random));
  return Math.min(n, Math.max(0, k));
}

/** A multinomial draw of n items over the given probabilities (conditional binomials). */
export function multinomial(n: number, probabilities: readonly number[], random: () => number): number[] {
  const out = new Array<number>(probabilities.length).fill(0);
  let left = n;
  let mass = 1;
  for (let i = 0; i < probabilities.length - 1 && left > 0; i++) {
    const p = mass > 0 ? Math.min(1, Math.max(0, probabilities[i]! / mass)) : 0;
    const k = binomial(left, p, random);
    out[i] = k;
    left -= k;
    mass -= probabilities[i]!;
  }
  out[probabilities.length - 1] = left;
  return out;
}
