/**
 * A literal, slow translation of the reference's downscaling (box1DFloat over whole
 * buffers, rows then columns, twice, then decimateFloat), used as an oracle for the fast
 * streaming filter. Float32Array storage gives float32 rounding on every store, as in C++.
 */

import { mulberry32 } from "../../src/kernels/random.js";

const fround = Math.fround;

function box1DFloat(
  invec: Float32Array,
  inOff: number,
  outvec: Float32Array,
  outOff: number,
  length: number,
  stride: number,
  window: number,
): void {
  const half = Math.trunc((window + 2) / 2);
  const p1 = half - 1;
  const p2 = window - half + 1;
  const p3 = length - window;
  const p4 = half - 1;
  let li = 0;
  let ri = 0;
  let oi = 0;
  let sum = 0;
  let cur = 0;
  for (let i = 0; i < p1; i++) {
    sum = fround(sum + invec[inOff + ri]!);
    cur++;
    ri += stride;
  }
  for (let i = 0; i < p2; i++) {
    sum = fround(sum + invec[inOff + ri]!);
    cur++;
    outvec[outOff + oi] = fround(sum / cur);
    ri += stride;
    oi += stride;
  }
  for (let i = 0; i < p3; i++) {
    sum = fround(sum + invec[inOff + ri]!);
    sum = fround(sum - invec[inOff + li]!);
    outvec[outOff + oi] = fround(sum / cur);
    li += stride;
    ri += stride;
    oi += stride;
  }
  for (let i = 0; i < p4; i++) {
    sum = fround(sum - invec[inOff + li]!);
    cur--;
    outvec[outOff + oi] = fround(sum / cur);
    li += stride;
    oi += stride;
  }
}

/** The reference's 64x64 downsample of a float32 luma image. */
export function referenceDownsample(luma: Float32Array, rows: number, cols: number): Float32Array {
  const buf1 = Float32Array.from(luma);
  const buf2 = new Float32Array(rows * cols);
  const wr = Math.trunc((cols + 127) / 128);
  const wc = Math.trunc((rows + 127) / 128);
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < rows; i++) box1DFloat(buf1, i * cols, buf2, i * cols, cols, 1, wr);
    for (let j = 0; j < cols; j++) box1DFloat(buf2, j, buf1, j, rows, cols, wc);
  }
  const out = new Float32Array(64 * 64);
  for (let i = 0; i < 64; i++) {
    const ini = Math.trunc(((i + 0.5) * rows) / 64);
    for (let j = 0; j < 64; j++) {
      const inj = Math.trunc(((j + 0.5) * cols) / 64);
      out[i * 64 + j] = buf1[ini * cols + inj]!;
    }
  }
  return out;
}

/** A small deterministic PRNG (the project's mulberry32). */
export const prng = mulberry32;

/** A smooth-ish random RGB image (gradients plus noise), so hashes have real structure. */
export function randomRgb(width: number, height: number, seed: number, noise = 60): Uint8Array {
  const rand = prng(seed);
  const data = new Uint8Array(width * height * 3);
  const fx = 1 + rand() * 6;
  const fy = 1 + rand() * 6;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const base =
        128 + 90 * Math.sin(((fx * x) / width) * Math.PI + (fy * y) / height) * Math.cos(((fy * y) / height) * 3);
      for (let c = 0; c < 3; c++) {
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base + (rand() - 0.5) * noise + c * 10)));
      }
    }
  }
  return data;
}

/** A "photo-like" RGB image: random overlapping rectangles and discs on a gradient. */
export function structuredRgb(width: number, height: number, seed: number): Uint8Array {
  const rand = prng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = Math.round((255 * (x + y)) / (width + height));
      data.fill(v, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  for (let s = 0; s < 12; s++) {
    const cx = rand() * width;
    const cy = rand() * height;
    const r = (0.08 + rand() * 0.25) * Math.min(width, height);
    const colour = [rand() * 255, rand() * 255, rand() * 255];
    const disc = rand() < 0.5;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside = disc
          ? (x - cx) ** 2 + (y - cy) ** 2 < r * r
          : Math.abs(x - cx) < r && Math.abs(y - cy) < r * 0.6;
        if (inside) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = Math.round(colour[c]!);
      }
    }
  }
  return data;
}
