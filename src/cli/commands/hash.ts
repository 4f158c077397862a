/**
 * `rasd hash ...`: hash media from the command line.
 *   rasd hash pdq FILE|DIR...      one line per image: hash,quality,path
 *   rasd hash distance HASH HASH   Hamming distance between two PDQ hashes
 */

import { createInterface } from "node:readline";
import { Command, Option } from "../commander.js";
import { nonNegative, positiveInt } from "../arguments.js";
import { RasdError, describeError, isRasdError } from "../../core/errors.js";
import { PDQ_MATCH_THRESHOLD } from "../../core/model.js";
import { DIHEDRAL_NAMES } from "../../kernels/pdq/dihedral.js";
import { hammingDistance, parseHash256 } from "../../kernels/pdq/hash256.js";
import { PDQ_FLAVOURS, type PdqFlavour } from "../../kernels/pdq/pdq.js";
import { expandPaths } from "../../media/files.js";
import { DEFAULT_IMAGE_LIMITS } from "../../media/limits.js";
import type { PdqImageOptions } from "../../signals/pdq/hash-image.js";
import type { PdqFileOutcome } from "../../signals/pdq/pdq-pool.js";
import type { VpdqFrame } from "../../signals/vpdq/hash-video.js";
import { ProgressBar } from "../progress.js";

// The hashing modules (sharp, the PDQ kernels and their WebAssembly, the worker pools, FFmpeg)
// are imported by the action that needs them, so that --help and `hash distance` load none.

/**
 * Images decoded at once while this thread hashes: two keep both cores of a small machine busy
 * (decoding takes about three times as long as hashing); more raise the memory peak.
 */
const DECODES_AHEAD = 2;

/** Video files a directory argument of `rasd hash vpdq` expands to. */
const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set([".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi"]);

interface PdqCliOptions {
  flavour: PdqFlavour;
  dihedral?: boolean;
  json?: boolean;
  exif?: boolean;
  threads?: number;
  maxPixels: number;
  maxBytes: number;
  maxDecodedBytes: number;
  stdin?: boolean;
  progress?: boolean;
}

export function hashCommand(): Command {
  const hash = new Command("hash").description("hash media: PDQ for images, vPDQ for videos");

  hash
    .command("pdq")
    .description(
      "PDQ-hash images. Prints hash,quality,path per image (like the reference pdq-photo-hasher).\n" +
        "A directory is searched for images (jpg, png, webp, gif, tif, bmp) below it.",
    )
    .argument("[paths...]", "image files or directories")
    .addOption(
      new Option("--flavour <flavour>", "full: full resolution, as python-threatexchange and HMA; 512: as the C++ CLI")
        .choices(PDQ_FLAVOURS as string[])
        .default("full"),
    )
    .option(
      "--dihedral",
      "print the 8 dihedral hashes: orig,rot90,rot180,rot270,flipx,flipy,flipplus1,flipminus1,quality,path",
    )
    .option("--json", "one JSON object per line instead of CSV")
    .option("--exif", "apply the EXIF orientation before hashing (the reference ignores it)")
    .option("-i, --stdin", "read paths from standard input, one per line")
    .option(
      "-j, --threads <n>",
      "hash on N worker threads (default: this thread, with two images decoding ahead on libvips' threads)",
      positiveInt,
    )
    .option(
      "--max-pixels <n>",
      "refuse images declaring more pixels than this",
      positiveInt,
      DEFAULT_IMAGE_LIMITS.maxPixels,
    )
    .option("--max-bytes <n>", "refuse files larger than this many bytes", positiveInt, DEFAULT_IMAGE_LIMITS.maxBytes)
    .option(
      "--max-decoded-bytes <n>",
      "refuse images whose decoded pixels (width x height x channels x bytes per channel) exceed this",
      positiveInt,
      DEFAULT_IMAGE_LIMITS.maxDecodedBytes,
    )
    .option("--no-progress", "never draw a progress bar (drawn on a terminal only)")
    .addHelpText(
      "after",
      "\nExamples:\n  rasd hash pdq photo.jpg\n  rasd hash pdq --flavour 512 --json images/\n  find . -name '*.png' | rasd hash pdq --stdin\n\n" +
        "Exit status: 0 if every file was hashed, 1 if any failed (each failure is one line on stderr), 2 on usage errors.",
    )
    .action(async (args: string[], options: PdqCliOptions) => {
      process.exitCode = await runPdq(args, options);
    });

  hash
    .command("vpdq")
    .description(
      "vPDQ-hash videos: one line per hashed frame, frame,quality,hash,timestamp (the reference's format);\n" +
        "with several videos (or a directory), each line ends with ,path. Needs Debian's ffmpeg.\n" +
        "Frames are decoded once, in one ffmpeg process per video; one rasd process hashes them all.",
    )
    .argument("<paths...>", "video files or directories (mp4, m4v, mov, mkv, webm, avi below them)")
    .option(
      "--seconds-per-hash <s>",
      "seconds between hashed frames; 0 = every frame (default 1, like python-threatexchange)",
      nonNegative,
      1,
    )
    .option("--downsample <n>", "resize frames to N x N first (the reference's -s N); 0 = native size", nonNegative, 0)
    .option(
      "-j, --threads <n>",
      "hash frames on N worker threads (default 0: in this thread, while FFmpeg decodes on the others)",
      nonNegative,
      0,
    )
    .option("--json", "one JSON object per frame")
    .option("--no-progress", "never draw a progress bar (videos done; drawn on a terminal only)")
    .addHelpText(
      "after",
      "\nExamples:\n  rasd hash vpdq video.mp4\n  rasd hash vpdq --seconds-per-hash 0 videos/\n\n" +
        "Exit status: 0 if every video was hashed, 1 if any failed (each failure is one line on stderr), 2 on usage errors.",
    )
    .action(async (args: string[], options: VpdqCliOptions) => {
      process.exitCode = await runVpdq(args, options);
    });

  hash
    .command("distance")
    .description(
      `Hamming distance between two PDQ hashes (64 hex digits each); ${PDQ_MATCH_THRESHOLD} or less is a match`,
    )
    .argument("<a>", "first hash")
    .argument("<b>", "second hash")
    .action((a: string, b: string) => {
      let ha, hb;
      try {
        ha = parseHash256(a);
        hb = parseHash256(b);
      } catch (error) {
        throw new RasdError("usage", (error as Error).message);
      }
      process.stdout.write(`${hammingDistance(ha, hb)}\n`);
    });

  return hash;
}

async function readStdinLines(): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() !== "") lines.push(line);
  }
  return lines;
}

async function runPdq(args: string[], options: PdqCliOptions): Promise<number> {
  if (options.stdin && args.length > 0)
    throw new RasdError("usage", "give paths either as arguments or with --stdin, not both");
  const inputs = options.stdin ? await readStdinLines() : args;
  if (inputs.length === 0) throw new RasdError("usage", "no files given (see rasd hash pdq --help)");
  const paths = await expandPaths(inputs);
  if (paths.length === 0) {
    process.stderr.write("rasd: no images found\n");
    return 1;
  }

  // By default images are hashed in this thread with decodes running ahead on libuv's threads
  // (decoding is most of the work): less CPU than worker threads on two cores, one heap instead
  // of three, and no worker start-up. -j N (N > 1) asks for N worker threads instead.
  const pool =
    options.threads !== undefined && options.threads > 1 && paths.length > 1
      ? await workerHasher(options.threads)
      : await inThreadHasher(DECODES_AHEAD);
  const progress = new ProgressBar(
    paths.length,
    "hashing",
    options.progress !== false && process.stderr.isTTY === true,
  );
  let failures = 0;
  const out: string[] = [];
  const flush = (): void => {
    if (out.length > 0) process.stdout.write(out.join(""));
    out.length = 0;
  };
  try {
    await pool.hashInOrder(
      paths,
      {
        flavour: options.flavour,
        dihedral: options.dihedral === true,
        applyExifOrientation: options.exif === true,
        limits: { maxPixels: options.maxPixels, maxBytes: options.maxBytes, maxDecodedBytes: options.maxDecodedBytes },
      },
      (outcome) => {
        if (outcome.ok) {
          out.push(formatOutcome(outcome, options));
          if (out.length >= 64) flush();
        } else {
          failures++;
          flush();
          progress.clear();
          process.stderr.write(`rasd: ${outcome.path}: ${outcome.message}\n`);
          progress.redraw();
        }
        progress.tick(outcome.ok);
      },
    );
    flush();
  } finally {
    progress.finish();
    await pool.close();
  }
  return failures > 0 ? 1 : 0;
}

interface ImageHasher {
  hashInOrder(
    paths: readonly string[],
    options: PdqImageOptions,
    onResult: (outcome: PdqFileOutcome) => void,
  ): Promise<void>;
  close(): Promise<void>;
}

async function workerHasher(threads: number): Promise<ImageHasher> {
  const { PdqPool } = await import("../../signals/pdq/pdq-pool.js");
  return new PdqPool({ threads });
}

/**
 * Hashes in this thread while libvips decodes the next images on libuv's threads: decoding
 * (most of the work) runs `ahead` images at once, hashing one at a time, and the process holds
 * one JavaScript heap and one hashing buffer instead of one per worker.
 */
async function inThreadHasher(ahead: number): Promise<ImageHasher> {
  const [{ pdqHashDecoded }, { decodeImage }, { readFileBounded }, { PdqHasher }, { decodedMemoryReleaser }] =
    await Promise.all([
      import("../../signals/pdq/hash-image.js"),
      import("../../media/image-decode.js"),
      import("../../media/files.js"),
      import("../../kernels/pdq/pdq.js"),
      import("../release-memory.js"),
    ]);
  const hasher = new PdqHasher();
  const released = decodedMemoryReleaser();
  const failure = (path: string, error: unknown): PdqFileOutcome => ({
    path,
    ok: false,
    code: isRasdError(error) ? error.code : undefined,
    message: describeError(error),
  });
  return {
    async hashInOrder(paths, options, onResult) {
      const maxBytes = (options.limits ?? DEFAULT_IMAGE_LIMITS).maxBytes;
      const decode = (path: string) =>
        readFileBounded(path, maxBytes)
          .then((bytes) => decodeImage(bytes, options))
          .then(
            (image) => ({ image }),
            (error: unknown) => ({ error }),
          );
      const inFlight: ReturnType<typeof decode>[] = [];
      let next = 0;
      for (const path of paths) {
        while (next < paths.length && inFlight.length < ahead) inFlight.push(decode(paths[next++]!));
        const decoded = await inFlight.shift()!;
        if ("error" in decoded) {
          onResult(failure(path, decoded.error));
          continue;
        }
        try {
          onResult({ path, ok: true, result: pdqHashDecoded(decoded.image, options, hasher) });
        } catch (error) {
          onResult(failure(path, error));
        }
        released(decoded.image.data.length);
      }
    },
    close: () => Promise.resolve(),
  };
}

interface VpdqCliOptions {
  secondsPerHash: number;
  downsample: number;
  threads: number;
  json?: boolean;
  progress?: boolean;
}

async function runVpdq(args: string[], options: VpdqCliOptions): Promise<number> {
  const paths = await expandPaths(args, VIDEO_EXTENSIONS);
  if (paths.length === 0) {
    process.stderr.write("rasd: no videos found\n");
    return 1;
  }
  const { vpdqHashVideoFile, formatVpdqLine } = await import("../../signals/vpdq/hash-video.js");
  const withPath = paths.length > 1;
  const format = (frame: VpdqFrame, path: string): string => {
    if (options.json) return `${JSON.stringify(withPath ? { ...frame, path } : frame)}\n`;
    return withPath ? `${formatVpdqLine(frame)},${path}\n` : `${formatVpdqLine(frame)}\n`;
  };
  const progress = new ProgressBar(
    paths.length,
    "hashing videos",
    options.progress !== false && process.stderr.isTTY === true,
  );
  let failures = 0;
  try {
    for (const path of paths) {
      failures += (await hashOneVideo(path)) ? 0 : 1;
    }
  } finally {
    progress.finish();
  }
  return failures > 0 ? 1 : 0;

  /** Hashes one video, printing its frames; false (after saying why) if it could not be hashed. */
  async function hashOneVideo(path: string): Promise<boolean> {
    const out: string[] = [];
    try {
      await vpdqHashVideoFile(
        path,
        {
          secondsPerHash: options.secondsPerHash,
          downsample: options.downsample,
          // Hashing a frame (under a millisecond) is quick beside decoding it: in this thread it
          // costs less CPU than handing frames to workers, and the cores are left to FFmpeg.
          threads: options.threads,
        },
        (frame) => {
          out.push(format(frame, path));
          if (out.length >= 256) process.stdout.write(out.splice(0).join(""));
        },
      );
      if (out.length > 0) process.stdout.write(out.join(""));
    } catch (error) {
      if (out.length > 0) process.stdout.write(out.join(""));
      if (isRasdError(error) && error.code !== "usage") {
        progress.clear();
        process.stderr.write(`rasd: ${path}: ${error.message}\n`);
        progress.tick(false);
        return false;
      }
      throw error;
    }
    progress.tick(true);
    return true;
  }
}

function formatOutcome(outcome: Extract<PdqFileOutcome, { ok: true }>, options: PdqCliOptions): string {
  const { result, path } = outcome;
  if (options.json) {
    return `${JSON.stringify({
      path,
      hash: result.hash,
      quality: result.quality,
      flavour: result.flavour,
      width: result.width,
      height: result.height,
      format: result.format,
      ...(result.dihedral ? { dihedral: result.dihedral } : {}),
    })}\n`;
  }
  if (result.dihedral) {
    const hashes = DIHEDRAL_NAMES.map((name) => result.dihedral![name]);
    return `${hashes.join(",")},${result.quality},${path}\n`;
  }
  return `${result.hash},${result.quality},${path}\n`;
}
