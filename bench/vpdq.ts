/**
 * npm run bench -- vpdq
 *
 * The vPDQ command line against Meta's reference `vpdq-hash-video`, whole process against
 * whole process, over the 14 sample videos of ../shared/testdata/threatexchange/tmk/sample-videos
 * at native size, (a) every frame and (b) one hash a second (python-threatexchange's default):
 *   impl "rasd-per-video"  ./bin/rasd hash vpdq FILE, one process per video (start-up paid 14 times)
 *   impl "rasd-folder"     ./bin/rasd hash vpdq FILE..., one process for the 14 videos
 *   impl "reference"       vpdq-hash-video -i FILE -o OUT -r S -s 0 -t 0, one process per video
 *                          (it takes one video per run); RASD_REF_VPDQ points at it, built
 *                          outside the repository
 *   impl "ffmpeg-only"     the ffmpeg process rasd runs per video, alone (same arguments, frames
 *                          counted, not hashed): decoding's share, the floor under rasd per video
 * Every repetition runs the three one after the other (interleaved), RUNS times (default 3);
 * figures are medians. Every process must exit 0, and rasd's lines must equal the reference's
 * output file for every video (frame, quality, hash, timestamp), or the bench fails.
 *
 * Printed per case and implementation: frames_per_s and times_real_time (video seconds per wall
 * second) on the wall clock, cpu_s (user + system, FFmpeg included), each with the machine's
 * one-minute load average during its runs; then the ratios of wall time, reference / rasd.
 * RASD_BENCH_CASES=every-frame or =1-per-second runs only that case.
 */

import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ffmpegFrameArgs, probeVideo } from "../dist/media/video.js";
import { HAS_SHARED, REPO_ROOT, THREATEXCHANGE } from "../test/support/shared.js";
import { emit, load1, median, note, runProcess } from "./_util.js";

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
note(
  `${files.length} videos, ${duration.toFixed(1)} s of video, ${RUNS} interleaved repetitions, whole processes; load ${load1()}`,
);
if (!REF) note("reference not timed: set RASD_REF_VPDQ to vpdq-hash-video built outside the repository");

const rasd = join(REPO_ROOT, "bin/rasd");

/** One pass: wall seconds, CPU seconds, and each video's lines. */
interface Pass {
  seconds: number;
  cpu: number;
  lines: Map<string, string[]>;
}

const lines = (text: string): string[] => text.split("\n").filter(Boolean);

function rasdPerVideo(secondsPerHash: number): Pass {
  const pass: Pass = { seconds: 0, cpu: 0, lines: new Map() };
  for (const f of files) {
    const r = runProcess(rasd, ["hash", "vpdq", "--seconds-per-hash", String(secondsPerHash), f]);
    if (r.status !== 0) throw new Error(`rasd failed on ${f} (${r.status}): ${r.stderr}`);
    pass.seconds += r.seconds;
    pass.cpu += r.cpuSeconds;
    pass.lines.set(f, lines(r.stdout));
  }
  return pass;
}

function rasdFolder(secondsPerHash: number): Pass {
  const r = runProcess(rasd, ["hash", "vpdq", "--seconds-per-hash", String(secondsPerHash), ...files]);
  if (r.status !== 0) throw new Error(`rasd failed (${r.status}): ${r.stderr}`);
  const byFile = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const line of lines(r.stdout)) {
    const cut = line.indexOf(",/");
    const path = line.slice(cut + 1);
    if (cut < 0 || !byFile.has(path)) throw new Error(`rasd folder output line without a known path: ${line}`);
    byFile.get(path)!.push(line.slice(0, cut));
  }
  return { seconds: r.seconds, cpu: r.cpuSeconds, lines: byFile };
}

/** The ffmpeg command rasd runs, alone: its frames are counted, not hashed. */
async function ffmpegOnly(secondsPerHash: number): Promise<Pass> {
  const pass: Pass = { seconds: 0, cpu: 0, lines: new Map() };
  for (const f of files) {
    const info = await probeVideo(f);
    const every = secondsPerHash === 0 ? 1 : Math.max(1, Math.trunc(secondsPerHash * info.frameRate));
    const plan = { every, width: info.width, height: info.height };
    // The same arguments, the frames written to /dev/null and counted by FFmpeg's -progress.
    const args = ffmpegFrameArgs(f, plan);
    const r = runProcess("ffmpeg", ["-progress", "pipe:1", "-nostats", ...args.slice(0, -1), "-y", "/dev/null"]);
    if (r.status !== 0) throw new Error(`ffmpeg failed on ${f} (${r.status}): ${r.stderr}`);
    const counted = [...r.stdout.matchAll(/^frame=(\d+)$/gm)].pop()?.[1];
    pass.seconds += r.seconds;
    pass.cpu += r.cpuSeconds;
    frameCounts.set(f, Number(counted));
  }
  return pass;
}
const frameCounts = new Map<string, number>();

function reference(ref: string, out: string, secondsPerHash: number): Pass {
  const pass: Pass = { seconds: 0, cpu: 0, lines: new Map() };
  const output = join(out, "out.txt");
  for (const f of files) {
    const r = runProcess(ref, ["-i", f, "-o", output, "-r", String(secondsPerHash), "-s", "0", "-t", "0"]);
    if (r.status !== 0) throw new Error(`reference failed on ${f} (${r.status}): ${r.stderr}`);
    pass.seconds += r.seconds;
    pass.cpu += r.cpuSeconds;
    pass.lines.set(f, lines(readFileSync(output, "utf8")));
  }
  return pass;
}

function sameLines(a: Pass, b: Pass, what: string): void {
  for (const f of files) {
    const x = a.lines.get(f)!.join("\n");
    const y = b.lines.get(f)!.join("\n");
    if (x !== y) throw new Error(`${what}: output differs on ${f}`);
    if (x === "") throw new Error(`${what}: no frames for ${f}`);
  }
}

const out = mkdtempSync(join(tmpdir(), "rasd-vpdq-ref-"));
const only = process.env.RASD_BENCH_CASES;
try {
  for (const [label, secondsPerHash] of CASES) {
    if (only && only !== label) continue;
    const impls: [string, () => Pass][] = [
      ["rasd-per-video", () => rasdPerVideo(secondsPerHash)],
      ...(REF ? [["reference", () => reference(REF, out, secondsPerHash)] as [string, () => Pass]] : []),
      ["rasd-folder", () => rasdFolder(secondsPerHash)],
    ];
    const ffmpegPasses: Pass[] = [];
    const ffmpegLoads: number[] = [];
    const passes = new Map<string, Pass[]>(impls.map(([name]) => [name, []]));
    const loads = new Map<string, number[]>(impls.map(([name]) => [name, []]));
    for (let run = 0; run < RUNS; run++) {
      const done: [string, Pass][] = [];
      for (const [name, pass] of impls) {
        const p = pass();
        passes.get(name)!.push(p);
        loads.get(name)!.push(load1());
        done.push([name, p]);
      }
      for (const [name, p] of done.slice(1)) sameLines(done[0]![1], p, `${name} against ${done[0]![0]}`);
      ffmpegPasses.push(await ffmpegOnly(secondsPerHash));
      ffmpegLoads.push(load1());
      for (const f of files) {
        if (frameCounts.get(f) !== done[0]![1].lines.get(f)!.length)
          throw new Error(`ffmpeg-only: frame count differs on ${f}`);
      }
    }
    const seconds = (name: string): number => median(passes.get(name)!.map((p) => p.seconds));
    const frames = [...passes.get("rasd-per-video")![0]!.lines.values()].reduce((n, l) => n + l.length, 0);
    const loadOf = (...names: string[]): string => {
      const all = names.flatMap((n) => loads.get(n)!);
      return `${Math.min(...all)}-${Math.max(...all)}`;
    };
    for (const [name] of impls) {
      const load = loadOf(name);
      const base = { bench: "vpdq", case: label, impl: name, mode: "process", load };
      emit({
        ...base,
        metric: "frames_per_s",
        value: frames / seconds(name),
        frames,
        runs_s: passes
          .get(name)!
          .map((p) => p.seconds.toFixed(2))
          .join(" "),
      });
      emit({ ...base, metric: "times_real_time", value: duration / seconds(name) });
      emit({ ...base, metric: "cpu_s", value: median(passes.get(name)!.map((p) => p.cpu)) });
    }
    {
      const base = {
        bench: "vpdq",
        case: label,
        impl: "ffmpeg-only",
        mode: "process",
        load: `${Math.min(...ffmpegLoads)}-${Math.max(...ffmpegLoads)}`,
      };
      const secs = median(ffmpegPasses.map((p) => p.seconds));
      emit({
        ...base,
        metric: "frames_per_s",
        value: frames / secs,
        frames,
        runs_s: ffmpegPasses.map((p) => p.seconds.toFixed(2)).join(" "),
      });
      emit({ ...base, metric: "cpu_s", value: median(ffmpegPasses.map((p) => p.cpu)) });
    }
    if (REF) {
      for (const name of ["rasd-per-video", "rasd-folder"]) {
        emit({
          bench: "vpdq",
          case: label,
          impl: `${name}/reference`,
          mode: "process",
          metric: "ratio",
          value: seconds("reference") / seconds(name),
          load: loadOf(name, "reference"),
        });
      }
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
