/**
 * PDQ for image files and bytes: decode (media adapter) then hash (pure kernel).
 */

import type { DihedralName } from "../../kernels/pdq/dihedral.js";
import { PdqHasher, type PdqFlavour } from "../../kernels/pdq/pdq.js";
import { readFileBounded } from "../../media/files.js";
import { decodeImage, type DecodeOptions, type DecodedImage } from "../../media/image-decode.js";
import { DEFAULT_IMAGE_LIMITS } from "../../media/limits.js";

export interface PdqImageOptions extends DecodeOptions {
  /** `full` (default; python-threatexchange and HMA) or `512` (the reference C++ CLI). */
  readonly flavour?: PdqFlavour;
  /** Also compute the eight dihedral hashes. */
  readonly dihedral?: boolean;
}

export interface PdqImageResult {
  readonly hash: string;
  readonly quality: number;
  readonly flavour: PdqFlavour;
  readonly width: number;
  readonly height: number;
  readonly format: string;
  readonly dihedral?: Readonly<Record<DihedralName, string>>;
}

/** PDQ hash of encoded image bytes. */
export async function pdqHashImageBytes(
  bytes: Uint8Array,
  options: PdqImageOptions = {},
  hasher: PdqHasher = new PdqHasher(),
): Promise<PdqImageResult> {
  return pdqHashDecoded(await decodeImage(bytes, options), options, hasher);
}

/** PDQ hash of a decoded image (the hashing half of pdqHashImageBytes, for callers that decode ahead). */
export function pdqHashDecoded(
  image: DecodedImage,
  options: PdqImageOptions = {},
  hasher: PdqHasher = new PdqHasher(),
): PdqImageResult {
  const flavour = options.flavour ?? "full";
  const base = { flavour, width: image.width, height: image.height, format: image.format };
  if (options.dihedral) {
    const { quality, hashes } = hasher.dihedralPixels(image, flavour);
    return { ...base, hash: hashes.orig, quality, dihedral: hashes };
  }
  const { hash, quality } = hasher.hashPixels(image, flavour);
  return { ...base, hash, quality };
}

/** PDQ hash of an image file, refusing files over `limits.maxBytes` before reading them. */
export async function pdqHashImageFile(
  path: string,
  options: PdqImageOptions = {},
  hasher?: PdqHasher,
): Promise<PdqImageResult> {
  const bytes = await readFileBounded(path, (options.limits ?? DEFAULT_IMAGE_LIMITS).maxBytes);
  return pdqHashImageBytes(bytes, options, hasher);
}
