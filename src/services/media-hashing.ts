/**
 * Media hashing, for everything that hashes images and videos on a request's behalf (the
 * pipeline, the HMA API): given the bytes, their kind and the signal types wanted, the
 * hashes of those types. Each type's plug-in says how its hash is taken from the media
 * (src/signals/types); this service runs each computation once — PDQ, vPDQ (FFmpeg reads a
 * temporary file), MD5 and SHA-256 — however many types share it.
 */

import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SignalType } from "../core/model.js";
import { pdqHashImageBytes, type PdqImageResult } from "../signals/pdq/hash-image.js";
import { signalTypeDef, type MediaKind } from "../signals/registry.js";
import type { MediaSource } from "../signals/types/signal-type.js";
import { vpdqHashVideoFile, type VpdqResult } from "../signals/vpdq/hash-video.js";

export type { MediaKind } from "../signals/registry.js";

/** One frame a second, as python-threatexchange and HMA hash query videos. */
const QUERY_SECONDS_PER_HASH = 1;

export interface MediaHashes {
  /** Signal type → its hash, for the types asked for that apply to this kind of media. */
  readonly values: Partial<Record<SignalType, string>>;
  /** The PDQ computation, when a type needed it (its quality, the image's size). */
  readonly pdq?: PdqImageResult;
  /** The vPDQ computation, when a type needed it (frames with timestamps, the video's info). */
  readonly vpdq?: VpdqResult;
}

export interface MediaHashOptions {
  /** vPDQ: seconds between hashed frames (default 1; 0 = every frame). */
  readonly secondsPerHash?: number;
  /** The file the bytes were read from, if any: FFmpeg reads it rather than a temporary copy. */
  readonly path?: string;
}

/** The hashes of `types` for media of `kind`; types that are not hashes of media are left out. */
export async function hashMedia(
  bytes: Uint8Array,
  kind: MediaKind,
  types: readonly SignalType[],
  options: MediaHashOptions = {},
): Promise<MediaHashes> {
  const source = new LazyMedia(bytes, kind, options);
  const values: Partial<Record<SignalType, string>> = {};
  for (const type of types) {
    const media = signalTypeDef(type).media;
    if (media) values[type] = await media.hash(source);
  }
  return {
    values,
    ...(source.pdqResult ? { pdq: await source.pdqResult } : {}),
    ...(source.vpdqResult ? { vpdq: await source.vpdqResult } : {}),
  };
}

/** The media with each computation done at most once. */
class LazyMedia implements MediaSource {
  pdqResult: Promise<PdqImageResult> | undefined;
  vpdqResult: Promise<VpdqResult> | undefined;
  private readonly digests = new Map<string, string>();

  constructor(
    readonly bytes: Uint8Array,
    readonly kind: MediaKind,
    private readonly options: MediaHashOptions,
  ) {}

  pdq(): Promise<PdqImageResult> {
    this.pdqResult ??= pdqHashImageBytes(this.bytes);
    return this.pdqResult;
  }

  vpdq(): Promise<VpdqResult> {
    const secondsPerHash = this.options.secondsPerHash ?? QUERY_SECONDS_PER_HASH;
    this.vpdqResult ??=
      this.options.path !== undefined
        ? vpdqHashVideoFile(this.options.path, { secondsPerHash })
        : hashVideoBytes(this.bytes, secondsPerHash);
    return this.vpdqResult;
  }

  digest(algorithm: "md5" | "sha256"): string {
    let hex = this.digests.get(algorithm);
    if (hex === undefined) {
      hex = createHash(algorithm).update(this.bytes).digest("hex");
      this.digests.set(algorithm, hex);
    }
    return hex;
  }
}

/** vPDQ of a video's bytes: FFmpeg reads files, so the bytes go to a private temporary one. */
async function hashVideoBytes(bytes: Uint8Array, secondsPerHash: number): Promise<VpdqResult> {
  const dir = await mkdtemp(join(tmpdir(), "rasd-video-"));
  try {
    const path = join(dir, "video");
    await writeFile(path, bytes);
    return await vpdqHashVideoFile(path, { secondsPerHash });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A content item's `hashes` as the pipeline stores them and GET /v1/content/:id shows them:
 * for an image its PDQ hash and quality, MD5, SHA-256 and size; for a video its MD5 (as
 * video_md5 and md5), how many frames vPDQ hashed and the duration.
 */
export function itemHashes(h: MediaHashes): Record<string, unknown> {
  const { values } = h;
  if (h.pdq)
    return {
      pdq: h.pdq.hash,
      pdq_quality: h.pdq.quality,
      md5: values.md5,
      sha256: values.sha256,
      width: h.pdq.width,
      height: h.pdq.height,
    };
  if (h.vpdq)
    return {
      video_md5: values.video_md5,
      md5: values.md5,
      vpdq_frames: h.vpdq.frames.length,
      duration_s: h.vpdq.info.durationSeconds,
    };
  return { ...values };
}
