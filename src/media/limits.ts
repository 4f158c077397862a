/**
 * Resource limits for decoding untrusted media. Defaults are documented in
 * docs/limits.md; every entry point takes overrides.
 */

export interface ImageLimits {
  /** Largest accepted file, in bytes. Default 100 MiB (HMA's remote-file cap). */
  readonly maxBytes: number;
  /** Largest accepted width x height, checked from the header before decoding. Default 100 M. */
  readonly maxPixels: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = Object.freeze({
  maxBytes: 100 * 1024 * 1024,
  maxPixels: 100_000_000,
});

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
