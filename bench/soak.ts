/**
 * npm run bench -- soak [--minutes N] [--rate R] [--interval-seconds S]
 *   (or RASD_SOAK_MINUTES, RASD_SOAK_RATE; defaults: 10 minutes, 100 requests/s, 60 s)
 *
 * Memory and latency over time: `rasd serve` in its own process on embedded SQLite, with
 * mixed load at a steady rate from here — content submissions (text 30%, URL 20%, JPEG
 * images 10%, multipart), lookups (POST /v1/match of texts, URLs and PDQ hashes, 20%),
 * signal additions (10%) and retractions of signals added earlier (5%), and review decisions
 * (5%: matched items go to review through a rule; a decision takes the first open entry).
 * Matching items also fire a signed webhook to a receiver here.
 *
 * Every interval (a minute by default) it prints, as JSON lines: the server's RSS (VmRSS from
 * /proc), the p50 and p99 latency of the interval's requests, requests done, and errors. At the
 * end: the least-squares slope of RSS (MiB per hour) and of p99 (ms per hour) over the
 * intervals after the first (start-up and warm-up are not a leak), and how many of the
 * accepted items the pipeline finished. Goal (issue 15): flat memory and p99 over an hour.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import sharp from "sharp";
import { loadConfig } from "../dist/config/config.js";
import { closeServices, openServices } from "../dist/server/services.js";
import { countingReceiver, emit, note, stopAll } from "./_util.js";

function option(name: string, env: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[env];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n > 0)) throw new Error(`--${name} (${env}): expected a positive number, got "${raw}"`);
  return n;
}

const MINUTES = option("minutes", "RASD_SOAK_MINUTES", 10);
const RATE = option("rate", "RASD_SOAK_RATE", 100);
const INTERVAL_S = option("interval-seconds", "RASD_SOAK_INTERVAL_SECONDS", 60);
/** Requests in flight at most; beyond it the generator waits (and the lag shows in latency). */
const MAX_IN_FLIGHT = 64;
const BANNED = "Join the ranks of the caliphate now, migration is an obligation for every believer who is able";
const BOUNDARY = "----rasdsoak";
const agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });

type Kind = "text" | "url" | "image" | "lookup" | "signal_add" | "signal_retract" | "review";
/** Cumulative shares of each kind of request. */
const MIX: readonly [Kind, number][] = [
  ["text", 0.3],
  ["url", 0.5],
  ["image", 0.6],
  ["lookup", 0.8],
  ["signal_add", 0.9],
  ["signal_retract", 0.95],
  ["review", 1],
];

interface Reply {
  readonly status: number;
  readonly body: string;
}

function call(
  port: number,
  key: string,
  method: string,
  path: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method,
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body ? { "content-length": String(body.length) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The server process's resident set size in MiB (Linux). */
function rssMib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Least-squares slope of y over x. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Starts `rasd serve` and resolves once it says its workers run; its stderr is then drained unread. */
function startServer(dir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["dist/cli/main.js", "serve", "--data", dir, "--port", String(port), "--rate-limit", "1000000"],
    { env: { ...process.env, RASD_WEBHOOK_ALLOW_PRIVATE: "1" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let err = "";
    const onData = (d: Buffer): void => {
      err += d.toString();
      if (err.includes("workers running")) {
        child.stderr!.off("data", onData);
        // The server's log (JSON lines) goes to RASD_SOAK_SERVER_LOG when set, else nowhere.
        const log = process.env.RASD_SOAK_SERVER_LOG;
        if (log) child.stderr!.pipe(createWriteStream(log));
        else child.stderr!.resume();
        child.off("exit", onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`rasd serve exited with ${code}: ${err}`));
    child.stderr!.on("data", onData);
    child.once("exit", onExit);
  });
}

async function jpegs(n: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      await sharp({
        create: { width: 480, height: 360, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: 90 } },
      })
        .composite([
          {
            input: Buffer.from(
              `<svg width="480" height="360"><circle cx="${60 + i * 9}" cy="${70 + i * 6}" r="${30 + i}" fill="#fff"/><rect x="${i * 11}" y="220" width="110" height="80" fill="#123"/></svg>`,
            ),
          },
        ])
        .jpeg({ quality: 85 })
        .toBuffer(),
    );
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rasd-bench-soak-"));
  const receiver = await countingReceiver();
  const s = await openServices(loadConfig({ data: dir }), { defaultMetrics: false });
  const org = await s.banks.createOrg("Soak Platform", "platform");
  const key = (await s.access.createKey(org, "admin", "soak")).token;
  const bank = await s.banks.createBank({ orgId: org.id, name: "isis", tlp: "GREEN" });
  await s.banks.addSignals(bank.id, [
    { line: 1, raw: { type: "text", value: BANNED } },
    { line: 2, raw: { type: "domain", value: "justpaste.it" } },
  ]);
  await s.rules.create(org.id, {
    name: "notify and review",
    conditions: {},
    actions: [
      { type: "webhook", url: receiver.url, secret: "whsec_" + Buffer.alloc(24, 1).toString("base64") },
      { type: "review" },
    ],
  });
  await closeServices(s);
  const watcher = new BetterSqlite3(join(dir, "rasd.db"), { readonly: true });

  const images = await jpegs(20);
  const pdqs: string[] = [];
  const port = 20_000 + Math.floor(Math.random() * 12_000);
  const server = await startServer(dir, port);
  const pid = server.pid!;
  note(`rasd serve (pid ${pid}) on :${port}, SQLite in ${dir}; ${RATE} requests/s for ${MINUTES} min`);

  let seq = 0;
  const added: number[] = [];
  const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
  const JSON_TYPE = { "content-type": "application/json" };
  const submit = (body: Buffer, headers: Record<string, string>): Promise<Reply> =>
    call(port, key, "POST", "/v1/content", body, { ...headers, "idempotency-key": `soak-${++seq}` });

  async function one(kind: Kind, i: number): Promise<Reply> {
    const match = i % 10 === 0;
    switch (kind) {
      case "text":
        return submit(
          json({
            text: match ? `${BANNED} #${i}` : `Ordinary post ${i} about football, weather and markets in Mosul today`,
            content_id: `t-${i}`,
          }),
          JSON_TYPE,
        );
      case "url":
        return submit(
          json({
            url: match ? `hxxps://justpaste[.]it/release-${i % 50}` : `https://news.example.org/story/${i}`,
            content_id: `u-${i}`,
          }),
          JSON_TYPE,
        );
      case "image": {
        const body = Buffer.concat([
          Buffer.from(
            `--${BOUNDARY}\r\ncontent-disposition: form-data; name="image"; filename="${i}.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`,
          ),
          images[i % images.length]!,
          Buffer.from(
            `\r\n--${BOUNDARY}\r\ncontent-disposition: form-data; name="content_id"\r\n\r\nimg-${i}\r\n--${BOUNDARY}--\r\n`,
          ),
        ]);
        return submit(body, { "content-type": `multipart/form-data; boundary=${BOUNDARY}` });
      }
      case "lookup": {
        const pick = i % 3;
        const q =
          pick === 0
            ? { type: "text", value: match ? BANNED : `a lookup of an ordinary sentence number ${i} in the news` }
            : pick === 1
              ? { type: "url", value: `https://justpaste.it/x-${i % 100}` }
              : { type: "pdq", value: pdqs[i % Math.max(1, pdqs.length)] ?? "f".repeat(64) };
        return call(port, key, "POST", "/v1/match", json(q), JSON_TYPE);
      }
      case "signal_add": {
        const r = await call(
          port,
          key,
          "POST",
          `/v1/banks/${bank.id}/signals`,
          json({
            signals: [
              i % 2 === 0
                ? { type: "text", value: `Soak signal ${i}: a sentence long enough to be indexed as a text signal` }
                : { type: "url", value: `https://soak.example.net/release/${i}` },
            ],
          }),
          JSON_TYPE,
        );
        return r;
      }
      case "signal_retract": {
        const id = added.shift();
        if (id === undefined) return one("signal_add", i);
        return call(port, key, "DELETE", `/v1/signals/${id}`);
      }
      case "review": {
        const open = await call(port, key, "GET", "/v1/reviews?status=open&limit=1");
        const first = (JSON.parse(open.body) as { reviews?: { id: number }[] }).reviews?.[0];
        if (!first) return open;
        const r = await call(
          port,
          key,
          "POST",
          `/v1/reviews/${first.id}/decision`,
          json({ decision: "not_violating", reasons: "soak: a reviewer's decision" }),
          JSON_TYPE,
        );
        // Another decision may have taken the same entry first.
        return r.status === 409 ? { ...r, status: 200 } : r;
      }
    }
  }

  // Signal ids to retract: the newest added signals of the bank, read now and then.
  const refreshAdded = async (): Promise<void> => {
    const r = await call(port, key, "GET", `/v1/banks/${bank.id}/signals?limit=1000`);
    const signals = (JSON.parse(r.body) as { signals?: { id: number; status: string }[] }).signals ?? [];
    added.length = 0;
    for (const sig of signals) if (sig.status === "active" && sig.id > 2) added.push(sig.id);
  };

  const intervals: { t: number; rss: number; p99: number }[] = [];
  let latencies: number[] = [];
  let errors = 0;
  let lastError = "";
  let done = 0;
  let inFlight = 0;
  const start = performance.now();
  const end = start + MINUTES * 60_000;
  let nextReport = start + INTERVAL_S * 1000;
  let interval = 0;
  const report = (): void => {
    interval++;
    const sorted = latencies.sort((a, b) => a - b);
    const rss = rssMib(pid);
    const p99 = percentile(sorted, 0.99);
    const minute = Math.round(((performance.now() - start) / 60_000) * 100) / 100;
    intervals.push({ t: minute, rss, p99 });
    const base = { bench: "soak", case: `interval-${interval}`, impl: "rasd", minute };
    emit({ ...base, metric: "rss_mib", value: rss });
    emit({ ...base, metric: "p50_ms", value: percentile(sorted, 0.5) });
    emit({ ...base, metric: "p99_ms", value: p99 });
    emit({ ...base, metric: "requests", value: sorted.length });
    emit({ ...base, metric: "errors", value: errors });
    if (errors > 0) note(`interval ${interval}: ${errors} errors, the last: ${lastError}`);
    latencies = [];
    errors = 0;
  };

  try {
    let i = 0;
    const pending = new Set<Promise<void>>();
    while (performance.now() < end) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      while (inFlight >= MAX_IN_FLIGHT) await Promise.race(pending);
      if (performance.now() >= nextReport) {
        report();
        nextReport += INTERVAL_S * 1000;
      }
      const n = ++i;
      if (n % 500 === 1) await refreshAdded();
      if (n % 50 === 1) {
        const hashes = (
          JSON.parse((await call(port, key, "GET", "/v1/content?limit=50")).body) as {
            items?: { hashes?: { pdq?: string } }[];
          }
        ).items;
        for (const it of hashes ?? []) if (it.hashes?.pdq && pdqs.length < 100) pdqs.push(it.hashes.pdq);
      }
      const r = Math.random();
      const kind = MIX.find(([, upTo]) => r < upTo)![0];
      inFlight++;
      const t0 = performance.now();
      const p: Promise<void> = one(kind, n)
        .then((reply) => {
          latencies.push(performance.now() - t0);
          if (reply.status >= 300) {
            errors++;
            lastError = `${kind}: HTTP ${reply.status} ${reply.body.slice(0, 200)}`;
          }
        })
        .catch((error: unknown) => {
          errors++;
          lastError = `${kind}: ${String(error)}`;
        })
        .finally(() => {
          inFlight--;
          done++;
          pending.delete(p);
        });
      pending.add(p);
    }
    await Promise.all(pending);
    if (latencies.length > 0) report();

    // Intervals after the first: start-up and warm-up are not growth.
    const steady = intervals.length > 2 ? intervals.slice(1) : intervals;
    const final = { bench: "soak", case: "overall", impl: "rasd", minutes: MINUTES, rate: RATE };
    emit({ ...final, metric: "rss_slope_mib_per_hour", value: slope(steady.map((x) => [x.t / 60, x.rss])) });
    emit({ ...final, metric: "p99_slope_ms_per_hour", value: slope(steady.map((x) => [x.t / 60, x.p99])) });
    emit({ ...final, metric: "rss_first_mib", value: intervals[0]?.rss ?? 0 });
    emit({ ...final, metric: "rss_last_mib", value: intervals.at(-1)?.rss ?? 0 });
    emit({ ...final, metric: "rss_max_mib", value: Math.max(...intervals.map((x) => x.rss)) });
    emit({ ...final, metric: "requests", value: done });
    const c = watcher.prepare("select count(*) as n, count(matched_at) as matched from content_items").get() as {
      n: number;
      matched: number;
    };
    emit({ ...final, metric: "items_accepted", value: c.n });
    emit({ ...final, metric: "items_matched_at_end", value: c.matched });
    note(`webhook deliveries received: ${receiver.count()}`);
  } finally {
    await stopAll([server]);
    receiver.close();
    watcher.close();
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
