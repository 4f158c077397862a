/**
 * npm run bench -- vpdq
 *
 * vPDQ over the 14 sample videos of ../shared/testdata/threatexchange/tmk/sample-videos at
 * native size, (a) every frame and (b) one hash a second (python-threatexchange's default):
 * frames hashed per second and times real time (video seconds per wall second), videos one
 * after another. Two thread settings:
 *   impl "rasd"          frames hashed on worker threads, one per core (the default)
 *   impl "rasd-1thread"  frames hashed in the calling thread (threads: 0)
 * In both, FFmpeg decodes in its own process. When RASD_REF_VPDQ points at Meta's
 * `vpdq-hash-video` built outside the repository, it runs in the same repetitions,
 * interleaved with rasd (rasd, reference, rasd-1thread, reference-1thread, then again), at
 * the same settings: its default threads (`-t 0`) and one thread (`-t 1`); the ratio
 * rasd / reference is printed for each pair. Each figure is the median of RUNS (default 3).
 * RASD_BENCH_CASES=every-frame or =1-per-second runs only that case.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vpdqHashVideoFile } from "../dist/signals/vpdq/hash-video.js";
import { probeVideo } from "../dist/media/video.js";
import { HAS_SHARED, THREATEXCHANGE } from "../test/support/shared.js";
import { emit, note } from "./_util.js";

const RUNS = Number(process.env.RUNS ?? 3);
const VIDEOS = join(THREATEXCHANGE, "tmk/sample-videos");
const REF = process.env.RASD_REF_VPDQ;
const CASES = [
  ["every-frame", 0],
  ["1-per-second", 1],
] as const;

if (!HAS_SHARED) {
  note(`SKIPPED: ${VIDEOS} is absent`);
  process.exit(0);
}

const files = readdirSync(VIDEOS)
  .filter((f) => f.endsWith(".mp4"))
  .sort()
  .map((f) => join(VIDEOS, f));
let duration = 0;
for (const f of files) duration += (await probeVideo(f)).durationSeconds;
note(`${files.length} videos, ${duration.toFixed(1)} s of video, median of ${RUNS} runs, interleaved`);

/** One pass over the videos; returns [wall seconds, frames hashed]. */
type Pass = () => Promise<[number, number]>;

function rasdPass(secondsPerHash: number, threads: number | undefined): Pass {
  return async () => {
    const t0 = process.hrtime.bigint();
    let frames = 0;
    for (const f of files) {
      frames += (await vpdqHashVideoFile(f, { secondsPerHash, ...(threads === undefined ? {} : { threads }) })).frames
        .length;
    }
    return [Number(process.hrtime.bigint() - t0) / 1e9, frames];
  };
}

function referencePass(ref: string, out: string, secondsPerHash: number, threads: number): Pass {
  return () => {
    const t0 = process.hrtime.bigint();
    let frames = 0;
    for (const f of files) {
      const output = join(out, "out.txt");
      const r = spawnSync(
        ref,
        ["-i", f, "-o", output, "-r", String(secondsPerHash), "-s", "0", "-t", String(threads)],
        {
          encoding: "utf8",
        },
      );
      if (r.status !== 0) throw new Error(`reference failed on ${f}: ${r.stderr}`);
      frames += readFileSync(output, "utf8").split("\n").filter(Boolean).length;
    }
    return Promise.resolve([Number(process.hrtime.bigint() - t0) / 1e9, frames]);
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const out = mkdtempSync(join(tmpdir(), "rasd-vpdq-ref-"));
const only = process.env.RASD_BENCH_CASES;
try {
  // Warm the worker pool and the JIT so that the first timed run is not penalised.
  await vpdqHashVideoFile(files[0]!, { secondsPerHash: 1 });
  for (const [label, secondsPerHash] of CASES) {
    if (only && only !== label) continue;
    const impls: [string, Pass][] = [
      ["rasd", rasdPass(secondsPerHash, undefined)],
      ...(REF ? [["reference", referencePass(REF, out, secondsPerHash, 0)] as [string, Pass]] : []),
      ["rasd-1thread", rasdPass(secondsPerHash, 0)],
      ...(REF ? [["reference-1thread", referencePass(REF, out, secondsPerHash, 1)] as [string, Pass]] : []),
    ];
    const times = new Map<string, number[]>(impls.map(([name]) => [name, []]));
    const frames = new Map<string, number>();
    for (let run = 0; run < RUNS; run++) {
      for (const [name, pass] of impls) {
        const [seconds, n] = await pass();
        times.get(name)!.push(seconds);
        frames.set(name, n);
      }
    }
    const rate = (name: string): number => frames.get(name)! / median(times.get(name)!);
    for (const [name] of impls) {
      const seconds = median(times.get(name)!);
      const runs = times
        .get(name)!
        .map((t) => t.toFixed(2))
        .join(" ");
      emit({
        bench: "vpdq",
        case: label,
        impl: name,
        metric: "frames_per_s",
        value: rate(name),
        frames: frames.get(name)!,
        runs,
      });
      emit({ bench: "vpdq", case: label, impl: name, metric: "times_real_time", value: duration / seconds });
    }
    if (REF) {
      emit({
        bench: "vpdq",
        case: label,
        impl: "rasd/reference",
        metric: "ratio",
        value: rate("rasd") / rate("reference"),
      });
      emit({
        bench: "vpdq",
        case: label,
        impl: "rasd-1thread/reference-1thread",
        metric: "ratio",
        value: rate("rasd-1thread") / rate("reference-1thread"),
      });
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (!REF) note("reference not timed: set RASD_REF_VPDQ to vpdq-hash-video built outside the repository");
