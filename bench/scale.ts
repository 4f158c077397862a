/**
 * npm run bench -- scale [--items N] [--workers 1,2] [--repeat R] [--rate ITEMS_PER_S]
 *
 * rasd as several processes on PostgreSQL and NATS JetStream (both on this machine): one
 * `rasd serve --roles api` and `rasd worker` processes. Figures:
 *
 * - per run: end-to-end items/s (text and URL items through POST /v1/content/batch, 10%
 *   matching a bank and firing a signed webhook to a receiver here), whether every item was
 *   finished in time, the time from acceptance to match (p50, p99, from the database), CPU
 *   ms per item of the workers, the API and this database's PostgreSQL backends
 *   (/proc/<pid>/stat), how often each job row was updated and deleted (pg_stat_user_tables),
 *   and the machine's load (os.loadavg) before and after;
 * - `--workers 1,2` (default): one run with one worker, then one with two (the first stays);
 * - `--repeat R`: R runs with the same `--workers` count (default 3 in this mode), a fresh
 *   batch of items each; a run that does not finish in time is reported with what
 *   PostgreSQL was doing, and the next run goes on;
 * - `--rate R`: submissions paced at R items/s instead of as fast as the API takes them (for
 *   latency below capacity);
 * - index propagation (not with --repeat): from sending a signal write to the API to a match
 *   in another process's indexes (a matcher here, following the JetStream notices): p50, p99.
 *
 * This is a 2-core machine shared with other work: the API, the workers, PostgreSQL, NATS and
 * this load generator share the same cores, so read items/s beside the CPU and load figures.
 */

import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import pg from "pg";
import { loadConfig } from "../dist/config/config.js";
import { closeServices, openServices, startWorkers } from "../dist/server/services.js";
import { countingReceiver, emit, note, startRasd, stopAll } from "./_util.js";

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const ITEMS = Number(arg("items", "20000"));
const REPEAT = Number(arg("repeat", "0"));
const WORKERS = arg("workers", REPEAT > 0 ? "3" : "1,2")
  .split(",")
  .map(Number);
const RATE = Number(arg("rate", "0"));
const PG_ADMIN = process.env.RASD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const NATS_URL = process.env.RASD_TEST_NATS_URL ?? "nats://127.0.0.1:4222";
const PREFIX = `rasdbench${process.pid}`;
const BANNED = "Join the ranks of the caliphate now, migration is an obligation for every believer who is able";
const BATCH = 500;

function item(run: string, i: number): Record<string, string> {
  const match = i % 10 === 0;
  return i % 2 === 0
    ? { idempotency_key: `${run}-${i}`, text: match ? `${BANNED} #${i}` : `Ordinary post ${i} about football in Mosul` }
    : { idempotency_key: `${run}-${i}`, url: match ? `https://justpaste.it/r-${i}` : `https://news.example.org/${i}` };
}

/** CPU seconds (user + system) a process has used, or 0 if it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

const load = (): number => Math.round(loadavg()[0]! * 100) / 100;

async function main(): Promise<void> {
  const dbName = `rasd_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dbUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${dbName}`);
  const receiver = await countingReceiver();
  const hook = receiver.url;
  const env = {
    ...process.env,
    RASD_NATS_URL: NATS_URL,
    RASD_NATS_PREFIX: PREFIX,
    RASD_WEBHOOK_ALLOW_PRIVATE: "1",
    RASD_MAX_BACKLOG: String(Math.max(100_000, ITEMS * 2)),
  };
  const config = loadConfig({ db: dbUrl }, env);
  const s = await openServices(config, { defaultMetrics: false, matcherPollMs: 0 });
  const org = await s.banks.createOrg("Bench Platform", "platform");
  const key = (await s.access.createKey(org, "admin", "bench")).token;
  const bank = await s.banks.createBank({ orgId: org.id, name: "isis", tlp: "GREEN" });
  await s.banks.addSignals(bank.id, [
    { line: 1, raw: { type: "text", value: BANNED } },
    { line: 2, raw: { type: "domain", value: "justpaste.it" } },
  ]);
  await s.rules.create(org.id, {
    name: "notify",
    conditions: {},
    actions: [{ type: "webhook", url: hook, secret: "whsec_" + Buffer.alloc(24, 1).toString("base64") }],
  });
  // This process's matcher stands for a worker's: it follows the JetStream notices only.
  await startWorkers(s, false);

  // Below the ephemeral range (32768+), so no outgoing connection can hold it.
  const port = 20_000 + Math.floor(Math.random() * 12_000);
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const api = await startRasd(["serve", "--db", dbUrl, "--roles", "api", "--port", String(port)], "API only", env);
  const workers: ChildProcess[] = [];
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();

  const backends = async (): Promise<number[]> =>
    (await admin.query<{ pid: number }>("select pid from pg_stat_activity where datname = $1", [dbName])).rows.map(
      (r) => r.pid,
    );
  const jobStats = async (): Promise<{ ins: number; upd: number; del: number; dead: number }> => {
    const r = await db.query(
      "select n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del, n_dead_tup as dead from pg_stat_user_tables where relname = 'jobs'",
    );
    const row = r.rows[0] as Record<string, string>;
    return { ins: Number(row.ins), upd: Number(row.upd), del: Number(row.del), dead: Number(row.dead) };
  };

  const runOnce = async (n: number, run: string): Promise<void> => {
    while (workers.length < n)
      workers.push(await startRasd(["worker", "--db", dbUrl, "--metrics-port", "0"], "workers running", env));
    const deliveredBefore = receiver.count();
    const loadBefore = load();
    const pgPids = new Map((await backends()).map((p) => [p, cpuSeconds(p)]));
    const workerCpu = workers.map((w) => cpuSeconds(w.pid!));
    const apiCpu = cpuSeconds(api.pid!);
    // pg_stat counters are sent by backends when their transactions end; a moment to settle.
    await new Promise((r) => setTimeout(r, 600));
    const stats0 = await jobStats();
    const t0 = performance.now();
    const batches = Math.ceil(ITEMS / BATCH);
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < batches) {
          const b = next++;
          if (RATE > 0) {
            const due = t0 + ((b * BATCH) / RATE) * 1000;
            if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
          }
          const items = Array.from({ length: BATCH }, (_, j) => item(run, b * BATCH + j));
          const r = await fetch(`${base}/v1/content/batch`, {
            method: "POST",
            headers,
            body: JSON.stringify({ items }),
          });
          if (r.status !== 202) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
        }
      }),
    );
    const total = batches * BATCH;
    const matching = Math.ceil(total / 10);
    const deadline = performance.now() + Math.max(60_000, (total / 200) * 1000);
    let completed = false;
    let finished = 0;
    while (performance.now() < deadline) {
      const c = await db.query<{ n: string }>(
        "select count(*) as n from content_items where idempotency_key like $1 and matched_at is not null",
        [`${run}-%`],
      );
      finished = Number(c.rows[0]!.n);
      if (finished >= total && receiver.count() - deliveredBefore >= matching) {
        completed = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = {
      workers: workers.reduce((sum, w, i) => sum + cpuSeconds(w.pid!) - (workerCpu[i] ?? 0), 0),
      api: cpuSeconds(api.pid!) - apiCpu,
      postgres: (await backends()).reduce((sum, p) => sum + cpuSeconds(p) - (pgPids.get(p) ?? 0), 0),
    };
    const lat = await db.query<{ p50: string; p99: string }>(
      `select percentile_cont(0.5) within group (order by matched_at - received_at) as p50,
              percentile_cont(0.99) within group (order by matched_at - received_at) as p99
       from content_items where idempotency_key like $1 and matched_at is not null`,
      [`${run}-%`],
    );
    await new Promise((r) => setTimeout(r, 600));
    const stats1 = await jobStats();
    const perItem = (v: number): number => Math.round((v / Math.max(1, finished)) * 1e6) / 1000; // ms
    emit({
      bench: "scale",
      case: `${n}-worker${n > 1 ? "s" : ""}`,
      impl: "rasd",
      metric: "processed_per_s",
      value: finished / seconds,
      run,
      completed: completed ? "yes" : "NO",
      items: total,
      finished,
      seconds: Math.round(seconds * 100) / 100,
      ...(RATE > 0 ? { rate: RATE } : {}),
      latency_p50_ms: Math.round(Number(lat.rows[0]?.p50 ?? 0)),
      latency_p99_ms: Math.round(Number(lat.rows[0]?.p99 ?? 0)),
      cpu_ms_per_item_workers: perItem(cpu.workers),
      cpu_ms_per_item_api: perItem(cpu.api),
      cpu_ms_per_item_postgres: perItem(cpu.postgres),
      job_updates_per_item: Math.round(((stats1.upd - stats0.upd) / Math.max(1, finished)) * 100) / 100,
      job_deletes_per_item: Math.round(((stats1.del - stats0.del) / Math.max(1, finished)) * 100) / 100,
      jobs_dead_tuples: stats1.dead,
      load_before: loadBefore,
      load_after: load(),
    });
    if (!completed) {
      const busy = await admin.query(
        "select pid, state, wait_event_type, now() - query_start as running, left(query, 120) as query from pg_stat_activity where datname = $1 and state <> 'idle'",
        [dbName],
      );
      note(`run ${run} did not finish in time; PostgreSQL: ${JSON.stringify(busy.rows)}`);
      const left = await db.query("select status, count(*) as n from jobs group by status");
      note(`jobs left: ${JSON.stringify(left.rows)}`);
    }
  };

  try {
    if (REPEAT > 0) {
      let ok = 0;
      for (let r = 0; r < REPEAT; r++) {
        const before = (await db.query<{ n: string }>("select count(*) as n from content_items")).rows[0]!.n;
        await runOnce(WORKERS[0]!, `r${r}`);
        const after = (
          await db.query<{ n: string }>("select count(*) as n from content_items where matched_at is null")
        ).rows[0]!.n;
        if (Number(after) === 0) ok++;
        void before;
      }
      emit({
        bench: "scale",
        case: `${WORKERS[0]}-workers-repeated`,
        impl: "rasd",
        metric: "runs_completed",
        value: ok,
        runs: REPEAT,
        load: load(),
      });
      return;
    }
    for (const n of WORKERS) await runOnce(n, `w${n}`);

    // Index propagation: API write → match in another process.
    const latencies: number[] = [];
    for (let i = 0; i < 100; i++) {
      const host = `propagation-${i}.example`;
      const t0 = performance.now();
      const r = await fetch(`${base}/v1/banks/${bank.id}/signals`, {
        method: "POST",
        headers,
        body: JSON.stringify({ signals: [{ type: "domain", value: host }] }),
      });
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
      while (s.matcher.matchUrl(`https://${host}/x`).matches.length === 0) {
        if (performance.now() - t0 > 10_000) throw new Error("a signal did not propagate in 10 s");
        await new Promise((res) => setImmediate(res));
      }
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    emit({ bench: "scale", case: "index-propagation", impl: "rasd", metric: "p50_ms", value: latencies[49]! });
    emit({ bench: "scale", case: "index-propagation", impl: "rasd", metric: "p99_ms", value: latencies[98]! });
    note(
      `propagation measured from sending the write to the API to a match in this process's indexes (JetStream notice, no polling)`,
    );
  } finally {
    await db.end();
    await stopAll([...workers, api]);
    await closeServices(s);
    receiver.close();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    const { connect } = await import("@nats-io/transport-node");
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    for (const stream of [`${PREFIX.toUpperCase()}_WORK`, `${PREFIX.toUpperCase()}_SIGNALS`])
      await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  }
}

await main();
