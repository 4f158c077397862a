/**
 * PDQ's downscale to 64x64: two passes of box filters along rows then columns (a "tent"
 * or Jarosz filter), then sampling at cell centres. Bit-exact with the reference
 * (pdq/cpp/downscaling/downscaling.cpp: box1DFloat, jaroszFilterFloat, decimateFloat).
 *
 * Design note — why this is not a line-by-line port. The reference filters the whole
 * image four times (rows, columns, rows, columns) and then keeps 64x64 samples. Its column
 * pass strides by the row width, which aliases in cache at power-of-two widths (a 512x512
 * image takes 4x longer than 511x511). Here the image streams through once, row by row:
 *
 *   luma row t ──box along the row──▶ ring of the last w+1 filtered rows
 *              ──running column sums──▶ one finished row of pass 1
 *              ──box along the row, kept only at the 64 sampled columns──▶ rows x 64
 *   rows x 64 ──box along the 64 columns, kept only at the 64 sampled rows──▶ 64 x 64
 *
 * Every running sum sees the same float32 additions and subtractions, in the same order,
 * as in the reference, so the result is identical bit for bit; only values the reference
 * computes and then throws away are skipped. Memory is O(cols x window + rows x 64)
 * instead of two full-size float copies of the image.
 */

import type { LumaRowSource } from "./luma.js";

const fround = Math.fround;

/** The reference's window size: ceil(dim / (2 * 64)) for a 64-cell output. */
export function jaroszWindowSize(oldDimension: number, newDimension = 64): number {
  return Math.trunc((oldDimension + 2 * newDimension - 1) / (2 * newDimension));
}

/** Sample index of each of the `count` output cells (cell centres, computed in double). */
export function decimationIndices(length: number, count = 64): Int32Array {
  const idx = new Int32Array(count);
  for (let i = 0; i < count; i++) idx[i] = Math.trunc(((i + 0.5) * length) / count);
  return idx;
}

/**
 * One box filter along a vector, exactly as box1DFloat: a float32 running sum, divided by
 * the number of samples currently in the window. Writes every output.
 */
export function boxFilter1D(input: Float32Array, output: Float32Array, length: number, window: number): void {
  const half = (window + 2) >> 1;
  const p1 = half - 1;
  const p2 = window - half + 1;
  const p3 = length - window;
  const p4 = half - 1;
  let li = 0;
  let ri = 0;
  let oi = 0;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < p1; i++) {
    sum = fround(sum + input[ri++]!);
    count++;
  }
  for (let i = 0; i < p2; i++) {
    sum = fround(sum + input[ri++]!);
    count++;
    output[oi++] = sum / count;
  }
  for (let i = 0; i < p3; i++) {
    sum = fround(sum + input[ri++]!);
    sum = fround(sum - input[li++]!);
    output[oi++] = sum / count;
  }
  for (let i = 0; i < p4; i++) {
    sum = fround(sum - input[li++]!);
    count--;
    output[oi++] = sum / count;
  }
}

/**
 * The same box filter, but only the outputs at `keep` (ascending, may repeat) are written,
 * to `output[0..keep.length)`. The running sum still visits every sample, so the kept
 * values are the reference's to the bit.
 */
export function boxFilter1DSampled(
  input: Float32Array,
  inOffset: number,
  inStride: number,
  length: number,
  window: number,
  keep: Int32Array,
  output: Float32Array,
  outOffset: number,
): void {
  const half = (window + 2) >> 1;
  const p1 = half - 1;
  const p2 = window - half + 1;
  const p3 = length - window;
  const p4 = half - 1;
  const nKeep = keep.length;
  let li = inOffset;
  let ri = inOffset;
  let oi = 0;
  let k = 0;
  let next = keep[0]!;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < p1; i++) {
    sum = fround(sum + input[ri]!);
    ri += inStride;
    count++;
  }
  for (let i = 0; i < p2; i++, oi++) {
    sum = fround(sum + input[ri]!);
    ri += inStride;
    count++;
    while (next === oi) {
      output[outOffset + k++] = sum / count;
      next = k < nKeep ? keep[k]! : -1;
    }
  }
  for (let i = 0; i < p3; i++, oi++) {
    sum = fround(sum + input[ri]!);
    sum = fround(sum - input[li]!);
    ri += inStride;
    li += inStride;
    while (next === oi) {
      output[outOffset + k++] = sum / count;
      next = k < nKeep ? keep[k]! : -1;
    }
  }
  for (let i = 0; i < p4; i++, oi++) {
    sum = fround(sum - input[li]!);
    li += inStride;
    count--;
    while (next === oi) {
      output[outOffset + k++] = sum / count;
      next = k < nKeep ? keep[k]! : -1;
    }
  }
}

/** Reusable buffers for {@link jaroszTo64x64}, grown on demand. */
export class JaroszScratch {
  lumaRow = new Float32Array(0);
  ring = new Float32Array(0);
  colSums = new Float32Array(0);
  pass1Row = new Float32Array(0);
  rowsBy64 = new Float32Array(0);

  ensure(rows: number, cols: number, ringRows: number): void {
    if (this.lumaRow.length < cols) {
      this.lumaRow = new Float32Array(cols);
      this.colSums = new Float32Array(cols);
      this.pass1Row = new Float32Array(cols);
    }
    if (this.ring.length < cols * ringRows) this.ring = new Float32Array(cols * ringRows);
    if (this.rowsBy64.length < rows * 64) this.rowsBy64 = new Float32Array(rows * 64);
  }
}

/**
 * Two Jarosz passes over a `rows` x `cols` luma image delivered row by row, then the
 * reference's decimation, into `out` (64 x 64, row-major).
 */
export function jaroszTo64x64(
  source: LumaRowSource,
  rows: number,
  cols: number,
  out: Float32Array,
  scratch: JaroszScratch = new JaroszScratch(),
): void {
  const wr = jaroszWindowSize(cols); // window along rows (spans columns)
  const wc = jaroszWindowSize(rows); // window along columns (spans rows)
  const ringRows = wc + 1;
  scratch.ensure(rows, cols, ringRows);
  const { lumaRow, ring, colSums, pass1Row, rowsBy64 } = scratch;
  const colKeep = decimationIndices(cols);
  const rowKeep = decimationIndices(rows);
  colSums.fill(0, 0, cols);

  // Pass 1 along columns, with the phases of box1DFloat, swept row by row.
  const half = (wc + 2) >> 1;
  const p1 = half - 1;
  const p12 = wc; // p1 + p2
  let outRow = 0;

  const emitPass1Row = (count: number): void => {
    for (let c = 0; c < cols; c++) pass1Row[c] = colSums[c]! / count;
    // Pass 2 along this row, kept only at the sampled columns.
    boxFilter1DSampled(pass1Row, 0, 1, cols, wr, colKeep, rowsBy64, outRow * 64);
    outRow++;
  };

  for (let t = 0; t < rows; t++) {
    source(t, lumaRow);
    const slot = (t % ringRows) * cols;
    const filtered = ring.subarray(slot, slot + cols);
    boxFilter1D(lumaRow, filtered, cols, wr);
    if (t < p12) {
      for (let c = 0; c < cols; c++) colSums[c] = colSums[c]! + filtered[c]!;
      if (t >= p1) emitPass1Row(t + 1);
    } else {
      const oldSlot = ((t - wc) % ringRows) * cols;
      for (let c = 0; c < cols; c++) {
        colSums[c] = fround(colSums[c]! + filtered[c]!) - ring[oldSlot + c]!;
      }
      emitPass1Row(wc);
    }
  }
  // Phase 4: the window slides off the bottom edge.
  let count = wc;
  for (let li = rows - wc; outRow < rows; li++) {
    const oldSlot = (li % ringRows) * cols;
    for (let c = 0; c < cols; c++) colSums[c] = colSums[c]! - ring[oldSlot + c]!;
    count--;
    emitPass1Row(count);
  }

  // Pass 2 along columns, on the rows x 64 matrix, kept only at the sampled rows.
  for (let j = 0; j < 64; j++) {
    boxFilter1DSampled(rowsBy64, j, 64, rows, wc, rowKeep, columnScratch, 0);
    for (let i = 0; i < 64; i++) out[i * 64 + j] = columnScratch[i]!;
  }
}

const columnScratch = new Float32Array(64);
