/**
 * PDQ, Meta's 256-bit perceptual image hash, bit-exact with the C++ reference
 * (facebook/ThreatExchange pdq/cpp). Pure: pixels or luma in, hash and quality out.
 *
 * Pipeline: float32 luma → two-pass Jarosz (tent) filter → 64x64 samples → quality →
 * 16x16 of the DCT → each bit = coefficient > median (bit k = row k/16, column k%16).
 *
 * Two flavours, because the field has two:
 * - `full`: hash the image at full resolution. python-threatexchange and HMA do this, so
 *   this is what exchange partners share. The default.
 * - `512`: the reference CLI (`pdq-photo-hasher`) first resizes to exactly 512x512 by
 *   nearest neighbour when either side exceeds 512 (aspect ratio not kept).
 *
 * @example
 *   const { hash, quality } = pdqFromPixels({ width, height, channels: 3, data });
 *   // hash: "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22", quality: 100
 */

import { dct64To16 } from "./dct.js";
import { DIHEDRAL_NAMES, dihedralDct, type DihedralName } from "./dihedral.js";
import { emptyHash256, formatHash256, setBit, type Hash256 } from "./hash256.js";
import { JaroszScratch, jaroszTo64x64 } from "./jarosz.js";
import { floatLuma, isGreyscale, nearestPixelLuma, pixelLuma, readLuma, type LumaSource, type Pixels } from "./luma.js";
import { pdqQuality } from "./quality.js";
import { SimdPdq } from "./simd.js";
import { torbenMedian } from "./torben.js";

/** Images smaller than this on either side hash to all zeros with quality 0. */
export const PDQ_MIN_HASHABLE_DIM = 5;
/** The reference CLI's pre-resize target. */
export const PDQ_CLI_DOWNSAMPLE_DIM = 512;

export type PdqFlavour = "full" | "512";
export const PDQ_FLAVOURS: readonly PdqFlavour[] = ["full", "512"];

export interface PdqHash {
  /** 64 lowercase hex digits. */
  readonly hash: string;
  /** 0..100; below 50 the reference recommends discarding the hash. */
  readonly quality: number;
}

export interface PdqDihedralHashes {
  readonly quality: number;
  readonly hashes: Readonly<Record<DihedralName, string>>;
}

/** Sets the bits of `hash` where the 16x16 DCT exceeds its (lower) median. */
export function dctToHash(dct16: Float64Array, hash: Hash256 = emptyHash256()): Hash256 {
  const median = torbenMedian(dct16, 256);
  hash.fill(0);
  for (let k = 0; k < 256; k++) if (dct16[k]! > median) setBit(hash, k);
  return hash;
}

/**
 * A PDQ hasher with its own reusable buffers: cheap to call many times. Not shareable
 * between threads; make one per worker.
 */
export class PdqHasher {
  private readonly scratch = new JaroszScratch();
  private readonly buffer64 = new Float64Array(64 * 64);
  private readonly luma64 = new Float32Array(64 * 64);
  private readonly buffer16x64 = new Float64Array(16 * 64);
  private readonly dct16 = new Float64Array(256);
  private readonly aux16 = new Float64Array(256);
  /** The WebAssembly SIMD kernel when it loads (same bits), else null. */
  private readonly simd = SimdPdq.create();
  /** Scratch for the 512 flavour's resized pixels on the SIMD kernel. */
  private resampled = new Uint8Array(0);

  /**
   * The 16x16 DCT and quality of a `rows` x `cols` luma image read row by row.
   * `filterAt64` = false copies a 64x64 input unfiltered, as pdqHash256FromFloatLuma does
   * (the reference's dihedral path always filters).
   */
  dctOf(source: LumaSource, filterAt64: boolean): number {
    const unfiltered = source.rows === 64 && source.cols === 64 && !filterAt64;
    const px = source.pixels;
    if (!unfiltered && this.simd && px && SimdPdq.accepts(px)) {
      const image = source.rowMap === null && source.colOffsets === null ? px : this.resampledPixels(source, px);
      this.simd.run(image, source.grey, this.buffer64, this.dct16);
      return pdqQuality(this.buffer64);
    }
    if (unfiltered) {
      for (let r = 0; r < 64; r++) readLuma(source, r, 1, this.luma64, r * 64, 1);
      this.buffer64.set(this.luma64);
    } else {
      jaroszTo64x64(source, this.buffer64, this.scratch);
    }
    const quality = pdqQuality(this.buffer64);
    dct64To16(this.buffer64, this.buffer16x64, this.dct16);
    return quality;
  }

  /** The pixels a nearest-neighbour source reads (the 512 flavour's pre-resize), as an image. */
  private resampledPixels(source: LumaSource, px: Pixels): Pixels {
    const { rows, cols, rowMap, colOffsets } = source;
    const ch = px.channels;
    const need = rows * cols * ch;
    if (this.resampled.length < need) this.resampled = new Uint8Array(need);
    const out = this.resampled;
    const data = px.data;
    const rowStride = px.width * ch;
    for (let r = 0, o = 0; r < rows; r++) {
      const base = (rowMap === null ? r : rowMap[r]!) * rowStride;
      for (let c = 0; c < cols; c++) {
        const i = base + (colOffsets === null ? c * ch : colOffsets[c]!);
        for (let k = 0; k < ch; k++) out[o++] = data[i + k]!;
      }
    }
    return { width: cols, height: rows, channels: ch, data: out.subarray(0, need) };
  }

  /**
   * The reference's intermediate values, for conformance tests and debugging: the 64x64
   * downsample, the 16x16 DCT, its median and the quality.
   */
  intermediates(source: LumaSource): { buffer64: Float64Array; dct16: Float64Array; median: number; quality: number } {
    const quality = this.dctOf(source, false);
    return {
      buffer64: this.buffer64.slice(),
      dct16: this.dct16.slice(),
      median: torbenMedian(this.dct16, 256),
      quality,
    };
  }

  /** Hash of a luma image. */
  hashLuma(source: LumaSource): PdqHash {
    if (source.rows < PDQ_MIN_HASHABLE_DIM || source.cols < PDQ_MIN_HASHABLE_DIM) {
      return { hash: formatHash256(emptyHash256()), quality: 0 };
    }
    const quality = this.dctOf(source, false);
    return { hash: formatHash256(dctToHash(this.dct16)), quality };
  }

  /** The eight dihedral hashes of a luma image. */
  dihedralLuma(source: LumaSource): PdqDihedralHashes {
    const hashes = {} as Record<DihedralName, string>;
    if (source.rows < PDQ_MIN_HASHABLE_DIM || source.cols < PDQ_MIN_HASHABLE_DIM) {
      const zero = formatHash256(emptyHash256());
      for (const name of DIHEDRAL_NAMES) hashes[name] = zero;
      return { quality: 0, hashes };
    }
    const quality = this.dctOf(source, true);
    for (const name of DIHEDRAL_NAMES) {
      dihedralDct(name, this.dct16, this.aux16);
      hashes[name] = formatHash256(dctToHash(this.aux16));
    }
    return { quality, hashes };
  }

  /** Hash of decoded pixels in the given flavour. */
  hashPixels(px: Pixels, flavour: PdqFlavour = "full"): PdqHash {
    return this.hashLuma(pixelSource(px, flavour));
  }

  /** Dihedral hashes of decoded pixels in the given flavour. */
  dihedralPixels(px: Pixels, flavour: PdqFlavour = "full"): PdqDihedralHashes {
    return this.dihedralLuma(pixelSource(px, flavour));
  }
}

/** The luma PDQ hashes for these pixels in this flavour. */
export function pixelSource(px: Pixels, flavour: PdqFlavour): LumaSource {
  const grey = isGreyscale(px);
  const max = PDQ_CLI_DOWNSAMPLE_DIM;
  if (flavour === "512" && (px.width > max || px.height > max)) return nearestPixelLuma(px, max, max, grey);
  return pixelLuma(px, grey);
}

let shared: PdqHasher | undefined;
function sharedHasher(): PdqHasher {
  return (shared ??= new PdqHasher());
}

/** PDQ hash of decoded 8-bit pixels. */
export function pdqFromPixels(px: Pixels, flavour: PdqFlavour = "full"): PdqHash {
  return sharedHasher().hashPixels(px, flavour);
}

/** The eight dihedral PDQ hashes of decoded 8-bit pixels. */
export function pdqDihedralFromPixels(px: Pixels, flavour: PdqFlavour = "full"): PdqDihedralHashes {
  return sharedHasher().dihedralPixels(px, flavour);
}

/** PDQ hash of a row-major float32 luma matrix (the reference's pdqHash256FromFloatLuma). */
export function pdqFromLuma(luma: Float32Array | Float64Array, rows: number, cols: number): PdqHash {
  return sharedHasher().hashLuma(floatLuma(luma, rows, cols));
}
