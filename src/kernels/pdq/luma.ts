/**
 * Luma rows for PDQ, computed exactly as the reference does in float32:
 * `Y = 0.299f*R + 0.587f*G + 0.114f*B`, evaluated left to right, each product and sum
 * rounded to float32 (pdq/cpp/downscaling/downscaling.cpp, fillFloatLumaFromRGB).
 * Greyscale input uses `Y = grey` (fillFloatLumaFromGrey): that is not the same as the
 * RGB formula on (g, g, g), which is off by one float32 ulp for 35 of the 256 grey levels.
 *
 * A "row source" fills one row of luma on demand, so the filter can stream through an
 * image without holding a full-size float copy of it.
 */

const fround = Math.fround;

/** Writes the luma of image row `row`, column x, to `out[offset + x * stride]`. */
export type LumaRowSource = (row: number, out: Float64Array, offset: number, stride: number) => void;

/** Decoded pixels: 8-bit samples, interleaved, `channels` per pixel, rows top to bottom. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. Alpha is ignored, as the reference drops it. */
  readonly channels: number;
  readonly data: Uint8Array;
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

/** Luma rows straight from the pixels (no resize). */
export function pixelRows(px: Pixels, grey = isGreyscale(px)): LumaRowSource {
  const { data, channels, width } = px;
  const rowStride = width * channels;
  if (grey) {
    return (row, out, offset, stride) => {
      let i = row * rowStride;
      for (let x = 0, o = offset; x < width; x++, i += channels, o += stride) out[o] = data[i]!;
    };
  }
  return (row, out, offset, stride) => {
    let i = row * rowStride;
    for (let x = 0, o = offset; x < width; x++, i += channels, o += stride) {
      out[o] = fround(fround(TABLE_R[data[i]!]! + TABLE_G[data[i + 1]!]!) + TABLE_B[data[i + 2]!]!);
    }
  };
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

/**
 * Luma rows of the pixels resized to `toWidth` x `toHeight` by nearest neighbour, the way
 * the reference CLI pre-resizes to 512x512 (aspect ratio not kept).
 */
export function nearestPixelRows(px: Pixels, toWidth: number, toHeight: number, grey = isGreyscale(px)): LumaRowSource {
  const { data, channels, width } = px;
  const xs = nearestIndices(width, toWidth);
  const ys = nearestIndices(px.height, toHeight);
  const xOffsets = new Int32Array(toWidth);
  for (let x = 0; x < toWidth; x++) xOffsets[x] = xs[x]! * channels;
  const rowStride = width * channels;
  if (grey) {
    return (row, out, offset, stride) => {
      const base = ys[row]! * rowStride;
      for (let x = 0, o = offset; x < toWidth; x++, o += stride) out[o] = data[base + xOffsets[x]!]!;
    };
  }
  return (row, out, offset, stride) => {
    const base = ys[row]! * rowStride;
    for (let x = 0, o = offset; x < toWidth; x++, o += stride) {
      const i = base + xOffsets[x]!;
      out[o] = fround(fround(TABLE_R[data[i]!]! + TABLE_G[data[i + 1]!]!) + TABLE_B[data[i + 2]!]!);
    }
  };
}

/** Luma rows from a row-major float luma matrix (`cols` wide). */
export function floatRows(luma: Float32Array | Float64Array, cols: number): LumaRowSource {
  return (row, out, offset, stride) => {
    const base = row * cols;
    for (let x = 0, o = offset; x < cols; x++, o += stride) out[o] = luma[base + x]!;
  };
}
