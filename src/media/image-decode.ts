/**
 * Decoding untrusted image bytes into 8-bit pixels for hashing.
 *
 * libvips (through sharp) decodes JPEG, PNG, WebP, GIF (first frame) and TIFF in-process;
 * its JPEG decode gives exactly the bytes libjpeg-turbo's djpeg gives, which is what the
 * reference's ImageMagick decode gives, so hashes agree bit for bit. BMP, which libvips
 * cannot read, goes through Debian's ImageMagick (`/usr/bin/convert`) — the reference's own
 * decoder — after its header has been checked against the limits.
 *
 * Guarantees: the declared size is checked against `maxPixels`, and the declared decoded size
 * (width x height x channels x bytes per channel) against `maxDecodedBytes`, from the header
 * before any pixel is decoded (a 50,000 x 50,000 PNG is refused in microseconds); the alpha
 * channel is dropped inside libvips, so only width x height x (1 or 3) bytes are held after
 * decoding (PDQ hashes every pixel at full resolution, so the full image is needed); truncated and
 * corrupt files are refused, never hashed half-grey; alpha is dropped, not composited, as
 * the reference does; 16-bit samples are scaled to 8 bits (high byte); EXIF orientation
 * is ignored unless asked for, as the reference ignores it.
 */

import { spawn } from "node:child_process";
import { open } from "node:fs/promises";
import { createRequire } from "node:module";
import type SharpModule from "sharp";
import { RasdError, describeError } from "../core/errors.js";
import type { Pixels } from "../kernels/pdq/luma.js";
import {
  DEFAULT_IMAGE_LIMITS,
  bytesPerSample,
  decodedBytes,
  formatBytes,
  formatPixels,
  type ImageLimits,
} from "./limits.js";

// sharp through require(), not import: Node reads its CommonJS build without the ESM wrapper
// and the export scan of its CommonJS dependencies, which takes a third of `rasd hash pdq`'s
// start-up (about 60 ms of CPU per thread that loads it).
const sharp = createRequire(import.meta.url)("sharp") as typeof SharpModule;
sharp.cache(false);

export interface DecodedImage extends Pixels {
  /** Container format as detected from the bytes: jpeg, png, webp, gif, tiff, bmp. */
  readonly format: string;
}

export interface DecodeOptions {
  readonly limits?: ImageLimits;
  /** Rotate/flip by the EXIF orientation tag first. Default false, like the reference. */
  readonly applyExifOrientation?: boolean;
  /** ImageMagick's convert, for BMP. Default /usr/bin/convert (not whatever is first on PATH). */
  readonly convertPath?: string;
  /** Appended to a pixel-limit error, saying how to raise the limit. Default: the CLI's --max-pixels. */
  readonly limitHint?: string;
  /** Appended to a decoded-size error. Default: the CLI's --max-decoded-bytes. */
  readonly budgetHint?: string;
}

const CLI_LIMIT_HINT = " (raise it with --max-pixels)";
const CLI_BUDGET_HINT = " (raise it with --max-decoded-bytes)";

const SHARP_FORMATS = new Set(["jpeg", "png", "webp", "gif", "tiff"]);

/**
 * Checks an image's header — format and dimensions against the limits — without decoding its
 * pixels. Takes the bytes, or a file (only its header is read).
 */
export async function inspectImage(
  input: Uint8Array | { readonly path: string; readonly size: number },
  options: DecodeOptions = {},
): Promise<{ format: string; width: number; height: number }> {
  const limits = options.limits ?? DEFAULT_IMAGE_LIMITS;
  const size = input instanceof Uint8Array ? input.length : input.size;
  if (size === 0) throw new RasdError("image.empty", "empty file (0 bytes)");
  if (size > limits.maxBytes)
    throw new RasdError("file.too_large", `the image is ${size} bytes; the limit is ${limits.maxBytes}`);
  const head = input instanceof Uint8Array ? input : await readHead(input.path, 26);
  if (isBmp(head)) {
    const { width, height } = bmpDimensions(head);
    checkPixels(width, height, limits, options.limitHint ?? CLI_LIMIT_HINT);
    checkBudget(width, height, 4, 1, limits, options.budgetHint ?? CLI_BUDGET_HINT);
    return { format: "bmp", width, height };
  }
  let meta;
  try {
    meta = await sharp(input instanceof Uint8Array ? input : input.path, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw translateSharpError(error);
  }
  if (!meta.format || !SHARP_FORMATS.has(meta.format))
    throw new RasdError("image.unsupported_format", `unsupported image format "${meta.format ?? "unknown"}"`);
  checkPixels(meta.width ?? 0, meta.height ?? 0, limits, options.limitHint ?? CLI_LIMIT_HINT);
  checkMetaBudget(meta, limits, options.budgetHint ?? CLI_BUDGET_HINT);
  return { format: meta.format, width: meta.width ?? 0, height: meta.height ?? 0 };
}

/** The first `n` bytes of a file (fewer if it is shorter). */
async function readHead(path: string, n: number): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(n);
    const { bytesRead } = await handle.read(buffer, 0, n, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Decodes image bytes into 8-bit interleaved pixels (1 to 4 channels). */
export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
  const limits = options.limits ?? DEFAULT_IMAGE_LIMITS;
  if (bytes.length === 0) throw new RasdError("image.empty", "empty file (0 bytes)");
  if (isBmp(bytes))
    return decodeBmp(bytes, limits, options.convertPath ?? "/usr/bin/convert", options.budgetHint ?? CLI_BUDGET_HINT);

  let meta;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw translateSharpError(error);
  }
  if (!meta.format || !SHARP_FORMATS.has(meta.format)) {
    throw new RasdError("image.unsupported_format", `unsupported image format "${meta.format ?? "unknown"}"`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  checkPixels(width, height, limits, options.limitHint ?? CLI_LIMIT_HINT);
  checkMetaBudget(meta, limits, options.budgetHint ?? CLI_BUDGET_HINT);

  try {
    // ignoreIcc: the reference (ImageMagick → PNM) does not colour-manage; neither do we.
    let pipeline = sharp(bytes, {
      limitInputPixels: limits.maxPixels,
      failOn: "error",
      sequentialRead: true,
      ignoreIcc: true,
    });
    if (options.applyExifOrientation) pipeline = pipeline.rotate();
    const cmyk = meta.space === "cmyk";
    if (cmyk) pipeline = pipeline.pipelineColourspace("cmyk").toColourspace("cmyk");
    // PDQ ignores alpha and reads grey as one channel: taking only the bands it reads, in
    // libvips as rows stream out, keeps the rest of the decoded buffer from ever being
    // allocated (8-bit grey would otherwise come out as RGBA or RGB: 4 or 3 bytes a pixel).
    else if (meta.space === "b-w" && meta.depth === "uchar") pipeline = pipeline.extractChannel(0);
    else if (meta.hasAlpha) pipeline = pipeline.removeAlpha();
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    const samples = new Uint8Array(data.buffer, data.byteOffset, data.length);
    if (cmyk && info.channels === 4) {
      return { width: info.width, height: info.height, channels: 3, data: cmykToRgb(samples), format: meta.format };
    }
    return { width: info.width, height: info.height, channels: info.channels, data: samples, format: meta.format };
  } catch (error) {
    throw translateSharpError(error);
  }
}

/**
 * CMYK to RGB the way ImageMagick does it without a colour profile (and so the way the
 * reference sees a CMYK JPEG): R = 255 - min(255, C·(255-K)/255 + K), rounded.
 * Checked pixel for pixel against ImageMagick 6.9.11 on the reference's CMYK.jpg.
 */
function cmykToRgb(cmyk: Uint8Array): Uint8Array {
  const n = cmyk.length >> 2;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const k = cmyk[i * 4 + 3]!;
    const scale = (255 - k) / 255;
    for (let j = 0; j < 3; j++) {
      rgb[i * 3 + j] = Math.round(255 - Math.min(255, cmyk[i * 4 + j]! * scale + k));
    }
  }
  return rgb;
}

function checkPixels(width: number, height: number, limits: ImageLimits, hint = CLI_LIMIT_HINT): void {
  if (width <= 0 || height <= 0) {
    throw new RasdError("image.corrupt", `image declares an invalid size ${width}x${height}`);
  }
  const pixels = width * height;
  if (pixels > limits.maxPixels) {
    throw new RasdError(
      "image.too_many_pixels",
      `image declares ${width}x${height} (${formatPixels(pixels)}), over the ${formatPixels(limits.maxPixels)} limit${hint}`,
    );
  }
}

/** The decoded size the header declares (its channels and sample depth), against the budget. */
function checkMetaBudget(
  meta: { width?: number; height?: number; channels?: number; depth?: string; space?: string },
  limits: ImageLimits,
  hint: string,
): void {
  // CMYK is held twice, briefly: its 4 channels as decoded and the 3 of its RGB conversion.
  const channels = (meta.channels ?? 4) + (meta.space === "cmyk" ? 3 : 0);
  checkBudget(meta.width ?? 0, meta.height ?? 0, channels, bytesPerSample(meta.depth), limits, hint);
}

function checkBudget(
  width: number,
  height: number,
  channels: number,
  bytesPerChannel: number,
  limits: ImageLimits,
  hint: string,
): void {
  const bytes = decodedBytes(width, height, channels, bytesPerChannel);
  if (bytes > limits.maxDecodedBytes) {
    throw new RasdError(
      "image.too_many_bytes",
      `image declares ${width}x${height} with ${channels} channel${channels === 1 ? "" : "s"} of ` +
        `${bytesPerChannel * 8} bits (${formatBytes(bytes)} decoded), over the ${formatBytes(limits.maxDecodedBytes)} ` +
        `decoding budget${hint}`,
    );
  }
}

function translateSharpError(error: unknown): RasdError {
  const raw = describeError(error);
  const message =
    raw.replace(/^Input (buffer|file) (has corrupt header|contains unsupported image format):\s*/i, "").trim() ||
    "unreadable header (the file is cut short or damaged)";
  if (/unsupported image format/i.test(raw)) {
    return new RasdError("image.unsupported_format", "not an image, or an unsupported format", { cause: error });
  }
  if (/premature end|truncated|unexpected end|end of (file|stream)|not enough data|short read/i.test(raw)) {
    return new RasdError("image.truncated", `truncated image: ${message}`, { cause: error });
  }
  if (/exceeds pixel limit/i.test(raw)) {
    return new RasdError("image.too_many_pixels", "image exceeds the pixel limit", { cause: error });
  }
  return new RasdError("image.corrupt", `corrupt image: ${message}`, { cause: error });
}

function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/** Width and height from a BMP header (BITMAPCOREHEADER or BITMAPINFOHEADER and later). */
function bmpDimensions(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 26) throw new RasdError("image.truncated", "truncated image: BMP header is incomplete");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const headerSize = view.getUint32(14, true);
  if (headerSize === 12) return { width: view.getUint16(18, true), height: view.getUint16(20, true) };
  if (headerSize < 40 || bytes.length < 26) throw new RasdError("image.corrupt", "corrupt image: unknown BMP header");
  return { width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
}

async function decodeBmp(
  bytes: Uint8Array,
  limits: ImageLimits,
  convertPath: string,
  budgetHint: string,
): Promise<DecodedImage> {
  const { width, height } = bmpDimensions(bytes);
  checkPixels(width, height, limits);
  checkBudget(width, height, 4, 1, limits, budgetHint);
  const png = await runConvert(convertPath, bytes, limits);
  try {
    const { data, info } = await sharp(png, { limitInputPixels: limits.maxPixels })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      channels: info.channels,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      format: "bmp",
    };
  } catch (error) {
    throw translateSharpError(error);
  }
}

function runConvert(convertPath: string, input: Uint8Array, limits: ImageLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const args = [
      "-limit",
      "area",
      String(limits.maxPixels),
      "-limit",
      "memory",
      "1GiB",
      "-regard-warnings",
      "bmp:-[0]",
      "-depth",
      "8",
      "png:-",
    ];
    const child = spawn(convertPath, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) =>
      reject(
        new RasdError(
          "image.unsupported_format",
          `BMP needs ImageMagick (${convertPath}): ${describeError(error)}; install the Debian package imagemagick`,
          { cause: error },
        ),
      ),
    );
    child.on("close", (code) => {
      if (code === 0 && out.length > 0) return resolve(Buffer.concat(out));
      const text =
        Buffer.concat(err)
          .toString("utf8")
          .split("\n")[0]
          ?.replace(/^convert(-im6\.q16)?: /, "") ?? "";
      const truncated = /unexpected end|insufficient image data|premature|truncat/i.test(text);
      reject(
        new RasdError(
          truncated ? "image.truncated" : "image.corrupt",
          `${truncated ? "truncated" : "corrupt"} BMP: ${text || `convert exited with ${code}`}`,
        ),
      );
    });
    child.stdin.on("error", () => undefined); // convert may exit before reading everything
    child.stdin.end(input);
  });
}
