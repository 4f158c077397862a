/**
 * Resource limits for decoding untrusted media. Defaults are documented in
 * docs/limits.md; every entry point takes overrides.
 */

export interface ImageLimits {
  /** Largest accepted file, in bytes. Default 100 MiB (HMA's remote-file cap). */
  readonly maxBytes: number;
  /** Largest accepted width x height, checked from the header before decoding. Default 100 M. */
  readonly maxPixels: number;
  /**
   * Largest accepted decoded size in bytes: width x height x channels x bytes per channel, as
   * the header declares them, checked before decoding. Default 256 MiB.
   */
  readonly maxDecodedBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = Object.freeze({
  maxBytes: 100 * 1024 * 1024,
  maxPixels: 100_000_000,
  maxDecodedBytes: 256 * 1024 * 1024,
});

/** Bytes per sample for libvips's band formats (sharp's `depth`). */
const DEPTH_BYTES: Readonly<Record<string, number>> = {
  uchar: 1,
  char: 1,
  ushort: 2,
  short: 2,
  uint: 4,
  int: 4,
  float: 4,
  complex: 8,
  double: 8,
  dpcomplex: 16,
};

/** Bytes per sample for a sharp `depth` (unknown formats count as 4, to be safe). */
export function bytesPerSample(depth: string | undefined): number {
  return DEPTH_BYTES[depth ?? "uchar"] ?? 4;
}

/** Decoded size of an image as its header declares it. */
export function decodedBytes(width: number, height: number, channels: number, bytesPerChannel: number): number {
  return width * height * channels * bytesPerChannel;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 / 1024 / 1024).toFixed(1)} GiB`;
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

export function formatPixels(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} gigapixels`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} megapixels`;
  return `${n} pixels`;
}
