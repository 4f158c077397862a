/**
 * npm run bench -- pdq
 *
 * The PDQ command line against Meta's reference, whole process against whole process, on the
 * 200 JPEGs of ../shared/testdata/bench-jpegs (read, decode, hash, print; start-up included):
 *   case "512"   ./bin/rasd hash pdq --flavour 512   against the reference CLI pdq-photo-hasher
 *                (RASD_REF_PDQ_CLI; it decodes each file by running ImageMagick's convert)
 *   case "full"  ./bin/rasd hash pdq --flavour full  against the reference C++ core at full
 *                resolution, decoding with libjpeg-turbo in its own process (RASD_REF_PDQ_FULL:
 *                a small harness calling fillFloatLumaFromRGB and pdqHash256FromFloatLuma that
 *                prints hash,quality,path — see docs/testing.md)
 * Both are built outside the repository (never committed). Every repetition runs rasd and the
 * reference one after the other (interleaved), RUNS times (default 5); each figure is the median.
 * Every run's exit status must be 0 and its output must equal expected-pdq.csv (hash and
 * quality, in order) and the other side's output, or the bench fails.
 *
 * Printed per case and implementation: images_per_s (wall clock), cpu_ms_per_image (user +
 * system, children included), peak_mib (largest resident set of the run), each with the
 * machine's one-minute load average during its runs; then the ratios rasd / reference of
 * images_per_s and of CPU per image. Also "decode-only": libvips decoding the 200 JPEGs in one
 * process (node + sharp, two at a time, no hashing) with the same three figures: its rate is the
 * ceiling rasd's decoder puts on it. Its peak memory is libvips' with glibc's default settings and
 * no forced collection; rasd's own runs get both (bin/rasd's first line, decision 0051).
 */

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { emit, load1, median, note, runProcess, type ProcessRun } from "./_util.js";
import { BENCH_JPEGS, HAS_SHARED, REPO_ROOT, readCsv } from "../test/support/shared.js";

const RUNS = Number(process.env.RUNS ?? 5);

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
  readCsv(join(BENCH_JPEGS, "expected-pdq.csv")).map((r) => [`${r.file}|${r.flavour}`, `${r.hash},${r.quality}`]),
);

type Case = "512" | "full";
const csvFlavour = (c: Case): string => (c === "512" ? "cli512" : "full");

/** hash,quality per line, checked against expected-pdq.csv; throws on any difference. */
function checked(run: ProcessRun, c: Case, who: string): string[] {
  if (run.status !== 0) throw new Error(`${who} exited with ${run.status}: ${run.stderr.slice(0, 500)}`);
  const lines = run.stdout.trim().split("\n");
  if (lines.length !== files.length) throw new Error(`${who}: ${lines.length} lines for ${files.length} files`);
  const got = lines.map((line) => line.split(",").slice(0, 2).join(","));
  const bad = got.filter((hq, i) => hq !== expected.get(`${files[i]}|${csvFlavour(c)}`)).length;
  if (bad > 0) throw new Error(`${who}: ${bad} of ${files.length} hashes differ from expected-pdq.csv`);
  return got;
}

const REF: Record<Case, { env: string; path: string | undefined }> = {
  "512": { env: "RASD_REF_PDQ_CLI", path: process.env.RASD_REF_PDQ_CLI },
  full: { env: "RASD_REF_PDQ_FULL", path: process.env.RASD_REF_PDQ_FULL },
};
const rasd = join(REPO_ROOT, "bin/rasd");
// The reference CLI finds ImageMagick's convert on PATH: give it Debian's.
const refEnv = { ...process.env, PATH: `/usr/bin:${process.env.PATH ?? ""}` };

// Decode-only: libvips (through sharp, as rasd decodes) on the same files in one process, shaped
// like the CLI's default path (files read, header checked, two decodes in flight, pixels dropped
// at once), start-up included; no hashing. Its rate is the ceiling decoding puts on rasd,
// and its peak memory that of libvips under glibc's default settings (rasd's own runs are tuned, decision 0051).
const DECODE_ONLY = `
const sharp = require("sharp"); sharp.cache(false);
const { readFile } = require("node:fs/promises");
const paths = JSON.parse(process.argv[1]);
let next = 0;
async function lane() {
  while (next < paths.length) {
    const bytes = await readFile(paths[next++]);
    await sharp(bytes).metadata();
    await sharp(bytes, { sequentialRead: true, ignoreIcc: true }).raw().toBuffer();
  }
}
Promise.all([lane(), lane()]).then(() => process.stdout.write(String(paths.length)));
`;
const decodeRuns: ProcessRun[] = [];
const decodeLoads: number[] = [];
/** One decode-only process, timed like the others and checked for its count. */
function decodeOnly(): void {
  const r = runProcess(process.execPath, ["-e", DECODE_ONLY, JSON.stringify(paths)], { cwd: REPO_ROOT });
  if (r.status !== 0 || r.stdout !== String(paths.length)) throw new Error(`decode-only failed: ${r.stderr}`);
  decodeRuns.push(r);
  decodeLoads.push(load1());
}

note(`${files.length} JPEGs, ${RUNS} interleaved repetitions per case, whole processes; load ${load1()}`);

for (const c of ["512", "full"] as Case[]) {
  const ref = REF[c].path;
  if (!ref) note(`${c}: reference not timed: set ${REF[c].env} to a build outside the repository`);
  const impls: [string, () => ProcessRun][] = [
    ["rasd-cli", () => runProcess(rasd, ["hash", "pdq", "--flavour", c, ...paths])],
    ...(ref ? [[c === "512" ? "reference-cli" : "reference-full", () => runProcess(ref, paths, { env: refEnv })]] : []),
  ] as [string, () => ProcessRun][];
  const runs = new Map<string, ProcessRun[]>(impls.map(([name]) => [name, []]));
  const loads = new Map<string, number[]>(impls.map(([name]) => [name, []]));
  for (let i = 0; i < RUNS; i++) {
    const outputs: string[][] = [];
    for (const [name, run] of impls) {
      const r = run();
      outputs.push(checked(r, c, name));
      runs.get(name)!.push(r);
      loads.get(name)!.push(load1());
    }
    if (outputs.length === 2 && outputs[0]!.join("\n") !== outputs[1]!.join("\n")) {
      throw new Error(`${c}: rasd's output differs from the reference's`);
    }
    // Decoding bounds the full flavour: its decode-only process runs in the same repetitions.
    if (c === "full") decodeOnly();
  }
  const rate = (name: string): number => files.length / median(runs.get(name)!.map((r) => r.seconds));
  const cpu = (name: string): number => (1000 * median(runs.get(name)!.map((r) => r.cpuSeconds))) / files.length;
  for (const [name] of impls) {
    const rs = runs.get(name)!;
    const load = `${Math.min(...loads.get(name)!)}-${Math.max(...loads.get(name)!)}`;
    const mode = "process";
    emit({
      bench: "pdq",
      case: c,
      impl: name,
      mode,
      metric: "images_per_s",
      value: rate(name),
      runs_s: rs.map((r) => r.seconds.toFixed(2)).join(" "),
      load,
    });
    emit({ bench: "pdq", case: c, impl: name, mode, metric: "cpu_ms_per_image", value: cpu(name), load });
    emit({
      bench: "pdq",
      case: c,
      impl: name,
      mode,
      metric: "peak_mib",
      value: Math.max(...rs.map((r) => r.peakMiB)),
      load,
    });
  }
  if (impls.length === 2) {
    const [a, b] = [impls[0]![0], impls[1]![0]];
    const load = `${Math.min(...loads.get(a)!, ...loads.get(b)!)}-${Math.max(...loads.get(a)!, ...loads.get(b)!)}`;
    emit({
      bench: "pdq",
      case: c,
      impl: `${a}/${b}`,
      mode: "process",
      metric: "ratio",
      value: rate(a) / rate(b),
      load,
    });
    emit({
      bench: "pdq",
      case: c,
      impl: `${a}/${b}`,
      mode: "process",
      metric: "cpu_ratio",
      value: cpu(b) / cpu(a),
      load,
    });
  }
}

const decodeBase = {
  bench: "pdq",
  case: "decode-only",
  impl: "libvips",
  mode: "process",
  load: `${Math.min(...decodeLoads)}-${Math.max(...decodeLoads)}`,
};
emit({
  ...decodeBase,
  metric: "images_per_s",
  value: files.length / median(decodeRuns.map((r) => r.seconds)),
  runs_s: decodeRuns.map((r) => r.seconds.toFixed(2)).join(" "),
});
emit({
  ...decodeBase,
  metric: "cpu_ms_per_image",
  value: (1000 * median(decodeRuns.map((r) => r.cpuSeconds))) / files.length,
});
emit({ ...decodeBase, metric: "peak_mib", value: Math.max(...decodeRuns.map((r) => r.peakMiB)) });
