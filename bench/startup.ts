/**
 * npm run bench -- startup
 *
 * How long `rasd` takes to start and do the least it can, whole process:
 *   node       `node -e 0`, the floor no Node program starts under
 *   version    `rasd --version`
 *   pdq-one    `rasd hash pdq ONE.jpg` (a 640-pixel JPEG of ../shared/testdata/bench-jpegs)
 * Each is run RUNS times (default 20), the three interleaved in every repetition. Printed per
 * case: the median CPU time (user + system, GNU time; load-independent as far as anything is;
 * also its mean, as GNU time counts in 10 ms steps) and the median wall time, each with the one-minute load average during the runs, and the
 * peak resident set. Wall time on a loaded machine is mostly waiting for a core: read the CPU
 * figure there, the wall figure on a quiet machine.
 *
 * RASD_BASELINE=DIR also times DIR/bin/rasd (another checkout, built) in the same
 * repetitions, as impl "baseline", for before/after figures. Outputs are checked: the version
 * line, and pdq-one's hash against expected-pdq.csv.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { emit, load1, median, note, runProcess, type ProcessRun } from "./_util.js";
import { BENCH_JPEGS, HAS_SHARED, REPO_ROOT, readCsv } from "../test/support/shared.js";

const RUNS = Number(process.env.RUNS ?? 20);
const BASELINE = process.env.RASD_BASELINE;

if (!HAS_SHARED) {
  note(`SKIPPED: ${BENCH_JPEGS} is absent`);
  process.exit(0);
}

const ONE = "jpg-640/img001.jpg";
const expected = readCsv(join(BENCH_JPEGS, "expected-pdq.csv")).find((r) => r.file === ONE && r.flavour === "full");
if (!expected) throw new Error(`${ONE} is not in expected-pdq.csv`);
const version = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

interface Impl {
  readonly name: string;
  readonly bin: string;
}
const impls: Impl[] = [
  { name: "rasd", bin: join(REPO_ROOT, "bin/rasd") },
  ...(BASELINE ? [{ name: "baseline", bin: join(BASELINE, "bin/rasd") }] : []),
];

interface Case {
  readonly name: string;
  readonly impl: string;
  readonly run: () => ProcessRun;
  readonly check: (r: ProcessRun) => boolean;
}
const cases: Case[] = [
  {
    name: "node",
    impl: "node -e 0",
    run: () => runProcess(process.execPath, ["-e", "0"]),
    check: (r) => r.status === 0,
  },
  ...impls.flatMap((impl): Case[] => [
    {
      name: "version",
      impl: impl.name,
      run: () => runProcess(impl.bin, ["--version"]),
      check: (r) => r.status === 0 && r.stdout === `${version}\n`,
    },
    {
      name: "pdq-one",
      impl: impl.name,
      run: () => runProcess(impl.bin, ["hash", "pdq", "--no-progress", join(BENCH_JPEGS, ONE)]),
      check: (r) => r.status === 0 && r.stdout.startsWith(`${expected.hash},${expected.quality},`),
    },
  ]),
];

note(`${RUNS} interleaved repetitions, whole processes; load ${load1()}`);
const runs = new Map<Case, ProcessRun[]>(cases.map((c) => [c, []]));
const loads: number[] = [];
for (let i = 0; i < RUNS; i++) {
  for (const c of cases) {
    const r = c.run();
    if (!c.check(r)) throw new Error(`${c.impl} ${c.name}: exit ${r.status}, output ${JSON.stringify(r.stdout)}`);
    runs.get(c)!.push(r);
  }
  loads.push(load1());
}
const load = `${Math.min(...loads)}-${Math.max(...loads)}`;
for (const c of cases) {
  const rs = runs.get(c)!;
  const base = { bench: "startup", case: c.name, impl: c.impl, mode: "process", load };
  emit({ ...base, metric: "cpu_ms", value: 1000 * median(rs.map((r) => r.cpuSeconds)) });
  // GNU time prints CPU in hundredths of a second: the mean of the runs resolves below that.
  emit({ ...base, metric: "cpu_ms_mean", value: (1000 * rs.reduce((a, r) => a + r.cpuSeconds, 0)) / rs.length });
  emit({ ...base, metric: "wall_ms", value: 1000 * median(rs.map((r) => r.seconds)) });
  emit({ ...base, metric: "peak_mib", value: Math.max(...rs.map((r) => r.peakMiB)) });
}
