/**
 * Luma for PDQ, computed exactly as the reference does in float32:
 * `Y = 0.299f*R + 0.587f*G + 0.114f*B`, evaluated left to right, each product and sum
 * rounded to float32 (pdq/cpp/downscaling/downscaling.cpp, fillFloatLumaFromRGB).
 * Greyscale input uses `Y = grey` (fillFloatLumaFromGrey): that is not the same as the
 * RGB formula on (g, g, g), which is off by one float32 ulp for 35 of the 256 grey levels.
 *
 * The filter reads luma a block of rows at a time from a {@link LumaSource}: a plain
 * description of where the samples are (pixels, optionally resampled by nearest
 * neighbour, or a float matrix), so the whole image never needs a float copy.
 */

const fround = Math.fround;

/** Decoded pixels: 8-bit samples, interleaved, `channels` per pixel, rows top to bottom. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. Alpha is ignored, as the reference drops it. */
  readonly channels: number;
  readonly data: Uint8Array;
}

/** Where luma comes from: `rows` x `cols` values. */
export interface LumaSource {
  readonly rows: number;
  readonly cols: number;
  /** 8-bit pixels (`floats` null), or null when reading `floats`. */
  readonly pixels: Pixels | null;
  /** True: take the first channel as luma (greyscale). */
  readonly grey: boolean;
  /** For each output row, the source pixel row (nearest-neighbour resampling); null = identity. */
  readonly rowMap: Int32Array | null;
  /** For each output column, the byte offset of its pixel within a row; null = x * channels. */
  readonly colOffsets: Int32Array | null;
  /** A row-major float luma matrix, read instead of pixels. */
  readonly floats: Float32Array | Float64Array | null;
}

const COEFF_R = fround(0.299);
const COEFF_G = fround(0.587);
const COEFF_B = fround(0.114);

// fround(coeff * v) for v = 0..255: the float32 product the reference computes.
const TABLE_R = new Float64Array(256);
const TABLE_G = new Float64Array(256);
const TABLE_B = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  TABLE_R[v] = fround(COEFF_R * v);
  TABLE_G[v] = fround(COEFF_G * v);
  TABLE_B[v] = fround(COEFF_B * v);
}

// fround(R part + G part) for (R << 8) | G: the reference's first float32 sum, one lookup.
// Built on first use, not at import: 65,536 entries are a few milliseconds of every CLI start,
// and the WebAssembly kernel (most images) never reads them.
let tableRg: Float32Array | undefined;
function rgTable(): Float32Array {
  if (tableRg) return tableRg;
  const table = new Float32Array(65536);
  for (let r = 0; r < 256; r++) {
    for (let g = 0; g < 256; g++) table[(r << 8) | g] = TABLE_R[r]! + TABLE_G[g]!;
  }
  return (tableRg = table);
}

/** The reference's float32 luma of one RGB pixel. */
export function lumaOf(r: number, g: number, b: number): number {
  return fround(fround(TABLE_R[r]! + TABLE_G[g]!) + TABLE_B[b]!);
}

/**
 * True when the pixels carry no colour: one or two channels, or R = G = B everywhere.
 * The reference decodes through ImageMagick, which hands such images over as greyscale
 * (PGM), so the reference then takes the grey path.
 */
export function isGreyscale(px: Pixels): boolean {
  if (px.channels < 3) return true;
  const { data, channels } = px;
  const n = px.width * px.height * channels;
  for (let i = 0; i < n; i += channels) {
    const r = data[i]!;
    if (data[i + 1] !== r || data[i + 2] !== r) return false;
  }
  return true;
}

/**
 * Source index of each output position under CImg's nearest-neighbour resize
 * (`CImg::resize(..., interpolation_type = 1)`): floor(x * from / to), identity when equal.
 */
export function nearestIndices(from: number, to: number): Int32Array {
  const idx = new Int32Array(to);
  for (let x = 0; x < to; x++) idx[x] = from === to ? x : Math.floor((x * from) / to);
  return idx;
}

/** Luma straight from the pixels. */
export function pixelLuma(px: Pixels, grey = isGreyscale(px)): LumaSource {
  return { rows: px.height, cols: px.width, pixels: px, grey, rowMap: null, colOffsets: null, floats: null };
}

/**
 * Luma of the pixels resized to `toWidth` x `toHeight` by nearest neighbour, the way the
 * reference CLI pre-resizes to 512x512 (aspect ratio not kept).
 */
export function nearestPixelLuma(px: Pixels, toWidth: number, toHeight: number, grey = isGreyscale(px)): LumaSource {
  const xs = nearestIndices(px.width, toWidth);
  const colOffsets = new Int32Array(toWidth);
  for (let x = 0; x < toWidth; x++) colOffsets[x] = xs[x]! * px.channels;
  return {
    rows: toHeight,
    cols: toWidth,
    pixels: px,
    grey,
    rowMap: nearestIndices(px.height, toHeight),
    colOffsets,
    floats: null,
  };
}

/** Luma from a row-major float matrix (`rows` x `cols`). */
export function floatLuma(floats: Float32Array | Float64Array, rows: number, cols: number): LumaSource {
  return { rows, cols, pixels: null, grey: true, rowMap: null, colOffsets: null, floats };
}

/**
 * Writes rows `first .. first+count` of the luma, column x of row `first + k`, to
 * `out[offset + x * stride + k]` (so `stride` = count gives a position-major block and
 * count = 1, stride = 1 gives a plain row).
 */
export function readLuma(
  src: LumaSource,
  first: number,
  count: number,
  out: Float32Array,
  offset: number,
  stride: number,
): void {
  const cols = src.cols;
  if (src.floats !== null) {
    const f = src.floats;
    for (let k = 0; k < count; k++) {
      const base = (first + k) * cols;
      for (let x = 0, o = offset + k; x < cols; x++, o += stride) out[o] = f[base + x]!;
    }
    return;
  }
  const px = src.pixels!;
  const data = px.data;
  const channels = px.channels;
  const rowStride = px.width * channels;
  const rowMap = src.rowMap;
  const colOffsets = src.colOffsets;
  const tr = TABLE_R;
  const tg = TABLE_G;
  const tb = TABLE_B;
  for (let k = 0; k < count; k++) {
    const row = rowMap === null ? first + k : rowMap[first + k]!;
    const base = row * rowStride;
    let o = offset + k;
    if (colOffsets === null) {
      if (src.grey) {
        for (let x = 0, i = base; x < cols; x++, i += channels, o += stride) out[o] = data[i]!;
      } else {
        const trg = rgTable();
        for (let x = 0, i = base; x < cols; x++, i += channels, o += stride) {
          out[o] = trg[(data[i]! << 8) | data[i + 1]!]! + tb[data[i + 2]!]!;
        }
      }
    } else if (src.grey) {
      for (let x = 0; x < cols; x++, o += stride) out[o] = data[base + colOffsets[x]!]!;
    } else {
      for (let x = 0; x < cols; x++, o += stride) {
        const i = base + colOffsets[x]!;
        out[o] = fround(fround(tr[data[i]!]! + tg[data[i + 1]!]!) + tb[data[i + 2]!]!);
      }
    }
  }
}
