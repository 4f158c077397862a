/**
 * Random draws for the bootstrap (binomial, multinomial) from a seeded generator
 * (`kernels/random.ts`), so that a published interval can be recomputed exactly: the same
 * inputs and seed give the same figures on any machine.
 */

export { seedFrom, seededRandom } from "../random.js";

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
function binomial(n: number, p: number, random: () => number): number {
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
