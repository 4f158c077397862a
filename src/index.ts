/**
 * rasd as a library. The PDQ kernel is pure (pixels in, hash out); the image helpers add
 * decoding with limits; PdqPool spreads file hashing over worker threads.
 *
 * @example
 *   import { pdqFromPixels, pdqHashImageFile } from "rasd";
 *   const { hash, quality } = await pdqHashImageFile("photo.jpg"); // full flavour, like HMA
 */
export * from "./kernels/pdq/index.js";
export { RasdError, isRasdError, type ErrorCode } from "./core/errors.js";
export { decodeImage, type DecodedImage, type DecodeOptions } from "./media/image-decode.js";
export { DEFAULT_IMAGE_LIMITS, type ImageLimits } from "./media/limits.js";
export {
  pdqHashImageBytes,
  pdqHashImageFile,
  type PdqImageOptions,
  type PdqImageResult,
} from "./signals/pdq/hash-image.js";
export { PdqPool, type PdqFileOutcome } from "./parallel/pdq-pool.js";
