/** Whether Debian's ffmpeg is installed, for video tests that must skip visibly without it. */

import { execFileSync } from "node:child_process";

function version(): string | undefined {
  try {
    return /ffmpeg version (\S+)/.exec(execFileSync("ffmpeg", ["-version"], { encoding: "utf8" }))?.[1];
  } catch {
    return undefined;
  }
}

/** The installed ffmpeg's version, e.g. "5.1.9-0+deb12u1", or undefined. */
export const FFMPEG_VERSION = version();

/** `skip` option for node:test: false when ffmpeg is installed, else why not. */
export const needsFfmpeg: string | false = FFMPEG_VERSION
  ? false
  : "SKIPPED: ffmpeg is not installed (Debian package ffmpeg)";

/**
 * Writes a 21-frame, 1 fps MP4 at `path` with its index (moov) before the frames (faststart), as
 * streaming sites serve MP4, made with ffmpeg's test source; returns `path`.
 */
export function makeFaststartMp4(path: string): string {
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=160x120:rate=1:duration=21",
    "-pix_fmt",
    "yuv420p",
    "-c:v",
    "mpeg4",
    "-movflags",
    "+faststart",
    path,
  ]);
  return path;
}
