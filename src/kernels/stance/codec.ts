/**
 * The model file: bytes in, bytes out, no I/O. Layout (little-endian):
 *   "RASDSTN1"                 8 bytes, magic and format version
 *   u32 headerLength           JSON header length in bytes (padded with spaces to a multiple of 4)
 *   header                     UTF-8 JSON: version, dims, quantisation, temperature, validation …
 *   bias                       3 × float32
 *   weights                    dims × 3 × int16, interleaved by bucket; value = q × header.scale
 *   arabic weights             "RASDSTN2" only: dims × 2 × int16 (the Arabic specialist's two
 *                              Naive Bayes ratios, interleaved); value = q × header.arabic.scale
 * "RASDSTN1" files (no specialist) are still read; the encoder writes them for models without one.
 * Int16 quantisation halves the size of float32 weights; the rounding error (at most
 * scale / 2 ≈ max|w| / 65534 per weight) changes no prediction measurably.
 */

import type { IsotonicMap } from "./calibration.js";
import type { StanceWeights } from "./model.js";

const MAGIC = "RASDSTN1";
const MAGIC_ARABIC = "RASDSTN2";

/** What the header must hold for decoding; anything else in it is carried through. */
export interface StanceHeaderCore {
  readonly format: "rasd-stance";
  readonly version: string;
  readonly dims: number;
  readonly temperature: number;
  /** Multiply an int16 weight by this to get the weight. */
  readonly scale: number;
  /** Present in RASDSTN2 files: the Arabic specialist's quantisation scale and fusion θ. */
  readonly arabic?: { readonly scale: number; readonly fuse: readonly number[]; readonly s1Scaled?: boolean };
  /** Per language: Platt's [slope, intercept] on the tempered pro log-odds (decision 0014). */
  readonly platt?: Readonly<Record<string, readonly [number, number]>>;
  /** Per language: isotonic maps for the two mapped classes; the third is the rest (decisions 0019, 0030). */
  readonly isotonic?: Readonly<Record<string, readonly IsotonicMap[]>>;
  /** The class index that is the rest of the isotonic maps: 2 (neutral, decision 0019) when absent, 1 (anti) since 0030. */
  readonly isotonicRest?: number;
}

/** The header's isotonic maps, checked: two per language (the classes other than `isotonicRest`), each with increasing knots x and values y in [0, 1] of one length. */
function checkedIsotonic(maps: unknown): Record<string, readonly IsotonicMap[]> {
  if (typeof maps !== "object" || maps === null) throw new RangeError("stance model header: isotonic is not an object");
  const out: Record<string, readonly IsotonicMap[]> = {};
  for (const [lang, perClass] of Object.entries(maps)) {
    const ok =
      Array.isArray(perClass) &&
      perClass.length === 2 &&
      perClass.every(
        (m: { x?: unknown; y?: unknown }) =>
          Array.isArray(m.x) &&
          Array.isArray(m.y) &&
          m.x.length > 0 &&
          m.x.length === m.y.length &&
          m.x.every((v: unknown, i: number) => typeof v === "number" && (i === 0 || v > (m.x as number[])[i - 1]!)) &&
          m.y.every((v: unknown) => typeof v === "number" && v >= 0 && v <= 1),
      );
    if (!ok) throw new RangeError(`stance model header: isotonic map of "${lang}" is invalid`);
    out[lang] = perClass as IsotonicMap[];
  }
  return out;
}

function checkedRest(rest: unknown): number {
  if (rest !== 0 && rest !== 1 && rest !== 2)
    throw new RangeError("stance model header: isotonicRest is not 0, 1 or 2");
  return rest;
}

function scaleOf(values: Float32Array): number {
  let maxAbs = 0;
  for (const w of values) maxAbs = Math.max(maxAbs, Math.abs(w));
  return maxAbs > 0 ? maxAbs / 32767 : 1;
}

export function encodeStanceModel<H extends object>(model: StanceWeights, header: H): Uint8Array {
  const scale = scaleOf(model.weights);
  const arabic = model.arabic;
  const arabicScale = arabic !== undefined ? scaleOf(arabic.weights) : 1;
  const full = {
    format: "rasd-stance",
    dims: model.dims,
    temperature: model.temperature,
    ...(model.platt !== undefined ? { platt: model.platt } : {}),
    ...(model.isotonic !== undefined ? { isotonic: model.isotonic } : {}),
    ...(model.isotonicRest !== undefined ? { isotonicRest: model.isotonicRest } : {}),
    scale,
    ...(arabic !== undefined
      ? { arabic: { scale: arabicScale, fuse: arabic.fuse, ...(arabic.s1Scaled ? { s1Scaled: true } : {}) } }
      : {}),
    ...header,
  };
  let json = JSON.stringify(full);
  let bytes = new TextEncoder().encode(json);
  const pad = (4 - ((12 + bytes.length) % 4)) % 4;
  json += " ".repeat(pad);
  bytes = new TextEncoder().encode(json);
  const extra = arabic !== undefined ? arabic.weights.length * 2 : 0;
  const out = new Uint8Array(12 + bytes.length + 12 + model.weights.length * 2 + extra);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(arabic !== undefined ? MAGIC_ARABIC : MAGIC), 0);
  view.setUint32(8, bytes.length, true);
  out.set(bytes, 12);
  let at = 12 + bytes.length;
  for (let c = 0; c < 3; c++, at += 4) view.setFloat32(at, model.bias[c]!, true);
  for (const w of model.weights) {
    view.setInt16(at, Math.round(w / scale), true);
    at += 2;
  }
  if (arabic !== undefined) {
    for (const w of arabic.weights) {
      view.setInt16(at, Math.round(w / arabicScale), true);
      at += 2;
    }
  }
  return out;
}

/** Parses a model file. Throws RangeError on anything malformed. */
export function decodeStanceModel<H extends StanceHeaderCore>(
  bytes: Uint8Array,
): { header: H; weights: StanceWeights } {
  const magic = bytes.length < 12 ? "" : new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== MAGIC && magic !== MAGIC_ARABIC) throw new RangeError("not a rasd stance model (bad magic)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength + 12 > bytes.length) throw new RangeError("stance model truncated (header)");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as H;
  const { dims, scale, temperature } = header;
  const platt = {
    ...(header.platt !== undefined ? { platt: header.platt } : {}),
    ...(header.isotonic !== undefined ? { isotonic: checkedIsotonic(header.isotonic) } : {}),
    ...(header.isotonicRest !== undefined ? { isotonicRest: checkedRest(header.isotonicRest) } : {}),
  };
  if (header.format !== "rasd-stance" || !Number.isInteger(dims) || dims <= 0 || (dims & (dims - 1)) !== 0) {
    throw new RangeError("stance model header is invalid");
  }
  const withArabic = magic === MAGIC_ARABIC;
  if (withArabic && (header.arabic === undefined || !Array.isArray(header.arabic.fuse))) {
    throw new RangeError("stance model header lacks the Arabic specialist");
  }
  let at = 12 + headerLength;
  if (bytes.length !== at + 12 + dims * 3 * 2 + (withArabic ? dims * 2 * 2 : 0)) {
    throw new RangeError("stance model has the wrong length");
  }
  const bias = new Float32Array(3);
  for (let c = 0; c < 3; c++, at += 4) bias[c] = view.getFloat32(at, true);
  const weights = new Float32Array(dims * 3);
  for (let k = 0; k < weights.length; k++, at += 2) weights[k] = view.getInt16(at, true) * scale;
  if (!withArabic || header.arabic === undefined)
    return { header, weights: { dims, weights, bias, temperature, ...platt } };
  const arabicWeights = new Float32Array(dims * 2);
  const arabicScale = header.arabic.scale;
  for (let k = 0; k < arabicWeights.length; k++, at += 2) arabicWeights[k] = view.getInt16(at, true) * arabicScale;
  return {
    header,
    weights: {
      dims,
      weights,
      bias,
      temperature,
      ...platt,
      arabic: {
        weights: arabicWeights,
        fuse: [...header.arabic.fuse],
        ...(header.arabic.s1Scaled === true ? { s1Scaled: true } : {}),
      },
    },
  };
}
