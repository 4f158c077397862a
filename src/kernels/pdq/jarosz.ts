/**
 * PDQ's downscale to 64x64: two passes of box filters along rows then columns (a "tent"
 * or Jarosz filter), then sampling at cell centres. Bit-exact with the reference
 * (pdq/cpp/downscaling/downscaling.cpp: box1DFloat, jaroszFilterFloat, decimateFloat).
 *
 * Design note — why this is not a line-by-line port.
 *
 * 1. The reference filters the whole image four times (rows, columns, rows, columns) and
 *    then keeps 64x64 samples. Here the image streams through once, in blocks of rows:
 *
 *      luma rows ──box along rows──▶ ring of the last w+1 filtered rows
 *                ──running column sums──▶ finished rows of pass 1
 *                ──box along rows, kept only at the 64 sampled columns──▶ rows x 64
 *      rows x 64 ──box along the 64 columns, kept only at the 64 sampled rows──▶ 64 x 64
 *
 *    Every running sum sees the same float32 additions and subtractions in the same order
 *    as in the reference; only values the reference computes and throws away are skipped.
 *    Memory is O(cols x window) plus rows x 64, not two float copies of the image, and the
 *    column pass never strides by the row width (the reference's cache-aliasing trap at
 *    power-of-two widths: 512x512 four times slower than 511x511).
 *
 * 2. A running sum is a chain of dependent float32 operations, so filtering one row at a
 *    time is bound by latency. Rows are filtered in blocks laid out position-major
 *    (`block[x * lanes + row]`), so the innermost loop advances many independent sums.
 *
 * 3. `sum / count` is computed as `sum * (1 / count)` in double and then rounded to
 *    float32. This equals float32 division for every normal float32 sum: the quotient of a
 *    24-bit significand by an integer count (< 2^16) is never within 2^-52 relative of a
 *    float32 rounding midpoint, and the reciprocal product errs by at most 2^-52. Sums of
 *    luma are never subnormal. The conformance tests hold this to the reference's bits.
 */

import { readLuma, type LumaSource } from "./luma.js";

const fround = Math.fround;

/** Rows filtered together (lanes of the row passes). */
const BLOCK = 16;

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

function reciprocals(window: number): Float64Array {
  const r = new Float64Array(window + 1);
  for (let i = 1; i <= window; i++) r[i] = 1 / i;
  return r;
}

/**
 * box1DFloat on `lanes` vectors at once. Element (position p, lane l) is read from
 * `input[p * inPos + l]` and written to `output[outBase + p * outPos + l * outLane]`.
 * Buffers hold float32 values in float64 slots (no conversion on every load); every
 * operation is rounded to float32 explicitly.
 */
export function boxFilterLanes(
  input: Float64Array,
  inPos: number,
  output: Float64Array,
  outBase: number,
  outPos: number,
  outLane: number,
  lanes: number,
  length: number,
  window: number,
  sums: Float64Array,
): void {
  const half = (window + 2) >> 1;
  const p1 = half - 1;
  const p2 = window - half + 1;
  const p3 = length - window;
  const p4 = half - 1;
  const recip = reciprocals(window);
  sums.fill(0, 0, lanes);
  let ri = 0;
  let li = 0;
  let oi = 0;
  let count = 0;
  for (let i = 0; i < p1; i++, ri++) {
    const a = ri * inPos;
    for (let l = 0; l < lanes; l++) sums[l] = fround(sums[l]! + input[a + l]!);
    count++;
  }
  for (let i = 0; i < p2; i++, ri++, oi++) {
    const a = ri * inPos;
    const r = recip[++count]!;
    const o = outBase + oi * outPos;
    for (let l = 0; l < lanes; l++) {
      const s = fround(sums[l]! + input[a + l]!);
      sums[l] = s;
      output[o + l * outLane] = fround(s * r);
    }
  }
  const r = recip[window]!;
  for (let i = 0; i < p3; i++, ri++, li++, oi++) {
    const a = ri * inPos;
    const b = li * inPos;
    const o = outBase + oi * outPos;
    for (let l = 0; l < lanes; l++) {
      const s = fround(fround(sums[l]! + input[a + l]!) - input[b + l]!);
      sums[l] = s;
      output[o + l * outLane] = fround(s * r);
    }
  }
  for (let i = 0; i < p4; i++, li++, oi++) {
    const b = li * inPos;
    const r = recip[--count]!;
    const o = outBase + oi * outPos;
    for (let l = 0; l < lanes; l++) {
      const s = fround(sums[l]! - input[b + l]!);
      sums[l] = s;
      output[o + l * outLane] = fround(s * r);
    }
  }
}

/**
 * The same filter, but only positions listed in `keep` (ascending, may repeat) are
 * written, the j-th of them to `output[outBase + j * outPos + l * outLane]`. The running
 * sums still visit every position, so the kept values are the reference's to the bit.
 */
export function boxFilterLanesSampled(
  input: Float64Array,
  inPos: number,
  output: Float64Array,
  outBase: number,
  outPos: number,
  outLane: number,
  lanes: number,
  length: number,
  window: number,
  keep: Int32Array,
  sums: Float64Array,
): void {
  const half = (window + 2) >> 1;
  const p1 = half - 1;
  const p2 = window - half + 1;
  const p3 = length - window;
  const p4 = half - 1;
  const recip = reciprocals(window);
  const nKeep = keep.length;
  let k = 0;
  let next = keep[0]!;
  sums.fill(0, 0, lanes);
  let ri = 0;
  let li = 0;
  let oi = 0;
  let count = 0;
  const emit = (): void => {
    while (next === oi) {
      const r = recip[count]!;
      const o = outBase + k * outPos;
      for (let l = 0; l < lanes; l++) output[o + l * outLane] = fround(sums[l]! * r);
      k++;
      next = k < nKeep ? keep[k]! : -1;
    }
  };
  for (let i = 0; i < p1; i++, ri++) {
    const a = ri * inPos;
    for (let l = 0; l < lanes; l++) sums[l] = fround(sums[l]! + input[a + l]!);
    count++;
  }
  for (let i = 0; i < p2; i++, ri++, oi++) {
    const a = ri * inPos;
    for (let l = 0; l < lanes; l++) sums[l] = fround(sums[l]! + input[a + l]!);
    count++;
    emit();
  }
  for (let i = 0; i < p3; i++, ri++, li++, oi++) {
    const a = ri * inPos;
    const b = li * inPos;
    for (let l = 0; l < lanes; l++) sums[l] = fround(fround(sums[l]! + input[a + l]!) - input[b + l]!);
    if (next === oi) emit();
  }
  for (let i = 0; i < p4; i++, li++, oi++) {
    const b = li * inPos;
    for (let l = 0; l < lanes; l++) sums[l] = fround(sums[l]! - input[b + l]!);
    count--;
    emit();
  }
}

/** Reusable buffers for {@link jaroszTo64x64}, grown on demand. */
export class JaroszScratch {
  lumaBlock = new Float64Array(0);
  filteredBlock = new Float64Array(0);
  pass1Block = new Float64Array(0);
  ring = new Float64Array(0);
  colSums = new Float64Array(0);
  laneSums = new Float64Array(Math.max(BLOCK, 64));
  rowsBy64 = new Float64Array(0);

  ensure(rows: number, cols: number, ringRows: number): void {
    if (this.colSums.length < cols) {
      this.colSums = new Float64Array(cols);
      this.lumaBlock = new Float64Array(cols * BLOCK);
      this.filteredBlock = new Float64Array(cols * BLOCK);
      this.pass1Block = new Float64Array(cols * BLOCK);
    }
    if (this.ring.length < cols * ringRows) this.ring = new Float64Array(cols * ringRows);
    if (this.rowsBy64.length < rows * 64) this.rowsBy64 = new Float64Array(rows * 64);
  }
}

/**
 * Two Jarosz passes over a luma image read a block of rows at a time, then the
 * reference's decimation, into `out` (64 x 64, row-major).
 */
export function jaroszTo64x64(
  source: LumaSource,
  out: Float64Array,
  scratch: JaroszScratch = new JaroszScratch(),
): void {
  const { rows, cols } = source;
  const wr = jaroszWindowSize(cols); // window along rows (spans columns)
  const wc = jaroszWindowSize(rows); // window along columns (spans rows)
  const ringRows = wc + 1;
  scratch.ensure(rows, cols, ringRows);
  const { lumaBlock, filteredBlock, pass1Block, ring, colSums, laneSums, rowsBy64 } = scratch;
  const colKeep = decimationIndices(cols);
  const rowKeep = decimationIndices(rows);
  const recipC = reciprocals(wc);
  colSums.fill(0, 0, cols);

  // Pass-1 rows waiting for pass 2 along rows, position-major in pass1Block.
  let pending = 0;
  let outRow = 0;
  const flush = (): void => {
    if (pending === 0) return;
    boxFilterLanesSampled(pass1Block, BLOCK, rowsBy64, outRow * 64, 1, 64, pending, cols, wr, colKeep, laneSums);
    outRow += pending;
    pending = 0;
  };

  // Pass 1 along columns follows the phases of box1DFloat, swept a row at a time.
  const half = (wc + 2) >> 1;
  const p1 = half - 1;

  for (let base = 0; base < rows; base += BLOCK) {
    const lanes = Math.min(BLOCK, rows - base);
    readLuma(source, base, lanes, lumaBlock, 0, BLOCK);
    boxFilterLanes(lumaBlock, BLOCK, filteredBlock, 0, BLOCK, 1, lanes, cols, wr, laneSums);

    for (let k = 0; k < lanes; k++) {
      const t = base + k;
      const slot = (t % ringRows) * cols;
      if (t < wc) {
        // Phases 1 and 2: the window grows.
        for (let c = 0, f = k; c < cols; c++, f += BLOCK) {
          const v = filteredBlock[f]!;
          ring[slot + c] = v;
          colSums[c] = fround(colSums[c]! + v);
        }
        if (t >= p1) {
          const r = recipC[t + 1]!;
          for (let c = 0, o = pending; c < cols; c++, o += BLOCK) pass1Block[o] = fround(colSums[c]! * r);
          if (++pending === BLOCK) flush();
        }
      } else {
        // Phase 3: add the new row, subtract the one leaving the window.
        const old = ((t - wc) % ringRows) * cols;
        const r = recipC[wc]!;
        for (let c = 0, f = k, o = pending; c < cols; c++, f += BLOCK, o += BLOCK) {
          const v = filteredBlock[f]!;
          const s = fround(fround(colSums[c]! + v) - ring[old + c]!);
          ring[slot + c] = v;
          colSums[c] = s;
          pass1Block[o] = fround(s * r);
        }
        if (++pending === BLOCK) flush();
      }
    }
  }
  // Phase 4: the window slides off the bottom edge.
  let count = wc;
  for (let li = rows - wc; outRow + pending < rows; li++) {
    const old = (li % ringRows) * cols;
    count--;
    const r = recipC[count]!;
    for (let c = 0, o = pending; c < cols; c++, o += BLOCK) {
      const s = fround(colSums[c]! - ring[old + c]!);
      colSums[c] = s;
      pass1Block[o] = fround(s * r);
    }
    if (++pending === BLOCK) flush();
  }
  flush();

  // Pass 2 along columns: 64 lanes (the sampled columns), kept only at the sampled rows.
  boxFilterLanesSampled(rowsBy64, 64, out, 0, 64, 1, 64, rows, wc, rowKeep, laneSums);
}
