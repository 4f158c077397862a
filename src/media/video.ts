/**
 * Video frames for hashing, decoded by FFmpeg (Debian's `ffmpeg` and `ffprobe`): one
 * process per video streaming raw RGB24 frames through a pipe — never a process per
 * frame. Frames are converted as the reference vPDQ does (swscale with SWS_AREA, to the
 * native size or to N x N, display rotation not applied), and only the frames to be hashed
 * are converted.
 *
 * Limits (docs/limits.md): file size, frame size and duration are checked with ffprobe
 * before any frame is read (and from the MP4 header before FFmpeg starts early, see
 * signals/vpdq/hash-video.ts); the decoder itself refuses frames over the pixel limit; a
 * decode that runs past its time budget is killed.
 *
 * A cut file is refused, never half-hashed: FFmpeg decodes the frames a truncated file still
 * holds and exits 0, so MP4/MOV files are checked against their own sample tables before
 * decoding (`mp4-header.ts`, {@link truncatedVideoError}) and, for every container, the
 * demuxer's own report of an early end ("partial file", "File ended prematurely") fails the
 * decode with `video.truncated`. Nothing of a truncated video's frames is kept.
 */

import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { RasdError, describeError } from "../core/errors.js";
import { formatBytes, formatPixels } from "./limits.js";
import type { Mp4Layout } from "./mp4-header.js";

export interface VideoLimits {
  /** Largest file accepted. Default 2 GiB. */
  readonly maxBytes: number;
  /** Largest frame (width x height) accepted. Default 4096 x 4096. */
  readonly maxFramePixels: number;
  /** Longest duration accepted, in seconds. Default 4 hours. */
  readonly maxSeconds: number;
  /** Wall-clock budget for decoding one video, in seconds. Default 1 hour. */
  readonly timeoutSeconds: number;
}

export const DEFAULT_VIDEO_LIMITS: VideoLimits = Object.freeze({
  maxBytes: 2 * 1024 ** 3,
  maxFramePixels: 4096 * 4096,
  maxSeconds: 4 * 3600,
  timeoutSeconds: 3600,
});

export interface VideoInfo {
  readonly width: number;
  readonly height: number;
  /** avg_frame_rate, or r_frame_rate when that is 0/0 (as the reference does). */
  readonly frameRate: number;
  readonly durationSeconds: number;
  readonly codec: string;
  /** The frame count the container declares (ffprobe's nb_frames), when it declares one. */
  readonly frameCount?: number;
}

/**
 * The error for an MP4/MOV whose boxes or sample tables reach past the end of the file: how
 * many of the frames it declares it holds, and its size against the size its boxes declare.
 */
export function truncatedVideoError(layout: Mp4Layout): RasdError {
  const bytes =
    layout.declaredBytes !== null
      ? `the file is ${layout.fileBytes} bytes, its boxes declare ${layout.declaredBytes}`
      : `the file is ${layout.fileBytes} bytes`;
  const frames = layout.videoSamples
    ? `it holds ${layout.videoSamples.present} of the ${layout.videoSamples.declared} frames its header declares`
    : layout.moov
      ? "its last box is cut, so its last frames are missing"
      : "its index (moov box) is missing, so none of its frames can be read";
  return new RasdError(
    "video.truncated",
    `truncated video: ${frames} (${bytes}); nothing was hashed, send the whole file`,
  );
}

/** FFmpeg's words (on stderr, with exit status 0) for input that ends before its data does. */
const EARLY_END = /partial file|ended prematurely|unexpected end of file|truncat/i;

function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(
        new RasdError("invalid", `cannot run ${cmd}: ${describeError(error)} (install the Debian package ffmpeg)`, {
          cause: error,
        }),
      );
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function rate(text: string | undefined): number {
  if (!text) return 0;
  const [num, den] = text.split("/").map(Number);
  return num && den ? num / den : 0;
}

/** Reads a video's size, frame rate and duration, and checks them against the limits. */
export async function probeVideo(path: string, limits: VideoLimits = DEFAULT_VIDEO_LIMITS): Promise<VideoInfo> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new RasdError("file.not_a_file", "not a regular file");
    size = info.size;
  } catch (error) {
    if (error instanceof RasdError) throw error;
    throw new RasdError("file.not_found", "no such file", { cause: error });
  }
  if (size === 0) throw new RasdError("image.empty", "empty file (0 bytes)");
  if (size > limits.maxBytes) {
    throw new RasdError(
      "file.too_large",
      `file is ${formatBytes(size)}, over the ${formatBytes(limits.maxBytes)} limit`,
    );
  }
  const r = await run(
    "ffprobe",
    [
      "-v",
      "error",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=width,height,avg_frame_rate,r_frame_rate,codec_name,duration,nb_frames:format=duration",
      "-of",
      "json",
      path,
    ],
    60_000,
  );
  let parsed: { streams?: Record<string, string | number>[]; format?: { duration?: string } };
  try {
    parsed = JSON.parse(r.stdout || "{}") as typeof parsed;
  } catch {
    parsed = {};
  }
  const stream = parsed.streams?.[0];
  if (r.code !== 0 || !stream) {
    const reason =
      r.stderr
        .trim()
        .split("\n")
        .pop()
        ?.replace(/^.*?: /, "") ?? "";
    throw new RasdError("image.unsupported_format", `not a video, or no video stream${reason ? ` (${reason})` : ""}`);
  }
  const width = Number(stream.width ?? 0);
  const height = Number(stream.height ?? 0);
  if (!(width > 0 && height > 0)) throw new RasdError("image.corrupt", "video stream has no frame size");
  if (width * height > limits.maxFramePixels) {
    throw new RasdError(
      "image.too_many_pixels",
      `video frames are ${width}x${height} (${formatPixels(width * height)}), over the ${formatPixels(limits.maxFramePixels)} limit`,
    );
  }
  let frameRate = rate(String(stream.avg_frame_rate ?? ""));
  if (frameRate === 0) frameRate = rate(String(stream.r_frame_rate ?? ""));
  if (!(frameRate > 0)) throw new RasdError("image.corrupt", "video frame rate is zero or unknown");
  const durationSeconds = Number(stream.duration ?? parsed.format?.duration ?? 0) || 0;
  if (durationSeconds > limits.maxSeconds) {
    throw new RasdError(
      "file.too_large",
      `video lasts ${Math.round(durationSeconds)} s, over the ${limits.maxSeconds} s limit`,
    );
  }
  const frameCount = Number(stream.nb_frames);
  return {
    width,
    height,
    frameRate,
    durationSeconds,
    codec: String(stream.codec_name ?? ""),
    ...(Number.isSafeInteger(frameCount) && frameCount > 0 ? { frameCount } : {}),
  };
}

/** What FFmpeg is asked for: every `every`-th frame (0, every, 2·every, ...) at this size. */
export interface FramePlan {
  readonly every: number;
  readonly width: number;
  readonly height: number;
}

export interface FrameOptions {
  readonly limits?: VideoLimits;
  /**
   * Frame buffers the caller is done with, to be filled again rather than allocating a
   * new one per frame (a frame is 1 MB at 720x480). Buffers of another size are dropped.
   */
  readonly recycled?: Uint8Array[];
}

export interface VideoFrame {
  readonly frameNumber: number;
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** A running decode: its frames (read once), and a way to stop it before reading them. */
export interface FrameDecode {
  readonly plan: FramePlan;
  readonly frames: AsyncGenerator<VideoFrame>;
  /** Kills FFmpeg if it is still running; the frames then end. Safe to call twice. */
  stop(): void;
}

/** FFmpeg's arguments for a plan: the selected frames as RGB24 on standard output. */
export function ffmpegFrameArgs(path: string, plan: FramePlan, limits: VideoLimits = DEFAULT_VIDEO_LIMITS): string[] {
  const every = Math.max(1, Math.floor(plan.every));
  const filters = [
    ...(every > 1 ? [`select=not(mod(n\\,${every}))`] : []),
    `scale=${plan.width}:${plan.height}:flags=area`,
    "format=rgb24",
  ];
  return [
    "-v",
    "error",
    "-nostdin",
    "-noautorotate",
    "-max_pixels",
    String(limits.maxFramePixels),
    "-i",
    path,
    "-map",
    "0:v:0",
    "-an",
    "-sn",
    "-dn",
    "-fps_mode",
    "passthrough",
    "-vf",
    filters.join(","),
    "-f",
    "rawvideo",
    "pipe:1",
  ];
}

/**
 * Starts FFmpeg on `path` at once (the caller may still be probing) and returns the
 * selected frames, RGB24, converted as the reference does. Frame numbers count decoded
 * frames from 0, as the reference does. Display rotation is not applied (-noautorotate):
 * the reference hashes frames as decoded. The decoder refuses frames over the pixel limit
 * whatever the header said.
 */
export function decodeFrames(path: string, plan: FramePlan, options: FrameOptions = {}): FrameDecode {
  const { width, height } = plan;
  const limits = options.limits ?? DEFAULT_VIDEO_LIMITS;
  const every = Math.max(1, Math.floor(plan.every));
  const child = spawn("ffmpeg", ffmpegFrameArgs(path, { every, width, height }, limits), {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    if (stderr.length < 4000) stderr += c.toString();
  });
  let spawnError: Error | undefined;
  child.on("error", (error) => (spawnError = error));
  const timer = setTimeout(() => child.kill("SIGKILL"), limits.timeoutSeconds * 1000);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const stop = (): void => {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const frameBytes = width * height * 3;
  const recycled = options.recycled ?? [];
  const nextBuffer = (): Uint8Array => {
    for (let b = recycled.pop(); b !== undefined; b = recycled.pop()) if (b.length === frameBytes) return b;
    return new Uint8Array(frameBytes);
  };

  // Output is taken from the pipe as soon as FFmpeg writes it, into a short queue (FFmpeg waits
  // while it is full). Reading only when the caller iterates would lose a short video's
  // frames: once a child exits, Node resumes any stdio stream nobody listens to, and its data
  // is dropped — and the caller may still be waiting for ffprobe.
  const chunks: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const highWater = Math.max(2 * frameBytes, 1 << 20);
  child.stdout.on("data", (c: Buffer) => {
    chunks.push(c);
    queued += c.length;
    if (queued > highWater) child.stdout.pause();
    notify();
  });
  const finish = (): void => {
    ended = true;
    notify();
  };
  child.stdout.on("end", finish);
  child.stdout.on("close", finish);
  child.stdout.on("error", finish);

  async function* frames(): AsyncGenerator<VideoFrame> {
    // Each frame is assembled in its own buffer, chunk by chunk, without re-concatenating.
    let frame = nextBuffer();
    let filled = 0;
    let index = 0;
    try {
      for (;;) {
        const chunk = chunks.shift();
        if (chunk === undefined) {
          if (ended) break;
          child.stdout.resume();
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        queued -= chunk.length;
        if (queued <= highWater / 2) child.stdout.resume();
        let at = 0;
        while (at < chunk.length) {
          const n = Math.min(frameBytes - filled, chunk.length - at);
          frame.set(chunk.subarray(at, at + n), filled);
          filled += n;
          at += n;
          if (filled === frameBytes) {
            yield { frameNumber: index * every, data: frame, width, height };
            index++;
            frame = nextBuffer();
            filled = 0;
          }
        }
      }
      const code = await exited;
      if (spawnError) {
        throw new RasdError(
          "invalid",
          `cannot run ffmpeg: ${describeError(spawnError)} (install the Debian package ffmpeg)`,
          {
            cause: spawnError,
          },
        );
      }
      if (code !== 0) {
        const reason = stderr.trim().split("\n").pop() ?? `ffmpeg exited with ${code}`;
        throw new RasdError(
          index > 0 ? "image.truncated" : "image.corrupt",
          `${index > 0 ? "truncated" : "undecodable"} video: ${reason}`,
        );
      }
      const early = stderr.split("\n").find((l) => EARLY_END.test(l));
      if (early !== undefined) {
        const last = index > 0 ? `after frame ${(index - 1) * every}` : "before its first frame";
        throw new RasdError(
          "video.truncated",
          `truncated video: the file ends ${last} (FFmpeg: ${early.replace(/^\[[^\]]*\]\s*/, "").trim()}); nothing was hashed, send the whole file`,
        );
      }
      if (index === 0) throw new RasdError("image.corrupt", "video has no decodable frames");
    } finally {
      stop();
    }
  }
  return { plan: { every, width, height }, frames: frames(), stop };
}
