/**
 * vPDQ: PDQ of video frames sampled in time, as Meta's vpdq and python-threatexchange
 * compute it — every `secondsPerHash` seconds (frameMod = int(secondsPerHash × frame rate),
 * at least 1; 0 means every frame), RGB luma (no grey path), no 512 pre-resize, frames at
 * native size or resized to N x N with swscale's area filter.
 */

import { PdqHasher } from "../../kernels/pdq/pdq.js";
import { pixelLuma } from "../../kernels/pdq/luma.js";
import { DEFAULT_VIDEO_LIMITS, probeVideo, videoFrames, type VideoInfo, type VideoLimits } from "../../media/video.js";

export interface VpdqFrame {
  readonly frameNumber: number;
  readonly quality: number;
  readonly hash: string;
  /** frameNumber / frame rate, in seconds. */
  readonly timestamp: number;
}

export interface VpdqOptions {
  /** Seconds between hashed frames; 0 = every frame. Default 1 (python-threatexchange). */
  readonly secondsPerHash?: number;
  /** Resize frames to N x N first (the reference's -s N); 0 or absent = native size. */
  readonly downsample?: number;
  readonly limits?: VideoLimits;
}

export interface VpdqResult {
  readonly info: VideoInfo;
  readonly frames: VpdqFrame[];
}

/** The frame step the reference uses. */
export function frameMod(secondsPerHash: number, frameRate: number): number {
  return Math.max(1, Math.trunc(secondsPerHash * frameRate));
}

/** Hashes a video file; calls `onFrame` as frames are hashed, in order. */
export async function vpdqHashVideoFile(
  path: string,
  options: VpdqOptions = {},
  onFrame?: (frame: VpdqFrame) => void,
): Promise<VpdqResult> {
  const limits = options.limits ?? DEFAULT_VIDEO_LIMITS;
  const info = await probeVideo(path, limits);
  const every = options.secondsPerHash === 0 ? 1 : frameMod(options.secondsPerHash ?? 1, info.frameRate);
  const size = options.downsample && options.downsample > 0 ? options.downsample : undefined;
  const hasher = new PdqHasher();
  const frames: VpdqFrame[] = [];
  for await (const f of videoFrames(path, info, { every, limits, ...(size ? { width: size, height: size } : {}) })) {
    const { hash, quality } = hasher.hashLuma(
      pixelLuma({ width: f.width, height: f.height, channels: 3, data: f.data }, false),
    );
    const frame = { frameNumber: f.frameNumber, quality, hash, timestamp: f.frameNumber / info.frameRate };
    frames.push(frame);
    onFrame?.(frame);
  }
  return { info, frames };
}

/** The reference's line format: frameNumber,quality,hash,timestamp (3 decimals). */
export function formatVpdqLine(f: VpdqFrame): string {
  return `${f.frameNumber},${f.quality},${f.hash},${f.timestamp.toFixed(3)}`;
}
