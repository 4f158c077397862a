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
