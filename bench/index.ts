/**
 * npm run bench -- index [sizes...]      (default sizes: 1M 10M)
 *
 * The PDQ index at 1M and 10M hashes on two data sets:
 *   uniform    uniform random hashes, each query planted near one of them
 *   clustered  families of near-duplicates around shared centres (re-encodes, frames of
 *              one video), queries near a family: many true matches and candidates
 * For each: build_s, bytes_per_hash, rss_mb, lookups_per_s (distance ≤ 31, on every core:
 * the main thread and workers search one index in shared memory), lookups_per_s_1thread,
 * and recall against a linear scan on a sample of queries (must be 1).
 * Also: signal_visible_ms (store → first match, in-process and from another process via
 * the change cursor), URL and text throughput per core, and — when
 * RASD_REF_PDQ_BENCH_QUERY points at the reference's benchmark-query built outside the
 * repository — the reference's multi-index lookups/s at 1M in the same run, and the ratio.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PdqIndex, WORDS, alloc, linearSearch, type RawMatch } from "../dist/kernels/pdq-index/index.js";
import { PdqSearchPool } from "../dist/parallel/pdq-search-pool.js";
import { KyselyStore } from "../dist/storage/kysely-store.js";
import { Matcher } from "../dist/services/matcher.js";
import { emit, note } from "./_util.js";
import { prng } from "../test/support/pdq-oracle.js";
import { runUrlBench } from "./url.js";
import { runTextBench } from "./text.js";

function flipBits(words: Uint32Array, at: number, flips: number, rand: () => number): void {
  for (let f = 0; f < flips; f++) {
    const b = Math.floor(rand() * 256);
    words[at + (b >> 5)] = (words[at + (b >> 5)]! ^ (1 << (b & 31))) >>> 0;
  }
}

interface DataSet {
  words: Uint32Array;
  queries: Uint32Array;
  count: number;
  queryCount: number;
}

function uniform(n: number, q: number, seed: number): DataSet {
  const rand = prng(seed);
  const words = alloc(Uint32Array, n * WORDS, true);
  for (let i = 0; i < words.length; i++) words[i] = (rand() * 2 ** 32) >>> 0;
  const queries = alloc(Uint32Array, q * WORDS, true);
  for (let i = 0; i < q; i++) {
    const src = Math.floor(rand() * n);
    queries.set(words.subarray(src * WORDS, src * WORDS + WORDS), i * WORDS);
    flipBits(queries, i * WORDS, Math.floor(rand() * 32), rand);
  }
  return { words, queries, count: n, queryCount: q };
}

/** Families: sizes 1..60 (mean ~10), members 0..24 bits from the centre, some farther. */
function clustered(n: number, q: number, seed: number): DataSet {
  const rand = prng(seed);
  const words = alloc(Uint32Array, n * WORDS, true);
  const centres: number[] = [];
  let i = 0;
  const centre = new Uint32Array(WORDS);
  while (i < n) {
    for (let w = 0; w < WORDS; w++) centre[w] = (rand() * 2 ** 32) >>> 0;
    const size = Math.min(n - i, 1 + Math.floor(-Math.log(1 - rand()) * 9));
    centres.push(i);
    for (let k = 0; k < size; k++, i++) {
      words.set(centre, i * WORDS);
      flipBits(words, i * WORDS, rand() < 0.9 ? Math.floor(rand() * 25) : 25 + Math.floor(rand() * 30), rand);
    }
  }
  const queries = alloc(Uint32Array, q * WORDS, true);
  for (let k = 0; k < q; k++) {
    const src = centres[Math.floor(rand() * centres.length)]!;
    queries.set(words.subarray(src * WORDS, src * WORDS + WORDS), k * WORDS);
    flipBits(queries, k * WORDS, Math.floor(rand() * 16), rand);
  }
  return { words, queries, count: n, queryCount: q };
}

function label(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`;
}

async function measure(name: string, size: number, data: DataSet): Promise<void> {
  const keys = alloc(Int32Array, data.count, true);
  for (let k = 0; k < data.count; k++) keys[k] = k;
  const tags = alloc(Uint16Array, data.count, true);
  const t0 = process.hrtime.bigint();
  const index = PdqIndex.bulk(data.words, keys, tags, data.count, "auto", true);
  const buildS = Number(process.hrtime.bigint() - t0) / 1e9;
  const stats = index.stats();
  const caseName = `pdq-${label(size)}`;
  emit({ bench: "index", case: caseName, impl: "rasd", data: name, metric: "build_s", value: buildS });
  emit({
    bench: "index",
    case: caseName,
    impl: "rasd",
    data: name,
    metric: "bytes_per_hash",
    value: stats.bytes / data.count,
  });
  emit({
    bench: "index",
    case: caseName,
    impl: "rasd",
    data: name,
    metric: "rss_mb",
    value: process.memoryUsage().rss / 2 ** 20,
  });

  for (let k = 0; k < Math.min(200, data.queryCount); k++) index.search(data.queries, k * WORDS, 31); // warm up
  let found = 0;
  const t1 = process.hrtime.bigint();
  for (let k = 0; k < data.queryCount; k++) found += index.search(data.queries, k * WORDS, 31).length;
  const seconds = Number(process.hrtime.bigint() - t1) / 1e9;
  emit({
    bench: "index",
    case: caseName,
    impl: "rasd",
    data: name,
    metric: "lookups_per_s_1thread",
    value: data.queryCount / seconds,
  });
  emit({
    bench: "index",
    case: caseName,
    impl: "rasd",
    data: name,
    metric: "matches_per_lookup",
    value: found / data.queryCount,
  });

  const pool = new PdqSearchPool(index);
  await pool.searchAll(data.queries, Math.min(4000, data.queryCount), 31); // warm up the workers' JIT
  const t2 = process.hrtime.bigint();
  const counts = await pool.searchAll(data.queries, data.queryCount, 31);
  const poolSeconds = Number(process.hrtime.bigint() - t2) / 1e9;
  await pool.close();
  let poolFound = 0;
  for (const c of counts) poolFound += c;
  if (poolFound !== found) note(`WARNING: ${caseName} ${name}: threads found ${poolFound}, one thread ${found}`);
  emit({
    bench: "index",
    case: caseName,
    impl: "rasd",
    data: name,
    metric: "lookups_per_s",
    value: data.queryCount / poolSeconds,
    threads: pool.threads,
  });

  const sample = Math.min(size >= 5e6 ? 40 : 200, data.queryCount);
  let expected = 0;
  let got = 0;
  const key = (m: RawMatch): string => `${m.key}:${m.distance}`;
  for (let k = 0; k < sample; k++) {
    const truth = new Set(linearSearch(data.words, keys, tags, data.count, data.queries, k * WORDS, 31).map(key));
    const answer = new Set(index.search(data.queries, k * WORDS, 31).map(key));
    expected += truth.size;
    for (const m of truth) if (answer.has(m)) got++;
    if (answer.size !== truth.size)
      note(`WARNING: ${caseName} ${name}: query ${k} returned ${answer.size}, linear scan ${truth.size}`);
  }
  emit({
    bench: "index",
    case: caseName,
    impl: "rasd",
    data: name,
    metric: "recall",
    value: expected === 0 ? 1 : got / expected,
    sample,
  });
}

function reference(size: number): number | undefined {
  const exe = process.env.RASD_REF_PDQ_BENCH_QUERY;
  if (!exe) return undefined;
  const r = spawnSync(exe, ["-m", "mih", "-b", String(size), "-d", "31", "-q", "200"], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith("QUERIES PER SECOND"));
  if (!line) {
    note(`reference benchmark-query failed: ${r.stderr}`);
    return undefined;
  }
  // Each of its queries is 8 lookups.
  const lookups = Number(line.trim().split(/\s+/).pop()) * 8;
  emit({
    bench: "index",
    case: `pdq-${label(size)}`,
    impl: "reference",
    data: "uniform",
    metric: "lookups_per_s",
    value: lookups,
  });
  return lookups;
}

async function signalVisible(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rasd-bench-"));
  const url = `sqlite:${join(dir, "rasd.db")}`;
  const store = await KyselyStore.open(url);
  const org = await store.createOrg("bench", "ngo");
  const bank = await store.createBank({ orgId: org.id, name: "b" });
  const matcher = new Matcher(store, { pollMs: 20 });
  await matcher.start();
  const other = await KyselyStore.open(url);
  const rand = prng(9);
  const hex = (): string => Array.from({ length: 64 }, () => Math.floor(rand() * 16).toString(16)).join("");
  const inProcess: number[] = [];
  const crossProcess: number[] = [];
  for (let i = 0; i < 30; i++) {
    // In-process writer: the service applies the committed signal to the matcher.
    let h = hex();
    let t0 = performance.now();
    const [r] = await store.upsertSignals(bank.id, [{ type: "pdq", value: h }]);
    matcher.apply(r!.signal);
    while (matcher.matchPdq([{ hash: h, quality: 100 }]).matches.length === 0)
      await new Promise((res) => setImmediate(res));
    inProcess.push(performance.now() - t0);
    // Another connection (as another process would): seen through the change cursor.
    h = hex();
    t0 = performance.now();
    await other.upsertSignals(bank.id, [{ type: "pdq", value: h }]);
    while (matcher.matchPdq([{ hash: h, quality: 100 }]).matches.length === 0)
      await new Promise((res) => setTimeout(res, 1));
    crossProcess.push(performance.now() - t0);
  }
  matcher.stop();
  await other.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  const p = (xs: number[], q: number): number =>
    xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
  emit({
    bench: "index",
    case: "pdq-live",
    impl: "rasd",
    data: "in-process",
    metric: "signal_visible_ms",
    value: p(inProcess, 0.5),
    p99: p(inProcess, 0.99),
  });
  emit({
    bench: "index",
    case: "pdq-live",
    impl: "rasd",
    data: "other-process",
    metric: "signal_visible_ms",
    value: p(crossProcess, 0.5),
    p99: p(crossProcess, 0.99),
  });
}

const args = process.argv.slice(2);
if (args[0] === "--one") {
  // One size in a fresh process, so that its memory figures are its own.
  const size = Number(args[1]);
  const queries = size >= 5e6 ? 4000 : 10000;
  for (const [name, make] of [
    ["clustered", clustered],
    ["uniform", uniform],
  ] as const) {
    await measure(name, size, make(size, queries, size + name.length));
    (globalThis as { gc?: () => void }).gc?.();
  }
  if (size === 1e6) {
    const ref = reference(size);
    if (ref === undefined)
      note("reference not timed: set RASD_REF_PDQ_BENCH_QUERY to benchmark-query built outside the repository");
  }
} else {
  const sizes = (args.length > 0 ? args : ["1M", "10M"]).map((s) =>
    Number(s.replace(/M$/i, "e6").replace(/k$/i, "e3")),
  );
  for (const size of sizes) {
    const r = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), "--one", String(size)],
      {
        stdio: "inherit",
        env: process.env,
      },
    );
    if (r.status !== 0) process.exitCode = r.status ?? 1;
  }
  await signalVisible();
  await runUrlBench();
  await runTextBench();
}
