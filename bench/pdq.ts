/**
 * npm run bench -- pdq
 *
 * Hashes the 200 JPEGs of ../shared/testdata/bench-jpegs end to end (read, decode, hash)
 * in each flavour and prints images per second:
 *   impl "rasd"      the library's worker pool (all cores) in this process
 *   impl "rasd-cli"  ./bin/rasd hash pdq on the 200 files, wall clock including start-up
 *   impl "rasd-1t"   one thread, for reference
 * If the reference implementation has been built in a scratch folder outside the
 * repository, it is timed in the same run on the same files:
 *   RASD_REF_PDQ_CLI=/path/to/pdq-photo-hasher   (512 flavour; ImageMagick decode per file)
 *   RASD_REF_PDQ_FULL=/path/to/in-process-hasher (full flavour; prints hash,quality,path)
 * and the ratio rasd / reference is printed. Every run also checks that rasd's hashes
 * equal the expected ones. Each figure is the median of RUNS (default 3) runs.
 */

import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { PdqHasher, PdqPool, pdqHashImageFile, type PdqFlavour } from "../dist/index.js";
import { emit, medianSeconds, note } from "./_util.js";
import { BENCH_JPEGS, HAS_SHARED, REPO_ROOT, readCsv } from "../test/support/shared.js";

const RUNS = Number(process.env.RUNS ?? 3);

if (!HAS_SHARED) {
  note(`SKIPPED: ${BENCH_JPEGS} is absent`);
  process.exit(0);
}

const files = readdirSync(BENCH_JPEGS)
  .filter((d) => d.startsWith("jpg-"))
  .sort()
  .flatMap((d) =>
    readdirSync(join(BENCH_JPEGS, d))
      .sort()
      .map((f) => join(d, f)),
  );
const paths = files.map((f) => join(BENCH_JPEGS, f));
const expected = new Map(
  readCsv(join(BENCH_JPEGS, "expected-pdq.csv")).map((r) => [`${r.file}|${r.flavour}`, r.hash!]),
);
const csvFlavour = (f: PdqFlavour): string => (f === "512" ? "cli512" : "full");

function checkOutput(lines: string[], flavour: PdqFlavour, who: string): void {
  let bad = 0;
  lines.forEach((line, i) => {
    if (line.split(",")[0] !== expected.get(`${files[i]}|${csvFlavour(flavour)}`)) bad++;
  });
  if (bad > 0 || lines.length !== files.length) note(`WARNING: ${who} ${flavour}: ${bad} hashes differ from expected`);
}

const pool = new PdqPool();
note(`${files.length} JPEGs, ${pool.size} worker threads, median of ${RUNS} runs`);
const rasdRate = new Map<PdqFlavour, number>();

for (const flavour of ["full", "512"] as PdqFlavour[]) {
  // Warm up the workers' JIT.
  await Promise.all(paths.slice(0, 40).map((p) => pool.hash(p, { flavour })));

  let lines: string[] = [];
  const seconds = await medianSeconds(RUNS, async () => {
    lines = [];
    await pool.hashInOrder(paths, { flavour }, (o) =>
      lines.push(o.ok ? `${o.result.hash},${o.result.quality}` : "error"),
    );
  });
  checkOutput(lines, flavour, "rasd");
  rasdRate.set(flavour, files.length / seconds);
  emit({ bench: "pdq", case: flavour, impl: "rasd", metric: "images_per_s", value: files.length / seconds });

  const cliSeconds = await medianSeconds(RUNS, () => {
    const r = spawnSync(join(REPO_ROOT, "bin/rasd"), ["hash", "pdq", "--flavour", flavour, ...paths], {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    if (r.status !== 0) throw new Error(r.stderr);
    lines = r.stdout.trim().split("\n");
  });
  checkOutput(lines, flavour, "rasd-cli");
  emit({ bench: "pdq", case: flavour, impl: "rasd-cli", metric: "images_per_s", value: files.length / cliSeconds });

  const hasher = new PdqHasher();
  const oneSeconds = await medianSeconds(1, async () => {
    for (const p of paths) await pdqHashImageFile(p, { flavour }, hasher);
  });
  emit({ bench: "pdq", case: flavour, impl: "rasd-1t", metric: "images_per_s", value: files.length / oneSeconds });
}
await pool.close();

function timeReference(exe: string, flavour: PdqFlavour, impl: string): void {
  let lines: string[] = [];
  const env = { ...process.env, PATH: `/usr/bin:${process.env.PATH ?? ""}` };
  const seconds = medianSync(() => {
    const r = spawnSync(exe, paths, { encoding: "utf8", env, maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`${exe} failed: ${r.stderr}`);
    lines = r.stdout.trim().split("\n");
  });
  checkOutput(lines, flavour, impl);
  const rate = files.length / seconds;
  emit({ bench: "pdq", case: flavour, impl, metric: "images_per_s", value: rate });
  emit({ bench: "pdq", case: flavour, impl: `rasd/${impl}`, metric: "ratio", value: rasdRate.get(flavour)! / rate });
}

function medianSync(fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

if (process.env.RASD_REF_PDQ_CLI) timeReference(process.env.RASD_REF_PDQ_CLI, "512", "reference-cli");
else note("reference CLI not timed: set RASD_REF_PDQ_CLI to a pdq-photo-hasher built outside the repository");
if (process.env.RASD_REF_PDQ_FULL) timeReference(process.env.RASD_REF_PDQ_FULL, "full", "reference-core-inproc");
else note("reference in-process full-resolution hasher not timed: set RASD_REF_PDQ_FULL");
