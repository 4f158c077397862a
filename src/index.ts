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
export { PdqPool, type PdqFileOutcome } from "./signals/pdq/pdq-pool.js";
export * from "./kernels/pdq-index/index.js";
export * from "./kernels/url/index.js";
export * from "./kernels/text/index.js";
export * from "./core/model.js";
export { KyselyStore } from "./storage/kysely-store.js";
export type { SignalStore, SignalInput, BankInput, ChangePage } from "./storage/store.js";
export { Matcher, type Match, type MatchResult, type PdqQuery } from "./services/matcher.js";
export { BankService, type ImportReport } from "./services/banks.js";
export { PdqSearchPool } from "./parallel/pdq-search-pool.js";
