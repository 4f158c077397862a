/**
 * The eight dihedral variants of a PDQ hash, computed from one 16x16 DCT by sign flips and
 * transposition (pdqhashing.cpp, dct16OriginalTo*). Names are the reference CLI's.
 * The image-space meaning was checked against the reference's dih/ test images:
 * rot90 is a quarter turn counter-clockwise, flipx mirrors top to bottom, flipy left to right,
 * flipplus1 transposes over the main diagonal, flipminus1 over the anti-diagonal.
 */

export const DIHEDRAL_NAMES = [
  "orig",
  "rot90",
  "rot180",
  "rot270",
  "flipx",
  "flipy",
  "flipplus1",
  "flipminus1",
] as const;

export type DihedralName = (typeof DIHEDRAL_NAMES)[number];

/** Writes the `name` variant of the 16x16 DCT `a` into `b`. */
export function dihedralDct(name: DihedralName, a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      const v = a[i * 16 + j]!;
      const odd = (i + j) & 1;
      switch (name) {
        case "orig":
          b[i * 16 + j] = v;
          break;
        case "rot90":
          b[j * 16 + i] = j & 1 ? v : -v;
          break;
        case "rot180":
          b[i * 16 + j] = odd ? -v : v;
          break;
        case "rot270":
          b[j * 16 + i] = i & 1 ? v : -v;
          break;
        case "flipx":
          b[i * 16 + j] = i & 1 ? v : -v;
          break;
        case "flipy":
          b[i * 16 + j] = j & 1 ? v : -v;
          break;
        case "flipplus1":
          b[j * 16 + i] = v;
          break;
        case "flipminus1":
          b[j * 16 + i] = odd ? -v : v;
          break;
      }
    }
  }
}
