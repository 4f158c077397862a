/**
 * npm run bench -- vpdq
 *
 * vPDQ over the 14 sample videos of ../shared/testdata/threatexchange/tmk/sample-videos at
 * native size, (a) every frame and (b) one hash a second (python-threatexchange's default):
 * frames hashed per second and times real time (video seconds per wall second), videos one
 * after another. When RASD_REF_VPDQ points at Meta's `vpdq-hash-video` built outside the
 * repository, it is timed in the same run at the same settings (its default threads, and
 * one thread), and the ratio is printed. Each figure is the median of RUNS (default 3) runs.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vpdqHashVideoFile } from "../dist/signals/vpdq/hash-video.js";
import { probeVideo } from "../dist/media/video.js";
import { HAS_SHARED, THREATEXCHANGE } from "../test/support/shared.js";
import { emit, medianSeconds, note } from "./_util.js";

const RUNS = Number(process.env.RUNS ?? 3);
const VIDEOS = join(THREATEXCHANGE, "tmk/sample-videos");

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
note(`${files.length} videos, ${duration.toFixed(1)} s of video, median of ${RUNS} runs`);

const rates = new Map<string, number>();
for (const [label, secondsPerHash] of [
  ["every-frame", 0],
  ["1-per-second", 1],
] as const) {
  let frames = 0;
  const seconds = await medianSeconds(RUNS, async () => {
    frames = 0;
    for (const f of files) frames += (await vpdqHashVideoFile(f, { secondsPerHash })).frames.length;
  });
  rates.set(label, frames / seconds);
  emit({ bench: "vpdq", case: label, impl: "rasd", metric: "frames_per_s", value: frames / seconds, frames });
  emit({ bench: "vpdq", case: label, impl: "rasd", metric: "times_real_time", value: duration / seconds });

  const ref = process.env.RASD_REF_VPDQ;
  if (!ref) continue;
  const out = mkdtempSync(join(tmpdir(), "rasd-vpdq-ref-"));
  for (const threads of [0, 1]) {
    let refFrames = 0;
    const refSeconds = await medianSeconds(RUNS, () => {
      refFrames = 0;
      for (const f of files) {
        const output = join(out, "out.txt");
        const r = spawnSync(
          ref,
          ["-i", f, "-o", output, "-r", String(secondsPerHash), "-s", "0", "-t", String(threads)],
          { encoding: "utf8" },
        );
        if (r.status !== 0) throw new Error(`reference failed on ${f}: ${r.stderr}`);
        refFrames +=
          spawnSync("wc", ["-l", output], { encoding: "utf8" }).stdout.trim().split(/\s+/).map(Number)[0] ?? 0;
      }
    });
    const impl = threads === 0 ? "reference" : "reference-1thread";
    emit({
      bench: "vpdq",
      case: label,
      impl,
      metric: "frames_per_s",
      value: refFrames / refSeconds,
      frames: refFrames,
    });
    emit({ bench: "vpdq", case: label, impl, metric: "times_real_time", value: duration / refSeconds });
    emit({
      bench: "vpdq",
      case: label,
      impl: `rasd/${impl}`,
      metric: "ratio",
      value: rates.get(label)! / (refFrames / refSeconds),
    });
  }
  rmSync(out, { recursive: true, force: true });
}
if (!process.env.RASD_REF_VPDQ)
  note("reference not timed: set RASD_REF_VPDQ to vpdq-hash-video built outside the repository");
