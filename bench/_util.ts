/** Shared helpers for benchmarks: JSON output lines, timing, rasd processes, a webhook receiver. */

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

export interface Figure {
  bench: string;
  case: string;
  impl: string;
  metric: string;
  value: number;
  [extra: string]: string | number;
}

export function emit(figure: Figure): void {
  process.stdout.write(`${JSON.stringify({ ...figure, value: Math.round(figure.value * 1000) / 1000 })}\n`);
}

/** Runs `fn` `runs` times and returns the median wall time in seconds. */
export async function medianSeconds(runs: number, fn: () => Promise<void> | void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function note(text: string): void {
  process.stderr.write(`# ${text}\n`);
}

/** Starts `rasd ARGS` (the built CLI) and resolves once its stderr says `ready`. */
export function startRasd(
  args: string[],
  ready: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, "dist/cli/main.js", ...args], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes(ready)) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`${args[0]} exited with ${code}: ${err}`)));
  });
}

/** Stops processes with SIGTERM, one after another, waiting for each to exit. */
export async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  for (const c of children) {
    if (c.exitCode !== null) continue;
    c.kill("SIGTERM");
    await new Promise((r) => c.once("exit", r));
  }
}

/** A webhook receiver on 127.0.0.1 that answers 204 and counts what it received. */
export async function countingReceiver(): Promise<{ url: string; count: () => number; close: () => void }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    count: () => received,
    close: () => server.close(),
  };
}

/** The machine's one-minute load average, to print beside every figure (benches share machines). */
export function load1(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

export interface ProcessRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock seconds, start to exit. */
  readonly seconds: number;
  /** User + system CPU seconds of the process and the children it waited for (NaN without GNU time). */
  readonly cpuSeconds: number;
  /** Peak resident set size in MiB of the largest process of the run (NaN without GNU time). */
  readonly peakMiB: number;
}

const GNU_TIME = "/usr/bin/time";

/**
 * Runs a whole process to its end and measures it: wall time, CPU time and peak memory (the
 * last two through GNU time, /usr/bin/time, when it is installed).
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ProcessRun {
  const withTime = existsSync(GNU_TIME);
  const dir = withTime ? mkdtempSync(join(tmpdir(), "rasd-bench-time-")) : "";
  const timeFile = join(dir, "time");
  const t0 = process.hrtime.bigint();
  const r = withTime
    ? spawnSync(GNU_TIME, ["-f", "%U %S %M", "-o", timeFile, command, ...args], {
        encoding: "utf8",
        maxBuffer: 1 << 28,
        ...options,
      })
    : spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 28, ...options });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let cpuSeconds = NaN;
  let peakMiB = NaN;
  if (withTime) {
    try {
      const [user, system, maxKb] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
      cpuSeconds = user! + system!;
      peakMiB = maxKb! / 1024;
    } catch {
      // GNU time wrote nothing (the command could not start): leave NaN.
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "", seconds, cpuSeconds, peakMiB };
}

/** The median of some numbers (the upper one of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
