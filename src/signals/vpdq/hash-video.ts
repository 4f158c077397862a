/**
 * vPDQ: PDQ of video frames sampled in time, as Meta's vpdq and python-threatexchange
 * compute it — every `secondsPerHash` seconds (frameMod = int(secondsPerHash × frame rate),
 * at least 1; 0 means every frame), RGB luma (no grey path), no 512 pre-resize, frames at
 * native size or resized to N x N with swscale's area filter.
 */

import { availableParallelism } from "node:os";
import { PdqHasher } from "../../kernels/pdq/pdq.js";
import type { FrameResult, FrameTask } from "../../parallel/frame-worker.js";
import { WorkerPool } from "../../parallel/worker-pool.js";
import { pixelLuma } from "../../kernels/pdq/luma.js";
import { isTruncated, readMp4Layout } from "../../media/mp4-header.js";
import {
  DEFAULT_VIDEO_LIMITS,
  decodeFrames,
  probeVideo,
  truncatedVideoError,
  type FrameDecode,
  type FramePlan,
  type VideoInfo,
  type VideoLimits,
} from "../../media/video.js";

export interface VpdqFrame {
  readonly frameNumber: number;
  readonly quality: number;
  readonly hash: string;
  /** frameNumber / frame rate, in seconds. */
  readonly timestamp: number;
}

export interface VpdqOptions {
  /** Hash frames on this many worker threads (default: every core; 0 = in this thread). */
  readonly threads?: number;
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

const pools = new Map<number, WorkerPool<FrameTask, FrameResult>>();

/** Frame-hashing workers, kept warm between videos (idle workers do not hold the process). */
function framePool(threads: number): WorkerPool<FrameTask, FrameResult> {
  let pool = pools.get(threads);
  if (!pool) {
    const worker = new URL(
      `../../parallel/frame-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
      import.meta.url,
    );
    pool = new WorkerPool<FrameTask, FrameResult>(worker, { threads, perWorker: 2 });
    pools.set(threads, pool);
  }
  return pool;
}

/** The frame step the reference uses. */
function frameMod(secondsPerHash: number, frameRate: number): number {
  return Math.max(1, Math.trunc(secondsPerHash * frameRate));
}

/** What to ask FFmpeg for, given the video's frame size and rate. */
function framePlan(
  video: { width: number; height: number; frameRate: number },
  secondsPerHash: number,
  downsample: number | undefined,
): FramePlan {
  return {
    every: secondsPerHash === 0 ? 1 : frameMod(secondsPerHash, video.frameRate),
    width: downsample ?? video.width,
    height: downsample ?? video.height,
  };
}

function samePlan(a: FramePlan, b: FramePlan): boolean {
  return a.every === b.every && a.width === b.width && a.height === b.height;
}

/**
 * Probes the video and starts decoding it. For MP4/MOV files whose header is within the
 * limits, FFmpeg starts at once on the plan the header gives, while ffprobe runs (two process
 * starts overlap instead of following each other); the probe decides, and a different plan
 * restarts the decode. No frame is read before the probe has checked the limits, and none of
 * an MP4/MOV its own tables show is cut short (`video.truncated`).
 */
async function startDecode(
  path: string,
  secondsPerHash: number,
  downsample: number | undefined,
  limits: VideoLimits,
  recycled: Uint8Array[],
): Promise<{ info: VideoInfo; decode: FrameDecode }> {
  const probe = probeVideo(path, limits);
  probe.catch(() => undefined); // awaited below; a quick rejection is not unhandled meanwhile
  let early: FrameDecode | undefined;
  try {
    const layout = await readMp4Layout(path);
    // A cut MP4/MOV is refused before any frame is decoded (FFmpeg would hash what is there).
    if (layout && isTruncated(layout)) throw truncatedVideoError(layout);
    const hint = layout?.hint;
    if (hint && hint.width * hint.height <= limits.maxFramePixels && hint.durationSeconds <= limits.maxSeconds) {
      early = decodeFrames(path, framePlan(hint, secondsPerHash, downsample), { limits, recycled });
    }
    const info = await probe;
    const plan = framePlan(info, secondsPerHash, downsample);
    if (early && samePlan(early.plan, plan)) return { info, decode: early };
    early?.stop();
    return { info, decode: decodeFrames(path, plan, { limits, recycled }) };
  } catch (error) {
    early?.stop();
    throw error;
  }
}

/** Hashes a video file; calls `onFrame` as frames are hashed, in order. */
export async function vpdqHashVideoFile(
  path: string,
  options: VpdqOptions = {},
  onFrame?: (frame: VpdqFrame) => void,
): Promise<VpdqResult> {
  const limits = options.limits ?? DEFAULT_VIDEO_LIMITS;
  const size = options.downsample && options.downsample > 0 ? options.downsample : undefined;
  // Frame buffers come back here once hashed and are filled again.
  const recycled: Uint8Array[] = [];
  const { info, decode } = await startDecode(path, options.secondsPerHash ?? 1, size, limits, recycled);
  const source = decode.frames;
  const frames: VpdqFrame[] = [];
  const threads = options.threads ?? availableParallelism();
  const push = (frameNumber: number, r: { hash: string; quality: number }): void => {
    const frame = { frameNumber, quality: r.quality, hash: r.hash, timestamp: frameNumber / info.frameRate };
    frames.push(frame);
    onFrame?.(frame);
  };
  if (threads <= 0) {
    const hasher = new PdqHasher();
    for await (const f of source) {
      push(
        f.frameNumber,
        hasher.hashLuma(pixelLuma({ width: f.width, height: f.height, channels: 3, data: f.data }, false)),
      );
      recycled.push(f.data);
    }
    return { info, frames };
  }
  // Frames move to worker threads (no copy) while FFmpeg decodes the next ones; results
  // are taken in order, with a bounded number in flight.
  const pool = framePool(threads);
  {
    const inFlight: { frameNumber: number; result: Promise<FrameResult> }[] = [];
    const take = async (): Promise<void> => {
      const next = inFlight.shift()!;
      const r = await next.result;
      push(next.frameNumber, r);
      recycled.push(r.data);
    };
    for await (const f of source) {
      inFlight.push({
        frameNumber: f.frameNumber,
        result: pool.run({ data: f.data, width: f.width, height: f.height }, [f.data.buffer as ArrayBuffer]),
      });
      while (inFlight.length > threads * 4) await take();
    }
    while (inFlight.length > 0) await take();
  }
  return { info, frames };
}

/** The reference's line format: frameNumber,quality,hash,timestamp (3 decimals). */
export function formatVpdqLine(f: VpdqFrame): string {
  return `${f.frameNumber},${f.quality},${f.hash},${f.timestamp.toFixed(3)}`;
}
