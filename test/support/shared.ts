/**
 * Where the shared test data lives (../shared beside the checkout), and how tests that
 * need it skip visibly when it is absent.
 */

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";
import { parseRecords } from "./csv.js";

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

/** Parses a CSV file with a header row into records (RFC 4180 quoting). */
export function readCsv(path: string): Record<string, string>[] {
  return parseRecords(readFileSync(path, "utf8"));
}

/** The 4,781 real links of urls/abused-hosts/isisfanboy_expanded_urls.csv (`tweetid,url`). */
export function readAbusedHostUrls(): string[] {
  return readCsv(join(TESTDATA, "urls", "abused-hosts", "isisfanboy_expanded_urls.csv")).map((r) => r.url!);
}
