/** Shared helpers for benchmarks: JSON output lines and timing. */

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
