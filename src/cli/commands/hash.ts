/**
 * `rasd hash ...`: hash media from the command line.
 *   rasd hash pdq FILE|DIR...      one line per image: hash,quality,path
 *   rasd hash distance HASH HASH   Hamming distance between two PDQ hashes
 */

import { createInterface } from "node:readline";
import { Command, Option } from "commander";
import { nonNegative, positiveInt } from "../arguments.js";
import { RasdError, isRasdError } from "../../core/errors.js";
import { PDQ_MATCH_THRESHOLD } from "../../core/model.js";
import { DIHEDRAL_NAMES } from "../../kernels/pdq/dihedral.js";
import { hammingDistance, parseHash256 } from "../../kernels/pdq/hash256.js";
import { PDQ_FLAVOURS, type PdqFlavour } from "../../kernels/pdq/pdq.js";
import { expandPaths } from "../../media/files.js";
import { DEFAULT_IMAGE_LIMITS } from "../../media/limits.js";
import { PdqPool, type PdqFileOutcome } from "../../signals/pdq/pdq-pool.js";
import { formatVpdqLine, vpdqHashVideoFile } from "../../signals/vpdq/hash-video.js";
import { ProgressBar } from "../progress.js";

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
    .option("-j, --threads <n>", "worker threads (default: all cores)", positiveInt)
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
      "vPDQ-hash a video: one line per hashed frame, frame,quality,hash,timestamp (the reference's format).\n" +
        "Needs Debian's ffmpeg. Frames are decoded once, in one ffmpeg process.",
    )
    .argument("<file>", "a video file")
    .option(
      "--seconds-per-hash <s>",
      "seconds between hashed frames; 0 = every frame (default 1, like python-threatexchange)",
      nonNegative,
      1,
    )
    .option("--downsample <n>", "resize frames to N x N first (the reference's -s N); 0 = native size", nonNegative, 0)
    .option("--json", "one JSON object per frame")
    .action(async (file: string, options: { secondsPerHash: number; downsample: number; json?: boolean }) => {
      try {
        await vpdqHashVideoFile(
          file,
          { secondsPerHash: options.secondsPerHash, downsample: options.downsample },
          (frame) => {
            process.stdout.write(options.json ? `${JSON.stringify(frame)}\n` : `${formatVpdqLine(frame)}\n`);
          },
        );
      } catch (error) {
        if (isRasdError(error) && error.code !== "usage") {
          process.stderr.write(`rasd: ${file}: ${error.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw error;
      }
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

  const pool = new PdqPool(options.threads ? { threads: options.threads } : {});
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
