/**
 * The part of the 64x64 2-D DCT-II that PDQ keeps: rows and columns 1..16 (the DC term is
 * skipped), as B = D A Dᵀ with D the 16x64 matrix below (pdq/cpp/hashing/pdqhashing.cpp,
 * dct64To16). Float32 accumulation with k ascending, no fused multiply-add, like the
 * reference compiled for plain x86-64.
 */

const fround = Math.fround;

/** D[i][j] = float(float(sqrt(2/64)) * cos((π/2/64)·(i+1)·(2j+1))), row-major 16 x 64. */
export const DCT_MATRIX: Float64Array = (() => {
  const d = new Float64Array(16 * 64);
  const scale = fround(Math.sqrt(2 / 64));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      d[i * 64 + j] = fround(scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1)));
    }
  }
  return d;
})();

/**
 * `out` (16x16) = D · `a` (64x64) · Dᵀ, using `t` (16x64) as scratch.
 */
export function dct64To16(a: Float64Array, t: Float64Array, out: Float64Array): void {
  const d = DCT_MATRIX;
  for (let i = 0; i < 16; i++) {
    const di = i * 64;
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = fround(sum + fround(d[di + k]! * a[k * 64 + j]!));
      t[di + j] = sum;
    }
  }
  for (let i = 0; i < 16; i++) {
    const ti = i * 64;
    for (let j = 0; j < 16; j++) {
      const dj = j * 64;
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = fround(sum + fround(t[ti + k]! * d[dj + k]!));
      out[i * 16 + j] = sum;
    }
  }
}
