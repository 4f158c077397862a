/**
 * PDQ's downscale to 64x64: two passes of box filters along rows then columns (a "tent"
 * or Jarosz filter), then sampling at cell centres. Bit-exact with the reference
 * (pdq/cpp/downscaling/downscaling.cpp: box1DFloat, jaroszFilterFloat, decimateFloat).
 *
 * Design note — why this is not a line-by-line port.
 *
 * 1. The reference filters the whole image four times (rows, columns, rows, columns) and
 *    then keeps 64x64 samples. Here the image streams through once, eight rows at a time:
 *
 *      luma rows ──box along rows──▶ ring of the last w+8 filtered rows
 *                ──running column sums──▶ finished rows of pass 1
 *                ──box along rows, kept only at the 64 sampled columns──▶ rows x 64
 *      rows x 64 ──box along the 64 columns, kept only at the 64 sampled rows──▶ 64 x 64
 *
 *    Every running sum sees the same float32 additions and subtractions in the same order
 *    as in the reference; only values the reference computes and throws away are skipped.
 *    Memory is O(cols x window), and the column pass never strides by the row width (the
 *    reference's cache-aliasing trap at power-of-two widths: 512x512 four times slower
 *    than 511x511).
 *
 * 2. A running sum is a chain of dependent float32 operations (in JavaScript each one a
 *    double operation and a round trip through float32), so filtering one row at a time is
 *    bound by latency. Rows go through the row passes eight at a time, laid out
 *    position-major (`block[x * 8 + row]`), with the eight sums in locals: eight independent
 *    chains per step. Column passes advance one sum per column: independent already.
 *
 * 3. The reference's four phases of box1DFloat (window growing, full, shrinking) become one
 *    uniform step: add the sample entering the window, subtract the one leaving it, with
 *    zeros outside the vector. Adding or subtracting +0 leaves a float32 sum unchanged (the
 *    sums are never -0), so every sum equals the reference's. Rows are stored with zero
 *    margins; columns read a zero row past either end.
 *
 * 4. `sum / count` is computed as `sum * (1 / count)` in double and then rounded to
 *    float32. This equals float32 division for every normal float32 sum: the quotient of a
 *    24-bit significand by an integer count (< 2^16) is never within 2^-52 relative of a
 *    float32 rounding midpoint, and the reciprocal product errs by at most 2^-52. Sums of
 *    luma are never subnormal. The conformance tests hold this to the reference's bits.
 */

import { readLuma, type LumaSource } from "./luma.js";

const fround = Math.fround;

/** Rows filtered together in the row passes (locals s0..s7 below). */
const LANES = 8;

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

/** Samples before position i that the reference's window still covers (box1DFloat). */
function leftReach(window: number): number {
  return window - ((window + 2) >> 1);
}

/** Samples after position i that the window covers. */
function rightReach(window: number): number {
  return ((window + 2) >> 1) - 1;
}

/** For each output position: 1 / (samples in its window, truncated at the edges). */
export function windowReciprocals(length: number, window: number): Float64Array {
  const left = leftReach(window);
  const right = rightReach(window);
  const r = new Float64Array(length);
  for (let i = 0; i < length; i++) r[i] = 1 / (Math.min(length - 1, i + right) - Math.max(0, i - left) + 1);
  return r;
}

/**
 * box1DFloat on eight vectors at once. Vector k is read from
 * `input[(pad + x) * 8 + k]`, x = 0..length-1, with zeros for x in [-pad, 0) and
 * [length, length + pad); pad must be at least the window. Output goes to
 * `output[outBase + x * 8 + k]`.
 */
export function boxFilter8(
  input: Float32Array,
  pad: number,
  length: number,
  window: number,
  recip: Float64Array,
  output: Float32Array,
  outBase: number,
): void {
  const right = rightReach(window);
  const left = leftReach(window);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  for (let a = pad * 8, end = (pad + right) * 8; a < end; a += 8) {
    s0 = fround(s0 + input[a]!);
    s1 = fround(s1 + input[a + 1]!);
    s2 = fround(s2 + input[a + 2]!);
    s3 = fround(s3 + input[a + 3]!);
    s4 = fround(s4 + input[a + 4]!);
    s5 = fround(s5 + input[a + 5]!);
    s6 = fround(s6 + input[a + 6]!);
    s7 = fround(s7 + input[a + 7]!);
  }
  let a = (pad + right) * 8;
  let b = (pad - left - 1) * 8;
  let o = outBase;
  for (let x = 0; x < length; x++, a += 8, b += 8, o += 8) {
    const r = recip[x]!;
    s0 = fround(fround(s0 + input[a]!) - input[b]!);
    s1 = fround(fround(s1 + input[a + 1]!) - input[b + 1]!);
    s2 = fround(fround(s2 + input[a + 2]!) - input[b + 2]!);
    s3 = fround(fround(s3 + input[a + 3]!) - input[b + 3]!);
    s4 = fround(fround(s4 + input[a + 4]!) - input[b + 4]!);
    s5 = fround(fround(s5 + input[a + 5]!) - input[b + 5]!);
    s6 = fround(fround(s6 + input[a + 6]!) - input[b + 6]!);
    s7 = fround(fround(s7 + input[a + 7]!) - input[b + 7]!);
    output[o] = s0 * r;
    output[o + 1] = s1 * r;
    output[o + 2] = s2 * r;
    output[o + 3] = s3 * r;
    output[o + 4] = s4 * r;
    output[o + 5] = s5 * r;
    output[o + 6] = s6 * r;
    output[o + 7] = s7 * r;
  }
}

/**
 * The same filter, but only positions listed in `keep` (ascending, may repeat) are
 * written: vector k at kept position j to `output[outBase + k * 64 + j]` (rows of the
 * rows x 64 buffer). Positions after the last kept one are not computed.
 */
function boxFilter8Sampled(
  input: Float32Array,
  pad: number,
  window: number,
  recip: Float64Array,
  keep: Int32Array,
  output: Float32Array,
  outBase: number,
): void {
  const right = rightReach(window);
  const left = leftReach(window);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  for (let a = pad * 8, end = (pad + right) * 8; a < end; a += 8) {
    s0 = fround(s0 + input[a]!);
    s1 = fround(s1 + input[a + 1]!);
    s2 = fround(s2 + input[a + 2]!);
    s3 = fround(s3 + input[a + 3]!);
    s4 = fround(s4 + input[a + 4]!);
    s5 = fround(s5 + input[a + 5]!);
    s6 = fround(s6 + input[a + 6]!);
    s7 = fround(s7 + input[a + 7]!);
  }
  let a = (pad + right) * 8;
  let b = (pad - left - 1) * 8;
  let x = 0;
  for (let j = 0; j < keep.length; j++) {
    const target = keep[j]!;
    for (; x <= target; x++, a += 8, b += 8) {
      s0 = fround(fround(s0 + input[a]!) - input[b]!);
      s1 = fround(fround(s1 + input[a + 1]!) - input[b + 1]!);
      s2 = fround(fround(s2 + input[a + 2]!) - input[b + 2]!);
      s3 = fround(fround(s3 + input[a + 3]!) - input[b + 3]!);
      s4 = fround(fround(s4 + input[a + 4]!) - input[b + 4]!);
      s5 = fround(fround(s5 + input[a + 5]!) - input[b + 5]!);
      s6 = fround(fround(s6 + input[a + 6]!) - input[b + 6]!);
      s7 = fround(fround(s7 + input[a + 7]!) - input[b + 7]!);
    }
    const r = recip[target]!;
    const o = outBase + j;
    output[o] = s0 * r;
    output[o + 64] = s1 * r;
    output[o + 128] = s2 * r;
    output[o + 192] = s3 * r;
    output[o + 256] = s4 * r;
    output[o + 320] = s5 * r;
    output[o + 384] = s6 * r;
    output[o + 448] = s7 * r;
  }
}

/** Reusable buffers for {@link jaroszTo64x64}, grown on demand; cached filter plans. */
export class JaroszScratch {
  /** Eight luma rows, position-major, with `pad` zero positions on both sides. */
  luma = new Float32Array(0);
  /** Eight pass-1 rows (after both box filters), position-major, zero margins. */
  pass1 = new Float32Array(0);
  /** Ring of row-filtered blocks (8 rows each, position-major), then one zero block. */
  ring = new Float32Array(0);
  colSums = new Float64Array(0);
  /** Pass 1 kept at the 64 sampled columns: rows x 64, plus room for a partial block. */
  rowsBy64 = new Float32Array(0);
  sums64 = new Float64Array(64);
  private plans = new Map<string, Plan>();

  plan(rows: number, cols: number): Plan {
    const key = `${rows}x${cols}`;
    let p = this.plans.get(key);
    if (!p) {
      if (this.plans.size > 16) this.plans.clear();
      const wr = jaroszWindowSize(cols);
      const wc = jaroszWindowSize(rows);
      p = {
        wr,
        wc,
        pad: wr + 1,
        ringBlocks: Math.ceil(wc / LANES) + 1,
        recipR: windowReciprocals(cols, wr),
        recipC: windowReciprocals(rows, wc),
        colKeep: decimationIndices(cols),
        rowKeep: decimationIndices(rows),
      };
      this.plans.set(key, p);
    }
    const rowLength = (cols + 2 * p.pad) * LANES;
    if (this.luma.length !== rowLength) {
      this.luma = new Float32Array(rowLength);
      this.pass1 = new Float32Array(rowLength);
    }
    const ringLength = (p.ringBlocks + 1) * cols * LANES;
    if (this.ring.length !== ringLength) this.ring = new Float32Array(ringLength);
    else this.ring.fill(0, p.ringBlocks * cols * LANES);
    if (this.colSums.length < cols) this.colSums = new Float64Array(cols);
    if (this.rowsBy64.length < (rows + LANES) * 64) this.rowsBy64 = new Float32Array((rows + LANES) * 64);
    return p;
  }
}

interface Plan {
  /** Windows along rows (spanning columns) and along columns (spanning rows). */
  readonly wr: number;
  readonly wc: number;
  /** Zero positions on each side of a row block. */
  readonly pad: number;
  /** Ring blocks for the column pass: rows base - wc .. base + 7 must be held. */
  readonly ringBlocks: number;
  readonly recipR: Float64Array;
  readonly recipC: Float64Array;
  readonly colKeep: Int32Array;
  readonly rowKeep: Int32Array;
}

/**
 * Two Jarosz passes over a luma image read eight rows at a time, then the reference's
 * decimation, into `out` (64 x 64, row-major).
 */
export function jaroszTo64x64(
  source: LumaSource,
  out: Float64Array,
  scratch: JaroszScratch = new JaroszScratch(),
): void {
  const { rows, cols } = source;
  const p = scratch.plan(rows, cols);
  const { wr, wc, pad, ringBlocks, recipR, recipC, colKeep } = p;
  const { luma, pass1, ring, colSums, rowsBy64 } = scratch;
  const blockLength = cols * LANES;
  const zeroBlock = ringBlocks * blockLength;
  const right = rightReach(wc);
  const left = leftReach(wc);
  colSums.fill(0, 0, cols);

  // Where row t of the row-filtered image lives in the ring (lane included), or the zero block.
  const ringRow = (t: number): number =>
    t < 0 || t >= rows ? zeroBlock : ((t >> 3) % ringBlocks) * blockLength + (t & 7);

  let added = 0; // rows summed before the first output row (the window's right reach)
  let next = 0; // next output row of pass 1
  let pending = 0; // pass-1 rows waiting in `pass1` for the second pass along rows
  let first = 0; // the row in lane 0 of `pass1`
  const flush = (): void => {
    boxFilter8Sampled(pass1, pad, wr, recipR, colKeep, rowsBy64, first * 64);
    pending = 0;
  };
  // One step of the box filter along columns for output row `i`, into lane `pending`.
  const columnStep = (i: number): void => {
    if (pending === 0) first = i;
    columnRow(ring, ringRow(i + right), ringRow(i - left - 1), colSums, cols, recipC[i]!, pass1, pad * LANES + pending);
    if (++pending === LANES) flush();
  };

  for (let base = 0; base < rows; base += LANES) {
    const lanes = Math.min(LANES, rows - base);
    readLuma(source, base, lanes, luma, pad * LANES, LANES);
    boxFilter8(luma, pad, cols, wr, recipR, ring, ((base >> 3) % ringBlocks) * blockLength);
    const available = base + lanes;
    for (; added < right && added < available; added++) {
      for (let c = 0, cn = ringRow(added); c < cols; c++, cn += 8) colSums[c] = fround(colSums[c]! + ring[cn]!);
    }
    if (added < right) continue;
    // Four output rows per sweep while they fit, then one at a time.
    for (; next + 3 + right < available && pending <= LANES - 4; next += 4) {
      if (pending === 0) first = next;
      columnRows4(ring, colSums, cols, recipC, next, ringRow, right, left, pass1, pad * LANES + pending);
      pending += 4;
      if (pending === LANES) flush();
    }
    for (; next + right < available; next++) columnStep(next);
  }
  for (; next < rows; next++) columnStep(next);
  if (pending > 0) flush();

  // Pass 2 along columns on the 64 kept columns, kept only at the sampled rows.
  columnsSampled(rowsBy64, rows, wc, recipC, p.rowKeep, scratch.sums64, out);
}

/**
 * One step of box1DFloat down every column at once: add row `add`, subtract row `sub`
 * (ring offsets of position-major rows), and write the means to `out[at + c * 8]`.
 */
function columnRow(
  ring: Float32Array,
  add: number,
  sub: number,
  sums: Float64Array,
  cols: number,
  r: number,
  out: Float32Array,
  at: number,
): void {
  for (let c = 0; c < cols; c++) {
    const k = c << 3;
    const s = fround(fround(sums[c]! + ring[add + k]!) - ring[sub + k]!);
    sums[c] = s;
    out[at + k] = s * r;
  }
}

/**
 * Four consecutive steps (output rows i..i+3) of box1DFloat down every column, in one
 * sweep: each column's sum stays in a register across the four rows.
 */
function columnRows4(
  ring: Float32Array,
  sums: Float64Array,
  cols: number,
  recip: Float64Array,
  i: number,
  ringRow: (t: number) => number,
  right: number,
  left: number,
  out: Float32Array,
  at: number,
): void {
  const n0 = ringRow(i + right);
  const n1 = ringRow(i + 1 + right);
  const n2 = ringRow(i + 2 + right);
  const n3 = ringRow(i + 3 + right);
  const o0 = ringRow(i - left - 1);
  const o1 = ringRow(i - left);
  const o2 = ringRow(i - left + 1);
  const o3 = ringRow(i - left + 2);
  const r0 = recip[i]!;
  const r1 = recip[i + 1]!;
  const r2 = recip[i + 2]!;
  const r3 = recip[i + 3]!;
  for (let c = 0, k = 0; c < cols; c++, k += 8) {
    let s = sums[c]!;
    s = fround(fround(s + ring[n0 + k]!) - ring[o0 + k]!);
    out[at + k] = s * r0;
    s = fround(fround(s + ring[n1 + k]!) - ring[o1 + k]!);
    out[at + k + 1] = s * r1;
    s = fround(fround(s + ring[n2 + k]!) - ring[o2 + k]!);
    out[at + k + 2] = s * r2;
    s = fround(fround(s + ring[n3 + k]!) - ring[o3 + k]!);
    out[at + k + 3] = s * r3;
    sums[c] = s;
  }
}

/** box1DFloat down the 64 columns of a rows x 64 buffer, kept at rows `keep`, into `out`. */
function columnsSampled(
  input: Float32Array,
  rows: number,
  window: number,
  recip: Float64Array,
  keep: Int32Array,
  sums: Float64Array,
  out: Float64Array,
): void {
  const right = rightReach(window);
  const left = leftReach(window);
  sums.fill(0);
  for (let t = 0; t < right; t++) {
    for (let c = 0, a = t * 64; c < 64; c++, a++) sums[c] = fround(sums[c]! + input[a]!);
  }
  let i = 0;
  for (let j = 0; j < 64; j++) {
    const target = keep[j]!;
    for (; i <= target; i++) {
      const add = i + right;
      const sub = i - left - 1;
      if (add < rows && sub >= 0) {
        for (let c = 0, a = add * 64, b = sub * 64; c < 64; c++, a++, b++) {
          sums[c] = fround(fround(sums[c]! + input[a]!) - input[b]!);
        }
      } else if (add < rows) {
        for (let c = 0, a = add * 64; c < 64; c++, a++) sums[c] = fround(sums[c]! + input[a]!);
      } else if (sub >= 0) {
        for (let c = 0, b = sub * 64; c < 64; c++, b++) sums[c] = fround(sums[c]! - input[b]!);
      }
    }
    const r = recip[target]!;
    for (let c = 0, o = j * 64; c < 64; c++, o++) out[o] = fround(sums[c]! * r);
  }
}
