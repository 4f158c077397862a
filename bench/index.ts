/**
 * npm run bench -- index [SIZES...] [--runs N] [--seconds S] [--data uniform,clustered]
 *                        [--adds R] [--retracts R] [--no-ready] [--no-merge] [--no-others]
 *                        [--cache DIR] [--threads N]
 *
 * The PDQ index the service builds, measured the service's way (default size 1M; e.g.
 * `npm run bench -- index 1M 10M`). For each size and data set, three processes:
 *
 *   make     writes a SQLite store (the service's own schema) holding SIZE PDQ signals —
 *            uniform random hashes, or clustered families of near-duplicates — plus
 *            adversarial spreads (for each of 40 centres, 150 signals at exactly distance 31
 *            and 50 at 32), and the queries with their true answers by linear scan.
 *   measure  a Matcher on that store, as `rasd serve` runs it: load_s (store → ready),
 *            bytes_per_hash by RSS (the process's RSS after the load minus before, per
 *            signal) and by the index's own arrays; then RUNS runs of SECONDS each of
 *            lookups (Matcher.matchPdq, distance ≤ 31) on this thread while a writer thread
 *            commits ADDS new signals and RETRACTS retractions a second to the same store,
 *            which the matcher follows through the change cursor (polled every 10 ms).
 *            Per run: lookups_per_s, p99 lookup latency, p99 add → visible (commit in the
 *            writer to the first lookup here that finds it), worst stall (the longest gap
 *            between two lookups finishing: syncs, index maintenance, GC). Printed as
 *            median with min and max over the runs. Then a full merge of the index under
 *            the same load (`merge` case: its duration and the worst stall while it runs),
 *            and recall at distance 31 against the linear scan (retracted signals must be
 *            gone, nothing else returned), adversarial spreads included.
 *   ready    (first data set of each size) `rasd serve` on the store, timed from spawn to
 *            GET /status answering 200.
 *
 * Every figure carries `load1`, the machine's 1-minute load average when it was taken, and
 * the lookup figures their CPU time: `cpu_us_per_lookup` (the lookup thread's own CPU time,
 * from /proc, per lookup — syncs and merges on that thread included) and
 * `lookups_per_cpu_s`, which other processes' load does not change the way it changes wall
 * figures.
 *
 * --threads N: lookups on N threads — this one, and N-1 threads searching replicas of its
 * index over shared memory, as `rasd serve`'s pipeline threads do (`replica_lookups_per_s`,
 * `all_threads_lookups_per_s`; the replicas call the index's search with the bank filter,
 * not the whole Matcher). `process_cpu_us_per_lookup` is every thread's CPU per lookup.
 *
 * --cache DIR keeps each made store (DIR/SIZE-KIND-vN: the database, queries, answers) and
 * makes it only once; each measurement runs on a fresh copy, since the writer changes it.
 * A 10M store takes about 4.6 min of CPU to make (33 min of wall time at load 15-21) and
 * 3.8 GB of disk (`npm run bench -- index 10M --cache /somewhere`).
 * Afterwards (unless --no-others): URL and text kernel throughput per core.
 */

import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, workerData, type MessagePort, type Worker } from "node:worker_threads";
import BetterSqlite3 from "better-sqlite3";
import { WORDS, linearSearch, wordsToHex } from "../dist/kernels/pdq-index/index.js";
import { KyselyStore } from "../dist/storage/kysely-store.js";
import { Matcher } from "../dist/services/matcher.js";
import { PDQ_INDEX, PdqSignalIndex } from "../dist/signals/types/pdq.js";
import { followOwner, serveReplica } from "../dist/server/shared-pdq.js";
import { startWorker } from "../dist/parallel/worker-pool.js";
import { emit, note } from "./_util.js";
import { prng } from "../test/support/pdq-oracle.js";
import { runUrlBench } from "./url.js";
import { runTextBench } from "./text.js";

/** Bumped when what `make` writes changes, so that cached stores are made again. */
const STORE_VERSION = "v1";
const ADVERSARIAL_CENTRES = 40;
const AT_31 = 150;
const AT_32 = 50;

function label(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`;
}

function load1(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

function figure(
  size: number,
  data: string,
  metric: string,
  value: number,
  extra: Record<string, number | string> = {},
): void {
  emit({ bench: "index", case: `pdq-${label(size)}`, impl: "rasd", data, metric, value, ...extra, load1: load1() });
}

/** CPU seconds used so far by this process's main thread (utime + stime from /proc). */
function mainThreadCpuS(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat (utime, stime) in clock ticks: 100 a second on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6;
  }
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function rssBytes(): number {
  gc();
  gc();
  return process.memoryUsage().rss;
}

// --- make ----------------------------------------------------------------------------

function flipBits(words: Uint32Array, at: number, flips: number, rand: () => number): void {
  for (let f = 0; f < flips; f++) {
    const b = Math.floor(rand() * 256);
    words[at + (b >> 5)] = (words[at + (b >> 5)]! ^ (1 << (b & 31))) >>> 0;
  }
}

/** Flips exactly `n` distinct bits of the hash at `at`. */
function flipExactly(words: Uint32Array, at: number, n: number, rand: () => number): void {
  const bits = new Set<number>();
  while (bits.size < n) bits.add(Math.floor(rand() * 256));
  for (const b of bits) words[at + (b >> 5)] = (words[at + (b >> 5)]! ^ (1 << (b & 31))) >>> 0;
}

interface Made {
  words: Uint32Array;
  count: number;
  queries: Uint32Array;
  /** Query numbers whose answers are checked, and the adversarial centres' query numbers. */
  recallQueries: number;
  adversarialFrom: number;
}

/** SIZE hashes (the last 40 × 200 being adversarial spreads) and 20,000 workload queries. */
function makeData(size: number, kind: string, seed: number): Made {
  const rand = prng(seed);
  const words = new Uint32Array(size * WORDS);
  const plain = size - ADVERSARIAL_CENTRES * (AT_31 + AT_32);
  const centres: number[] = [];
  if (kind === "uniform") {
    for (let i = 0; i < plain * WORDS; i++) words[i] = (rand() * 2 ** 32) >>> 0;
  } else {
    // Families: sizes 1..60 (mean ~10), members 0..24 bits from the centre, some farther.
    const centre = new Uint32Array(WORDS);
    let i = 0;
    while (i < plain) {
      for (let w = 0; w < WORDS; w++) centre[w] = (rand() * 2 ** 32) >>> 0;
      const n = Math.min(plain - i, 1 + Math.floor(-Math.log(1 - rand()) * 9));
      centres.push(i);
      for (let k = 0; k < n; k++, i++) {
        words.set(centre, i * WORDS);
        flipBits(words, i * WORDS, rand() < 0.9 ? Math.floor(rand() * 25) : 25 + Math.floor(rand() * 30), rand);
      }
    }
  }
  const queryCount = 20_000;
  const adversarialFrom = queryCount;
  const queries = new Uint32Array((queryCount + ADVERSARIAL_CENTRES) * WORDS);
  for (let q = 0; q < queryCount; q++) {
    const src = kind === "uniform" ? Math.floor(rand() * plain) : centres[Math.floor(rand() * centres.length)]!;
    queries.set(words.subarray(src * WORDS, src * WORDS + WORDS), q * WORDS);
    flipBits(queries, q * WORDS, Math.floor(rand() * (kind === "uniform" ? 32 : 16)), rand);
  }
  let at = plain;
  for (let c = 0; c < ADVERSARIAL_CENTRES; c++) {
    const q = adversarialFrom + c;
    for (let w = 0; w < WORDS; w++) queries[q * WORDS + w] = (rand() * 2 ** 32) >>> 0;
    for (let k = 0; k < AT_31 + AT_32; k++, at++) {
      words.set(queries.subarray(q * WORDS, q * WORDS + WORDS), at * WORDS);
      flipExactly(words, at * WORDS, k < AT_31 ? 31 : 32, rand);
    }
  }
  return { words, count: size, queries, recallQueries: size >= 5e6 ? 40 : 200, adversarialFrom };
}

async function make(size: number, kind: string, dir: string): Promise<void> {
  const t0 = performance.now();
  const url = `sqlite:${join(dir, "rasd.db")}`;
  const store = await KyselyStore.open(url);
  const org = await store.createOrg("bench", "ngo");
  const bank = await store.createBank({ orgId: org.id, name: "bench", pdqThreshold: 31 });
  await store.close();
  const d = makeData(size, kind, size + kind.length);
  const db = new BetterSqlite3(join(dir, "rasd.db"));
  // Bulk load: no journal (a failed make is thrown away), one writer, and a page cache that
  // holds the unique (bank, type, value_key) index, whose keys arrive in random order. The
  // other value_key index is dropped during the load and made again afterwards by one sort.
  // (With the default 16 MB cache, every insert read index pages from disk: 10M took > 40 min.)
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("locking_mode = EXCLUSIVE");
  db.pragma(`cache_size = ${-Math.min(3_000_000, Math.max(64_000, Math.ceil(size * 0.2)))}`); // KiB
  db.pragma("temp_store = MEMORY");
  const typeValue = (
    db.prepare("select sql from sqlite_master where type = 'index' and name = 'signals_type_value'").get() as
      { sql: string } | undefined
  )?.sql;
  if (typeValue) db.exec("drop index signals_type_value");
  const seq0 = Number(
    (db.prepare("select value from counters where name = 'change_seq'").get() as { value: number }).value,
  );
  const insert = db.prepare(
    `insert or ignore into signals (id, bank_id, type, value, value_key, quality, first_seen, last_seen, status, created_at, updated_at, change_seq)
     values (?, ?, 'pdq', ?, ?, 100, ?, ?, 'active', ?, ?, ?)`,
  );
  const now = Date.now();
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      // Exact duplicates (clustered families) are made distinct: the store keeps one per value.
      for (const rand = prng(i); ; flipBits(d.words, i * WORDS, 1, rand)) {
        const hex = wordsToHex(d.words, i * WORDS);
        const key = createHash("sha256").update(hex).digest("hex");
        if (insert.run(i + 1, bank.id, hex, key, now, now, now, now, seq0 + i + 1).changes === 1) break;
      }
    }
  });
  for (let from = 0; from < size; from += 500_000) {
    batch(from, Math.min(size, from + 500_000));
    if (size >= 5e6)
      note(`${label(Math.min(size, from + 500_000))} rows in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  db.prepare("update counters set value = ? where name = 'change_seq'").run(seq0 + size);
  if (typeValue) db.exec(typeValue);
  db.pragma("locking_mode = NORMAL");
  db.pragma("journal_mode = WAL"); // as the service leaves it; everything is in rasd.db itself
  db.close();
  // The true answers, by linear scan: ids are entry numbers + 1.
  const keys = Int32Array.from({ length: size }, (_, i) => i + 1);
  const tags = new Uint16Array(size);
  const expected: { q: number; ids: number[]; at32: number[] }[] = [];
  const check = [
    ...Array.from({ length: d.recallQueries }, (_, q) => q),
    ...Array.from({ length: ADVERSARIAL_CENTRES }, (_, c) => d.adversarialFrom + c),
  ];
  for (const q of check) {
    const within = linearSearch(d.words, keys, tags, size, d.queries, q * WORDS, 32);
    expected.push({
      q,
      ids: within.filter((m) => m.distance <= 31).map((m) => m.key),
      at32: within.filter((m) => m.distance === 32).map((m) => m.key),
    });
  }
  writeFileSync(join(dir, "queries.bin"), d.queries);
  writeFileSync(join(dir, "expected.json"), JSON.stringify({ expected, adversarialFrom: d.adversarialFrom }));
  note(`store of ${label(size)} ${kind} made in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// --- writer thread -----------------------------------------------------------------------

interface WriterData {
  url: string;
  size: number;
  adds: number;
  retracts: number;
  protect: number[];
  seed: number;
}

type WriterMessage =
  { added: { id: number; hex: string; at: number }[] } | { retracted: number[] } | "ready" | "stopped";

const absNow = (): number => performance.timeOrigin + performance.now();

async function writer(d: WriterData): Promise<void> {
  // The writer stands for other processes' commits; what is measured is the reader's index,
  // so its commits skip the fsync (RASD_SQLITE_SYNC, read when this thread opens the store).
  process.env.RASD_SQLITE_SYNC = "NORMAL";
  const store = await KyselyStore.open(d.url);
  const bank = (await store.listBanks())[0]!;
  const protect = new Set(d.protect);
  const rand = prng(d.seed);
  const hex = (): string => Array.from({ length: 64 }, () => Math.floor(rand() * 16).toString(16)).join("");
  let stop = false;
  parentPort!.on("message", (m) => {
    if (m === "stop") stop = true;
  });
  parentPort!.postMessage("ready");
  const tickMs = 20;
  let addDebt = 0;
  let retractDebt = 0;
  while (!stop) {
    const t = performance.now();
    addDebt += (d.adds * tickMs) / 1000;
    retractDebt += (d.retracts * tickMs) / 1000;
    const n = Math.floor(addDebt);
    addDebt -= n;
    if (n > 0) {
      const values = Array.from({ length: n }, hex);
      const results = await store.upsertSignals(
        bank.id,
        values.map((value) => ({ type: "pdq" as const, value })),
      );
      const at = absNow();
      parentPort!.postMessage({
        added: results.map((r) => ({ id: r.signal.id, hex: r.signal.value, at })),
      } satisfies WriterMessage);
    }
    const retracted: number[] = [];
    for (; retractDebt >= 1; retractDebt--) {
      const id = 1 + Math.floor(rand() * d.size);
      if (protect.has(id)) continue;
      await store.retractSignal(id);
      retracted.push(id);
    }
    if (retracted.length > 0) parentPort!.postMessage({ retracted } satisfies WriterMessage);
    await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (performance.now() - t))));
  }
  await store.close();
  parentPort!.postMessage("stopped");
}

// --- measure ------------------------------------------------------------------------------

interface Options {
  runs: number;
  seconds: number;
  adds: number;
  retracts: number;
  merge: boolean;
  /** Threads doing lookups: this one, plus replicas of its index (as `rasd serve`'s pipeline threads). */
  threads: number;
}

// --- replica search thread ----------------------------------------------------------------

interface SearcherData {
  role: "search";
  port: MessagePort;
  queries: Uint32Array;
  /** [0]: 1 while searching, 0 to stop; [1]: lookups done. */
  control: Int32Array;
}

/** Lookups on a replica of the main thread's index, as a pipeline thread makes them. */
async function searcher(d: SearcherData): Promise<void> {
  const index = followOwner(d.port);
  const n = d.queries.length / WORDS;
  const accept = (_tag: number, distance: number): boolean => distance <= 31;
  let q = 0;
  while (Atomics.load(d.control, 0) === 1) {
    const until = performance.now() + 20;
    while (performance.now() < until) {
      for (let i = 0; i < 16; i++, q++) index.search(d.queries, (q % n) * WORDS, 31, accept);
      Atomics.add(d.control, 1, 16);
    }
    // Between slices the thread takes the owner's new views, as a pipeline thread does.
    await new Promise((r) => setImmediate(r));
  }
  d.port.close();
}

function percentile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

interface RunFigures {
  lookupsPerS: number;
  p99LookupMs: number;
  p99VisibleMs: number;
  visible: number;
  worstStallMs: number;
  adds: number;
  retracts: number;
  /** The lookup thread's CPU time per lookup, microseconds. */
  cpuUsPerLookup: number;
  /** Lookups a second on the replica threads (0 without them). */
  replicaLookupsPerS: number;
  /** The whole process's CPU time (every thread: lookups, writer, GC) per lookup on any thread. */
  processCpuUsPerLookup: number;
}

async function measure(size: number, kind: string, dir: string, o: Options): Promise<void> {
  const url = `sqlite:${join(dir, "rasd.db")}`;
  const { expected } = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as {
    expected: { q: number; ids: number[]; at32: number[] }[];
    adversarialFrom: number;
  };
  const qWords = new Uint32Array(readFileSync(join(dir, "queries.bin")).buffer.slice(0));
  const queries: string[] = [];
  for (let q = 0; q < qWords.length / WORDS; q++) queries.push(wordsToHex(qWords, q * WORDS));
  const workload = 20_000;

  const rss0 = rssBytes();
  const store = await KyselyStore.open(url);
  // With replica threads, the index is the shared one `rasd serve` makes for its pipeline threads.
  const shared = o.threads > 1 ? new PdqSignalIndex("shared") : undefined;
  const matcher = new Matcher(store, { pollMs: 10, ...(shared ? { indexes: [[PDQ_INDEX, shared]] } : {}) });
  const t0 = performance.now();
  await matcher.start();
  const loadS = (performance.now() - t0) / 1000;
  const control = new Int32Array(new SharedArrayBuffer(8));
  const searchers: Worker[] = [];
  if (shared) {
    Atomics.store(control, 0, 1);
    const sharedQueries = new Uint32Array(new SharedArrayBuffer(qWords.byteLength));
    sharedQueries.set(qWords.subarray(0, workload * WORDS));
    for (let t = 1; t < o.threads; t++) {
      const { port1, port2 } = new MessageChannel();
      serveReplica(matcher, shared, port1, Promise.resolve());
      const data: SearcherData = { role: "search", port: port2, queries: sharedQueries, control };
      searchers.push(startWorker(new URL(import.meta.url), data, [port2]));
    }
  }
  const rss1 = rssBytes();
  const index = matcher.indexOfKind(PDQ_INDEX);
  const stats = index.hashes.stats();
  // How long each turn of background index work held the thread (the bound on a stall).
  const turns: number[] = [];
  const maintain = index.maintain.bind(index);
  index.maintain = (budgetMs?: number): boolean => {
    const t = performance.now();
    const more = maintain(budgetMs);
    turns.push(performance.now() - t);
    return more;
  };
  figure(size, kind, "load_s", loadS, { signals: stats.hashes });
  const mem = process.memoryUsage();
  figure(size, kind, "bytes_per_hash_rss", (rss1 - rss0) / stats.hashes, {
    rss_mb: Math.round(rss1 / 2 ** 20),
    rss_before_mb: Math.round(rss0 / 2 ** 20),
    heap_used_mb: Math.round(mem.heapUsed / 2 ** 20),
    array_buffers_mb: Math.round(mem.arrayBuffers / 2 ** 20),
  });
  figure(size, kind, "bytes_per_hash_index", stats.bytes / stats.hashes, { segments: stats.segments });

  // The writer: new signals and retractions committed from another thread, followed here
  // through the change cursor as another process's would be.
  const protect = [...new Set(expected.flatMap((e) => [...e.ids, ...e.at32]))];
  const w = startWorker(new URL(import.meta.url), {
    url,
    size,
    adds: o.adds,
    retracts: o.retracts,
    protect,
    seed: size,
  } satisfies WriterData);
  const pending: { id: number; hex: string; at: number }[] = [];
  const retracted = new Set<number>();
  const added = new Set<number>();
  let addCount = 0;
  let retractCount = 0;
  const writerReady = new Promise((resolve) => w.on("message", (m) => m === "ready" && resolve(undefined)));
  w.on("message", (m: WriterMessage) => {
    if (m === "stopped" || m === "ready") return;
    if ("added" in m) {
      for (const a of m.added) {
        pending.push(a);
        added.add(a.id);
      }
      addCount += m.added.length;
    } else {
      for (const id of m.retracted) retracted.add(id);
      retractCount += m.retracted.length;
    }
  });

  let next = 0;
  const run = async (until: () => boolean): Promise<RunFigures> => {
    const latencies: number[] = [];
    const visible: number[] = [];
    let worst = 0;
    const a0 = addCount;
    const r0 = retractCount;
    const start = performance.now();
    const cpu0 = mainThreadCpuS();
    const proc0 = process.cpuUsage();
    const replica0 = Atomics.load(control, 1);
    let last = start;
    const lookup = (hex: string): number[] => {
      const t = performance.now();
      const found = matcher.matchPdq([{ hash: hex, quality: 100 }]).matches.map((m) => m.signalId);
      const done = performance.now();
      latencies.push(done - t);
      worst = Math.max(worst, done - last);
      last = done;
      return found;
    };
    while (!until()) {
      for (let i = 0; i < 16; i++) lookup(queries[next++ % workload]!);
      for (let i = pending.length - 1; i >= 0; i--) {
        const p = pending[i]!;
        if (lookup(p.hex).includes(p.id)) {
          visible.push(absNow() - p.at);
          pending.splice(i, 1);
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    const seconds = (performance.now() - start) / 1000;
    const cpuS = mainThreadCpuS() - cpu0;
    const replicaLookups = Atomics.load(control, 1) - replica0;
    const proc = process.cpuUsage(proc0);
    return {
      replicaLookupsPerS: replicaLookups / seconds,
      processCpuUsPerLookup: (proc.user + proc.system) / Math.max(1, latencies.length + replicaLookups),
      cpuUsPerLookup: (cpuS * 1e6) / Math.max(1, latencies.length),
      lookupsPerS: latencies.length / seconds,
      p99LookupMs: percentile(latencies, 0.99),
      p99VisibleMs: visible.length > 0 ? percentile(visible, 0.99) : NaN,
      visible: visible.length,
      worstStallMs: worst,
      adds: (addCount - a0) / seconds,
      retracts: (retractCount - r0) / seconds,
    };
  };
  const timed = (s: number) => {
    const end = performance.now() + s * 1000;
    return () => performance.now() >= end;
  };

  await writerReady;
  await run(timed(1)); // warm-up
  const runs: RunFigures[] = [];
  for (let r = 0; r < o.runs; r++) runs.push(await run(timed(o.seconds)));
  const spread = (metric: string, pick: (f: RunFigures) => number): void => {
    const xs = runs.map(pick).sort((a, b) => a - b);
    figure(size, kind, metric, percentile(xs, 0.5), {
      min: Math.round(xs[0]! * 1000) / 1000,
      max: Math.round(xs[xs.length - 1]! * 1000) / 1000,
      runs: xs.length,
    });
  };
  spread("lookups_per_s", (f) => f.lookupsPerS);
  spread("cpu_us_per_lookup", (f) => f.cpuUsPerLookup);
  if (searchers.length > 0) {
    spread("replica_lookups_per_s", (f) => f.replicaLookupsPerS);
    spread("all_threads_lookups_per_s", (f) => f.lookupsPerS + f.replicaLookupsPerS);
  }
  spread("process_cpu_us_per_lookup", (f) => f.processCpuUsPerLookup);
  spread("lookups_per_cpu_s", (f) => 1e6 / f.cpuUsPerLookup);
  spread("lookup_p99_ms", (f) => f.p99LookupMs);
  spread("add_visible_p99_ms", (f) => f.p99VisibleMs);
  spread("adds_seen_visible", (f) => f.visible);
  spread("worst_stall_ms", (f) => f.worstStallMs);
  spread("adds_per_s", (f) => f.adds);
  spread("retracts_per_s", (f) => f.retracts);
  const after = index.hashes.stats();
  figure(size, kind, "segments_after_runs", after.segments, { buffers: after.buffers, merges: after.merges });

  if (o.merge) {
    // A full merge of the index (every segment rebuilt into one) under the same load.
    index.hashes.compact();
    const m0 = index.hashes.stats().merges;
    const t = performance.now();
    const f = await run(() => index.hashes.stats().merges > m0 && !index.hashes.stats().pending);
    const mergeS = (performance.now() - t) / 1000;
    figure(size, kind, "full_merge_s", mergeS, { slices: index.hashes.stats().slices });
    figure(size, kind, "merge_worst_stall_ms", f.worstStallMs);
    figure(size, kind, "merge_lookups_per_s", f.lookupsPerS);
    figure(size, kind, "merge_lookup_p99_ms", f.p99LookupMs);
    figure(size, kind, "merge_cpu_us_per_lookup", f.cpuUsPerLookup);
    figure(size, kind, "maintain_turn_p99_ms", percentile(turns, 0.99), {
      max: Math.round(Math.max(0, ...turns) * 1000) / 1000,
      turns: turns.length,
    });
  }

  // Recall and precision at distance 31, once the writer has stopped and every change is in.
  Atomics.store(control, 0, 0);
  await Promise.all(searchers.map((t) => new Promise((r) => t.once("exit", r))));
  w.postMessage("stop");
  await new Promise<void>((resolve) => w.on("message", (m) => m === "stopped" && resolve()));
  await w.terminate();
  await matcher.sync();
  while (index.maintain(50));
  let want = 0;
  let got = 0;
  let extra = 0;
  let advWant = 0;
  let advGot = 0;
  let at32 = 0;
  let retractedReturned = 0;
  for (const e of expected) {
    const found = new Set(matcher.matchPdq([{ hash: queries[e.q]!, quality: 100 }]).matches.map((m) => m.signalId));
    const truth = e.ids.filter((id) => !retracted.has(id));
    const hit = truth.filter((id) => found.has(id)).length;
    if (e.q >= workload) {
      advWant += truth.length;
      advGot += hit;
    } else {
      want += truth.length;
      got += hit;
    }
    const truthSet = new Set(truth);
    for (const id of found) {
      if (truthSet.has(id)) continue;
      if (retracted.has(id)) retractedReturned++;
      else if (!added.has(id)) extra++;
    }
    at32 += e.at32.filter((id) => found.has(id)).length;
  }
  figure(size, kind, "recall_at_31", want === 0 ? 1 : got / want, { expected: want, queries: expected.length - 40 });
  figure(size, kind, "recall_adversarial_at_31", advWant === 0 ? 1 : advGot / advWant, {
    expected: advWant,
    centres: ADVERSARIAL_CENTRES,
  });
  figure(size, kind, "returned_beyond_31", at32 + extra, { at_32: at32, other: extra });
  figure(size, kind, "retracted_returned", retractedReturned, { retracted: retracted.size });
  const rss2 = rssBytes();
  figure(size, kind, "bytes_per_hash_rss_after", (rss2 - rss0) / index.hashes.size, {
    rss_mb: Math.round(rss2 / 2 ** 20),
    hashes: index.hashes.size,
  });
  matcher.stop();
  await store.close();
}

/** How long after GET /status first answers 200 `rasd serve`'s RSS is read. */
const SETTLE_MS = 8000;

// --- ready ----------------------------------------------------------------------------------

async function ready(size: number, dir: string): Promise<void> {
  const port = 20_000 + Math.floor(Math.random() * 12_000);
  const t0 = performance.now();
  const child = spawn(process.execPath, ["dist/cli/main.js", "serve", "--data", dir, "--port", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: process.env,
  });
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  let seconds = NaN;
  for (;;) {
    if (child.exitCode !== null) {
      note(`rasd serve exited with ${child.exitCode}: ${err.slice(-2000)}`);
      break;
    }
    try {
      const r = await fetch(`http://127.0.0.1:${port}/status`);
      if (r.status === 200) {
        seconds = (performance.now() - t0) / 1000;
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  // The pipeline thread loads its matcher beside the HTTP thread's: RSS settles afterwards.
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    const peakRss = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    figure(size, "uniform", "serve_rss_mb", rss / 2 ** 20, {
      peak_mb: Math.round(peakRss / 2 ** 20),
      after_ready_s: SETTLE_MS / 1000,
    });
  } catch {
    // gone already
  }
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  figure(size, "uniform", "serve_ready_s", seconds, { signals: size });
}

// --- main -------------------------------------------------------------------------------------

function parseSize(s: string): number {
  return Number(s.replace(/M$/i, "e6").replace(/k$/i, "e3"));
}

if (!isMainThread) {
  if ((workerData as { role?: string }).role === "search") await searcher(workerData as SearcherData);
  else await writer(workerData as WriterData);
} else {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    if (i < 0) return fallback;
    const v = args[i + 1]!;
    args.splice(i, 2);
    return v;
  };
  const has = (name: string): boolean => {
    const i = args.indexOf(name);
    if (i >= 0) args.splice(i, 1);
    return i >= 0;
  };
  if (args[0] === "--make") {
    await make(Number(args[1]), args[2]!, args[3]!);
  } else if (args[0] === "--measure") {
    const o = JSON.parse(args[4]!) as Options;
    await measure(Number(args[1]), args[2]!, args[3]!, o);
  } else if (args[0] === "--ready") {
    await ready(Number(args[1]), args[2]!);
  } else {
    const o: Options = {
      runs: Number(flag("--runs", "5")),
      seconds: Number(flag("--seconds", "5")),
      adds: Number(flag("--adds", "500")),
      retracts: Number(flag("--retracts", "100")),
      merge: !has("--no-merge"),
      threads: Number(flag("--threads", "1")),
    };
    const kinds = flag("--data", "uniform,clustered").split(",");
    const noReady = has("--no-ready");
    const noOthers = has("--no-others");
    const cache = flag("--cache", "");
    const sizes = (args.length > 0 ? args : ["1M"]).map(parseSize);
    const self = fileURLToPath(import.meta.url);
    const child = (extra: string[]): void => {
      // Each step in a fresh process, so that its memory and timing are its own.
      const r = spawnSync(process.execPath, [...process.execArgv, self, ...extra], {
        stdio: "inherit",
        env: process.env,
      });
      if (r.status !== 0) {
        note(`${extra[0]} ${extra[1]} ${extra[2]} exited with ${r.status}`);
        process.exitCode = r.status ?? 1;
      }
    };
    note(
      `options ${JSON.stringify(o)}; machine load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    for (const size of sizes) {
      kinds.forEach((kind, i) => {
        const dir = mkdtempSync(join(cache || tmpdir(), "rasd-index-bench-"));
        try {
          if (cache) {
            const kept = join(cache, `${label(size)}-${kind}-${STORE_VERSION}`);
            if (!existsSync(join(kept, "expected.json"))) {
              const making = `${kept}.making`;
              rmSync(making, { recursive: true, force: true });
              mkdirSync(making, { recursive: true });
              child(["--make", String(size), kind, making]);
              if (process.exitCode) return;
              renameSync(making, kept);
            } else note(`store of ${label(size)} ${kind} from ${kept}`);
            for (const f of ["rasd.db", "queries.bin", "expected.json"]) copyFileSync(join(kept, f), join(dir, f));
          } else child(["--make", String(size), kind, dir]);
          if (i === 0 && !noReady) child(["--ready", String(size), dir]);
          child(["--measure", String(size), kind, dir, JSON.stringify(o)]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
    if (!noOthers) {
      await runUrlBench();
      await runTextBench();
    }
  }
}
