/**
 * Where the shared test data lives (../shared beside the checkout), and how tests that
 * need it skip visibly when it is absent.
 */

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const SHARED = process.env.RASD_SHARED ?? resolve(REPO_ROOT, "../shared");
export const TESTDATA = join(SHARED, "testdata");
export const THREATEXCHANGE = join(TESTDATA, "threatexchange");
export const BENCH_JPEGS = join(TESTDATA, "bench-jpegs");

export const HAS_SHARED = existsSync(join(THREATEXCHANGE, "PROVENANCE.md"));

/** `skip` option for node:test: false when the data is here, else a message that says why. */
export const needsShared: string | false = HAS_SHARED
  ? false
  : `SKIPPED: needs ${TESTDATA} (the shared test data), which is absent on this machine`;

/** Parses a simple CSV (no quoted commas) with a header row into records. */
export function readCsv(path: string): Record<string, string>[] {
  const lines = readFileSync(path, "utf8").trim().split(/\r?\n/);
  const header = lines[0]!.split(",");
  return lines.slice(1).map((line) => {
    const cells = line.split(",");
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]));
  });
}
