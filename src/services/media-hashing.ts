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
import { gates, serviceImageLimits, type WaitMode } from "../media/decode-gate.js";
import type { ImageLimits } from "../media/limits.js";
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
  /** MD5 and SHA-256 of the media, when already computed (an upload hashed as it was streamed to disk). */
  readonly digests?: { readonly md5: string; readonly sha256: string };
  /**
   * How to wait for a decode or video slot (src/media/decode-gate.ts): `request` waits briefly,
   * then fails with busy.decode / busy.video (503); `job` (default) waits its turn.
   */
  readonly wait?: WaitMode;
  /** Decoding limits (default: the service's, serviceImageLimits()) and the hints appended to their errors. */
  readonly limits?: ImageLimits;
  readonly limitHint?: string;
  readonly budgetHint?: string;
}

/** The media's bytes, or how to read them (called only once a decode slot is held). */
export type MediaBytes = Uint8Array | (() => Promise<Uint8Array>);

/** The hashes of `types` for media of `kind`; types that are not hashes of media are left out. */
export async function hashMedia(
  bytes: MediaBytes,
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
    private readonly source: MediaBytes,
    readonly kind: MediaKind,
    private readonly options: MediaHashOptions,
  ) {
    if (options.digests) {
      this.digests.set("md5", options.digests.md5);
      this.digests.set("sha256", options.digests.sha256);
    }
  }

  /** The bytes, when given as bytes (empty when they are read on demand). */
  get bytes(): Uint8Array {
    return typeof this.source === "function" ? new Uint8Array(0) : this.source;
  }

  pdq(): Promise<PdqImageResult> {
    const { limits, limitHint, budgetHint } = this.options;
    const source = this.source;
    this.pdqResult ??= gates.image.run(
      async () =>
        pdqHashImageBytes(typeof source === "function" ? await source() : source, {
          limits: limits ?? serviceImageLimits(),
          ...(limitHint !== undefined ? { limitHint } : {}),
          ...(budgetHint !== undefined ? { budgetHint } : {}),
        }),
      this.options.wait ?? "job",
    );
    return this.pdqResult;
  }

  vpdq(): Promise<VpdqResult> {
    const secondsPerHash = this.options.secondsPerHash ?? QUERY_SECONDS_PER_HASH;
    const path = this.options.path;
    this.vpdqResult ??= gates.video.run(
      () =>
        path !== undefined ? vpdqHashVideoFile(path, { secondsPerHash }) : hashVideoBytes(this.bytes, secondsPerHash),
      this.options.wait ?? "job",
    );
    return this.vpdqResult;
  }

  digest(algorithm: "md5" | "sha256"): string {
    let hex = this.digests.get(algorithm);
    if (hex === undefined) {
      if (typeof this.source === "function")
        throw new Error(`media-hashing: ${algorithm} of media read on demand needs options.digests`);
      hex = createHash(algorithm).update(this.source).digest("hex");
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
