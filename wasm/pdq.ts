/**
 * PDQ's 64x64 downsample and 16x16 DCT in WebAssembly with 128-bit SIMD (AssemblyScript),
 * bit-exact with the reference and with src/kernels/pdq (jarosz.ts, dct.ts, luma.ts).
 *
 * Why: in JavaScript every float32 operation is a double operation plus a rounding
 * (Math.fround), and nothing is vectorised; here f32x4 operations are native float32, four
 * lanes at a time, so the same sequence of roundings costs a fraction of the time.
 *
 * Same arithmetic as the TypeScript kernel (see the design note in jarosz.ts):
 * - luma `(0.299f·R + 0.587f·G) + 0.114f·B` per pixel, or the grey value;
 * - box filters as running float32 sums (add the sample entering, subtract the one leaving;
 *   zeros outside the image), mean = sum / count in float32 (the reference's division);
 * - two passes (rows then columns, twice), kept at the 64 sampled columns and rows;
 * - the DCT as float32 multiply then add, k ascending, no fused multiply-add.
 * Vectors hold four rows (row passes, "position-major": one vector per column position)
 * or four columns (column passes, row-major); 4x4 transposes move between the two.
 *
 * Use: `prepare(rows, cols, channels, grey)` returns where to write the pixels (8-bit,
 * interleaved), `run()` computes, `out64()` and `dct16()` point at the results (float32).
 * Memory grows on demand and is reused from call to call.
 */

// The reference's luma coefficients, rounded to float32.
const CR: f32 = 0.299;
const CG: f32 = 0.587;
const CB: f32 = 0.114;

let rows: i32 = 0;
let cols: i32 = 0;
let channels: i32 = 0;
let grey: bool = false;
/** cols rounded up to a multiple of 4. */
let cols4: i32 = 0;
let wr: i32 = 0; // window along rows (spans columns)
let wc: i32 = 0; // window along columns (spans rows)
let pad: i32 = 0; // zero positions either side of a position-major block
let rightR: i32 = 0;
let leftR: i32 = 0;
let rightC: i32 = 0;
let leftC: i32 = 0;
let ringMask: i32 = 0;

let maskR: v128 = i32x4.splat(0);
let maskG: v128 = i32x4.splat(0);
let maskB: v128 = i32x4.splat(0);

let pIn: usize = 0; // pixels, rows * cols * channels bytes (+16 slack)
let pZeroBytes: usize = 0; // a zero pixel row (+16)
let pLuma: usize = 0; // 4 rows of luma, position-major, with pads
let pPass1: usize = 0; // 4 rows of pass 1, position-major, with pads
let pRing: usize = 0; // row-filtered rows, row-major, ring of ringMask + 1 rows
let pDump: usize = 0; // where rows past the image are written
let pZeroRow: usize = 0; // a zero row of cols4 floats
let pSums: usize = 0; // column sums, cols4 floats
let pCountR: usize = 0; // window sizes along rows, per column (f32), cols4 + 4
let pCountC: usize = 0; // window sizes along columns, per row (f32), rows + 4
let pKeepR: usize = 0; // 64 sampled columns (i32)
let pKeepC: usize = 0; // 64 sampled rows (i32)
let pRows64: usize = 0; // pass 1 then the row pass 2, kept at 64 columns: (rows + 4) x 64
let pSums64: usize = 0; // 64 column sums
let pOut64: usize = 0; // 64 x 64 result
let pD: usize = 0; // DCT matrix 16 x 64, written by the host
let pDt: usize = 0; // its transpose 64 x 16
let pT: usize = 0; // D · A, 16 x 64
let pDct: usize = 0; // 16 x 16 result
let pEnd: usize = 0;
let fixedEnd: usize = 0;

function align16(p: usize): usize {
  return (p + 15) & ~(<usize>15);
}

/** Allocates the fixed buffers (64x64, DCT) once. */
function fixedLayout(): void {
  if (fixedEnd != 0) return;
  let p = align16(__heap_base);
  pKeepR = p;
  p += 64 * 4;
  pKeepC = p;
  p += 64 * 4;
  pSums64 = p;
  p += 64 * 4;
  pOut64 = p;
  p += 64 * 64 * 4;
  pD = p;
  p += 16 * 64 * 4;
  pDt = p;
  p += 64 * 16 * 4;
  pT = p;
  p += 16 * 64 * 4;
  pDct = p;
  p += 16 * 16 * 4;
  fixedEnd = p;
  ensure(p);
}

function ensure(end: usize): void {
  const have = (<usize>memory.size()) << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) unreachable();
  }
}

function windowSize(dim: i32): i32 {
  return (dim + 2 * 64 - 1) / (2 * 64);
}

function channelMask(offset: i32): v128 {
  // Lane q (i32) takes byte q * channels + offset; the other bytes are zero (index 0x80).
  let m = i8x16.splat(<i8>0x80);
  m = i8x16.replace_lane(m, 0, <i8>offset);
  m = i8x16.replace_lane(m, 4, <i8>(channels + offset));
  m = i8x16.replace_lane(m, 8, <i8>(2 * channels + offset));
  m = i8x16.replace_lane(m, 12, <i8>(3 * channels + offset));
  return m;
}

function zero(p: usize, bytes: usize): void {
  memory.fill(p, 0, bytes);
}

/** Where the host writes the DCT matrix (16 x 64 float32, row-major). */
export function dctMatrix(): usize {
  fixedLayout();
  return pD;
}

/** Copies the DCT matrix into its transpose; call after writing it. */
export function dctMatrixWritten(): void {
  for (let i = 0; i < 16; i++) {
    for (let k = 0; k < 64; k++) store<f32>(pDt + <usize>(k * 16 + i) * 4, load<f32>(pD + <usize>(i * 64 + k) * 4));
  }
}

/**
 * Lays out the buffers for a `r` x `c` image with `ch` channels (1, 3 or 4; `g` = take the
 * first channel as luma) and returns where its pixels go.
 */
export function prepare(r: i32, c: i32, ch: i32, g: bool): usize {
  fixedLayout();
  rows = r;
  cols = c;
  channels = ch;
  grey = g;
  cols4 = (c + 3) & ~3;
  wr = windowSize(c);
  wc = windowSize(r);
  rightR = ((wr + 2) >> 1) - 1;
  leftR = wr - ((wr + 2) >> 1);
  rightC = ((wc + 2) >> 1) - 1;
  leftC = wc - ((wc + 2) >> 1);
  pad = wr + 4;
  let ring = 1;
  while (ring < wc + 12) ring <<= 1;
  ringMask = ring - 1;
  maskR = channelMask(0);
  maskG = channelMask(g ? 0 : 1);
  maskB = channelMask(g ? 0 : 2);

  const rowBytes = <usize>(c * ch);
  const pmBytes = <usize>(cols4 + 2 * pad) * 16;
  const rowFloats = <usize>cols4 * 4;
  let p = fixedEnd;
  pIn = p;
  p = align16(p + rowBytes * <usize>r + 16);
  pZeroBytes = p;
  p = align16(p + rowBytes + 16);
  pLuma = p;
  p += pmBytes;
  pPass1 = p;
  p += pmBytes;
  pRing = p;
  p += rowFloats * <usize>ring;
  pDump = p;
  p += rowFloats;
  pZeroRow = p;
  p += rowFloats;
  pSums = p;
  p += rowFloats;
  pCountR = p;
  p += <usize>(cols4 + 4) * 4;
  pCountC = p;
  p = align16(p + <usize>(r + 4) * 4);
  pRows64 = p;
  p += <usize>(r + 4) * 64 * 4;
  pEnd = p;
  ensure(pEnd);

  zero(pZeroBytes, rowBytes + 16);
  zero(pZeroRow, rowFloats);
  fillCounts(pCountR, c, cols4 + 4, leftR, rightR);
  fillCounts(pCountC, r, r + 4, leftC, rightC);
  fillKeep(pKeepR, c);
  fillKeep(pKeepC, r);
  return pIn;
}

/** Samples in each position's window, truncated at the edges; 1 past the end. */
function fillCounts(p: usize, length: i32, total: i32, left: i32, right: i32): void {
  for (let i = 0; i < total; i++) {
    const hi = i + right < length - 1 ? i + right : length - 1;
    const lo = i - left > 0 ? i - left : 0;
    store<f32>(p + <usize>i * 4, i < length ? <f32>(hi - lo + 1) : 1);
  }
}

/** The reference's decimation: cell centres, computed in double. */
function fillKeep(p: usize, length: i32): void {
  for (let i = 0; i < 64; i++) store<i32>(p + <usize>i * 4, <i32>(((<f64>i + 0.5) * <f64>length) / 64));
}

function ringRow(t: i32): usize {
  if (t < 0 || t >= rows) return pZeroRow;
  return pRing + <usize>(t & ringMask) * <usize>cols4 * 4;
}

/** Luma of four pixels (one v128 load; lanes as i32 after the swizzle). */
function luma4(v: v128): v128 {
  const r = f32x4.convert_i32x4_u(i8x16.swizzle(v, maskR));
  if (grey) return r;
  const g = f32x4.convert_i32x4_u(i8x16.swizzle(v, maskG));
  const b = f32x4.convert_i32x4_u(i8x16.swizzle(v, maskB));
  return f32x4.add(
    f32x4.add(f32x4.mul(r, f32x4.splat(CR)), f32x4.mul(g, f32x4.splat(CG))),
    f32x4.mul(b, f32x4.splat(CB)),
  );
}

/**
 * Stores the 4x4 transpose of rows v0..v3 (four lanes each): lane k of every row, in row
 * order, goes to address ak. Turns four rows at four positions into four positions of four
 * rows, and back.
 */
function storeTransposed(a0: usize, a1: usize, a2: usize, a3: usize, v0: v128, v1: v128, v2: v128, v3: v128): void {
  const t0 = f32x4.shuffle(v0, v1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(v2, v3, 0, 4, 1, 5);
  const t2 = f32x4.shuffle(v0, v1, 2, 6, 3, 7);
  const t3 = f32x4.shuffle(v2, v3, 2, 6, 3, 7);
  v128.store(a0, f32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(a1, f32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(a2, f32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(a3, f32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/** Luma of rows base..base+3 (zeros past the image) into pLuma, position-major. */
function lumaBlock(base: i32): void {
  const rowBytes = <usize>(cols * channels);
  const r0 = base < rows ? pIn + <usize>base * rowBytes : pZeroBytes;
  const r1 = base + 1 < rows ? pIn + <usize>(base + 1) * rowBytes : pZeroBytes;
  const r2 = base + 2 < rows ? pIn + <usize>(base + 2) * rowBytes : pZeroBytes;
  const r3 = base + 3 < rows ? pIn + <usize>(base + 3) * rowBytes : pZeroBytes;
  const step = <usize>(4 * channels);
  let o = pLuma + <usize>pad * 16;
  for (let x = 0, i: usize = 0; x < cols; x += 4, i += step, o += 64) {
    const l0 = luma4(v128.load(r0 + i));
    const l1 = luma4(v128.load(r1 + i));
    const l2 = luma4(v128.load(r2 + i));
    const l3 = luma4(v128.load(r3 + i));
    storeTransposed(o, o + 16, o + 32, o + 48, l0, l1, l2, l3);
  }
  zero(pLuma + <usize>(pad + cols) * 16, <usize>(cols4 - cols) * 16);
}

/** Box filter along rows of the block in pLuma; the four rows go to the ring, row-major. */
function rowPass1(base: i32): void {
  let s = f32x4.splat(0);
  let a = pLuma + <usize>pad * 16;
  for (let t = 0; t < rightR; t++, a += 16) s = f32x4.add(s, v128.load(a));
  let b = pLuma + <usize>(pad - leftR - 1) * 16;
  const d0 = base < rows ? ringRow(base) : pDump;
  const d1 = base + 1 < rows ? ringRow(base + 1) : pDump;
  const d2 = base + 2 < rows ? ringRow(base + 2) : pDump;
  const d3 = base + 3 < rows ? ringRow(base + 3) : pDump;
  for (let x = 0; x < cols4; x += 4, a += 64, b += 64) {
    const cnt = pCountR + <usize>x * 4;
    s = f32x4.sub(f32x4.add(s, v128.load(a)), v128.load(b));
    const o0 = f32x4.div(s, v128.load32_splat(cnt));
    s = f32x4.sub(f32x4.add(s, v128.load(a, 16)), v128.load(b, 16));
    const o1 = f32x4.div(s, v128.load32_splat(cnt, 4));
    s = f32x4.sub(f32x4.add(s, v128.load(a, 32)), v128.load(b, 32));
    const o2 = f32x4.div(s, v128.load32_splat(cnt, 8));
    s = f32x4.sub(f32x4.add(s, v128.load(a, 48)), v128.load(b, 48));
    const o3 = f32x4.div(s, v128.load32_splat(cnt, 12));
    const off = <usize>x * 4;
    storeTransposed(d0 + off, d1 + off, d2 + off, d3 + off, o0, o1, o2, o3);
  }
}

/**
 * Output rows i0..i0+3 of the column pass over the ring (each column's running sum stays in
 * a register across the four), written position-major into pPass1; then the row pass 2.
 */
function columnGroup(i0: i32): void {
  const n0 = ringRow(i0 + rightC);
  const n1 = ringRow(i0 + 1 + rightC);
  const n2 = ringRow(i0 + 2 + rightC);
  const n3 = ringRow(i0 + 3 + rightC);
  const s0 = ringRow(i0 - leftC - 1);
  const s1 = ringRow(i0 - leftC);
  const s2 = ringRow(i0 - leftC + 1);
  const s3 = ringRow(i0 - leftC + 2);
  const cnt = pCountC + <usize>i0 * 4;
  const c0 = v128.load32_splat(cnt);
  const c1 = v128.load32_splat(cnt, 4);
  const c2 = v128.load32_splat(cnt, 8);
  const c3 = v128.load32_splat(cnt, 12);
  let o = pPass1 + <usize>pad * 16;
  for (let c = 0; c < cols4; c += 4, o += 64) {
    const off = <usize>c * 4;
    let s = v128.load(pSums + off);
    s = f32x4.sub(f32x4.add(s, v128.load(n0 + off)), v128.load(s0 + off));
    const v0 = f32x4.div(s, c0);
    s = f32x4.sub(f32x4.add(s, v128.load(n1 + off)), v128.load(s1 + off));
    const v1 = f32x4.div(s, c1);
    s = f32x4.sub(f32x4.add(s, v128.load(n2 + off)), v128.load(s2 + off));
    const v2 = f32x4.div(s, c2);
    s = f32x4.sub(f32x4.add(s, v128.load(n3 + off)), v128.load(s3 + off));
    const v3 = f32x4.div(s, c3);
    v128.store(pSums + off, s);
    storeTransposed(o, o + 16, o + 32, o + 48, v0, v1, v2, v3);
  }
  zero(pPass1 + <usize>(pad + cols) * 16, <usize>(cols4 - cols) * 16);
  rowPass2(i0);
}

/** Box filter along the four rows in pPass1, kept at the 64 sampled columns, into pRows64. */
function rowPass2(i0: i32): void {
  let s = f32x4.splat(0);
  let a = pPass1 + <usize>pad * 16;
  for (let t = 0; t < rightR; t++, a += 16) s = f32x4.add(s, v128.load(a));
  let b = pPass1 + <usize>(pad - leftR - 1) * 16;
  const out = pRows64 + <usize>i0 * 64 * 4;
  let x = 0;
  for (let j = 0; j < 64; j++) {
    const target = load<i32>(pKeepR + <usize>j * 4);
    for (; x <= target; x++, a += 16, b += 16) s = f32x4.sub(f32x4.add(s, v128.load(a)), v128.load(b));
    const v = f32x4.div(s, v128.load32_splat(pCountR + <usize>target * 4));
    const o = out + <usize>j * 4;
    v128.store32_lane(o, v, 0);
    v128.store32_lane(o, v, 1, 256);
    v128.store32_lane(o, v, 2, 512);
    v128.store32_lane(o, v, 3, 768);
  }
}

/** Box filter down the 64 columns of pRows64, kept at the 64 sampled rows, into pOut64. */
function columnPass2(): void {
  zero(pSums64, 256);
  for (let t = 0; t < rightC; t++) {
    const a = pRows64 + <usize>t * 256;
    for (let c: usize = 0; c < 256; c += 16)
      v128.store(pSums64 + c, f32x4.add(v128.load(pSums64 + c), v128.load(a + c)));
  }
  let i = 0;
  for (let j = 0; j < 64; j++) {
    const target = load<i32>(pKeepC + <usize>j * 4);
    for (; i <= target; i++) {
      const add = i + rightC;
      const sub = i - leftC - 1;
      const a = pRows64 + <usize>add * 256;
      const b = pRows64 + <usize>sub * 256;
      if (add < rows && sub >= 0) {
        for (let c: usize = 0; c < 256; c += 16) {
          v128.store(pSums64 + c, f32x4.sub(f32x4.add(v128.load(pSums64 + c), v128.load(a + c)), v128.load(b + c)));
        }
      } else if (add < rows) {
        for (let c: usize = 0; c < 256; c += 16)
          v128.store(pSums64 + c, f32x4.add(v128.load(pSums64 + c), v128.load(a + c)));
      } else if (sub >= 0) {
        for (let c: usize = 0; c < 256; c += 16)
          v128.store(pSums64 + c, f32x4.sub(v128.load(pSums64 + c), v128.load(b + c)));
      }
    }
    const cnt = v128.load32_splat(pCountC + <usize>target * 4);
    const o = pOut64 + <usize>j * 256;
    for (let c: usize = 0; c < 256; c += 16) v128.store(o + c, f32x4.div(v128.load(pSums64 + c), cnt));
  }
}

/** out16 = D · A · Dᵀ: float32 products and sums, k ascending, four outputs at a time. */
function dct(): void {
  for (let i = 0; i < 16; i++) {
    const di = pD + <usize>i * 256;
    const ti = pT + <usize>i * 256;
    for (let j: usize = 0; j < 256; j += 16) {
      let sum = f32x4.splat(0);
      for (let k = 0; k < 64; k++) {
        sum = f32x4.add(sum, f32x4.mul(v128.load32_splat(di + <usize>k * 4), v128.load(pOut64 + <usize>k * 256 + j)));
      }
      v128.store(ti + j, sum);
    }
  }
  for (let i = 0; i < 16; i++) {
    const ti = pT + <usize>i * 256;
    for (let j: usize = 0; j < 64; j += 16) {
      let sum = f32x4.splat(0);
      for (let k = 0; k < 64; k++) {
        sum = f32x4.add(sum, f32x4.mul(v128.load32_splat(ti + <usize>k * 4), v128.load(pDt + <usize>k * 64 + j)));
      }
      v128.store(pDct + <usize>i * 64 + j, sum);
    }
  }
}

/** Filters, downsamples and transforms the pixels written at prepare()'s pointer. */
export function run(): void {
  zero(pLuma, <usize>(cols4 + 2 * pad) * 16);
  zero(pPass1, <usize>(cols4 + 2 * pad) * 16);
  zero(pSums, <usize>cols4 * 4);
  let added = 0;
  let next = 0; // first output row of the next column group
  for (let base = 0; base < rows; base += 4) {
    lumaBlock(base);
    rowPass1(base);
    const available = base + 4 < rows ? base + 4 : rows;
    for (; added < rightC && added < available; added++) {
      const a = ringRow(added);
      for (let c: usize = 0; c < <usize>cols4 * 4; c += 16)
        v128.store(pSums + c, f32x4.add(v128.load(pSums + c), v128.load(a + c)));
    }
    if (added < rightC) continue;
    for (; next + 3 + rightC < available; next += 4) columnGroup(next);
  }
  for (; next < rows; next += 4) columnGroup(next);
  columnPass2();
  dct();
}

/** The 64x64 downsample (float32, row-major) of the last run. */
export function out64(): usize {
  return pOut64;
}

/** The 16x16 DCT (float32, row-major) of the last run. */
export function dct16(): usize {
  return pDct;
}
