/** Shared helpers for benchmarks: JSON output lines, timing, rasd processes, a webhook receiver. */

import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

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
