/**
 * npm run bench -- service [--items N] [--steady-seconds S] [--rate R[,R...]] [--seconds S] [--batch B] [--only open|closed]
 *
 * The coalition service end to end through HTTP, with `rasd serve` in its own process on
 * embedded SQLite (this process is the load generator and the webhook receiver, so both
 * share the machine's cores with the server):
 *
 * - burst: N text and URL submissions as fast as 256 connections allow; accepted/s (202s)
 *   and processed/s (until the last item is acted on); 10% of them match a bank and fire a
 *   rule whose action is a signed webhook to a receiver here.
 * - steady: 1,000 items/s for S seconds; p50/p99 of received → matched and received →
 *   acted (webhook delivered), from the service's own timestamps.
 * - images: PNG submissions (multipart), hashed with PDQ; items/s.
 * - open loop (`--rate R --seconds S --batch B`, default 10,000 items/s for 20 s in batches of
 *   500; a list of rates runs one after the other on the same server): batches through
 *   `POST /v1/content/batch` sent on a fixed schedule whatever the answers (the load does not
 *   slow down when the service does); sent_per_s says whether the generator kept it. The webhook receiver here
 *   reads each delivery's item and timestamps its arrival: per item received → webhook
 *   (the service's received_at to arrival) and scheduled → webhook (the batch's due time to
 *   arrival, which also counts time a batch waited for its answer), p50/p99/max; the rate
 *   accepted and matched during the window, the backlog (items not yet matched) when the
 *   window ends, the time to drain it, and the server process's CPU time per item (from
 *   /proc/PID/stat, from the first batch until the drain ends, over the items matched by then;
 *   steadier than rates on a shared machine), split by thread (the HTTP thread's per item accepted;
 *   the two busiest others — the pipeline thread first when it works — and the rest per item
 *   matched, so steady even when the backlog did not drain), with the machine's load.
 *
 * `--drain-seconds D` (default 120) bounds the wait for the backlog to drain after the window.
 * `--only open` runs just the open loop, `--only closed` just the closed-loop figures.
 */

import { Agent, request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import sharp from "sharp";
import { loadConfig } from "../dist/config/config.js";
import { closeServices, openServices } from "../dist/server/services.js";
import { emit, note, startRasd, stopAll } from "./_util.js";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ITEMS = arg("items", 30_000);
const STEADY_S = arg("steady-seconds", 10);
const IMAGES = arg("images", 200);
const RATES = (() => {
  const i = process.argv.indexOf("--rate");
  const list = i >= 0 ? process.argv[i + 1]!.split(",").map(Number) : [10_000];
  if (list.some((r) => !(r > 0))) throw new Error("--rate: a rate or a comma-separated list of rates, items/s");
  return list;
})();
const SECONDS = arg("seconds", 20);
const BATCH = arg("batch", 500);
const DRAIN_S = arg("drain-seconds", 120);
if (BATCH % 10 !== 0 || BATCH > 1000) throw new Error("--batch: a multiple of 10, at most 1,000");
const onlyAt = process.argv.indexOf("--only");
const ONLY = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (ONLY !== undefined && ONLY !== "open" && ONLY !== "closed") throw new Error("--only: open or closed");
const BANNED = "Join the ranks of the caliphate now, migration is an obligation for every believer who is able";
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function post(
  port: number,
  key: string,
  body: Buffer,
  headers: Record<string, string>,
  path = "/v1/content",
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent,
        headers: { authorization: `Bearer ${key}`, "content-length": String(body.length), ...headers },
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

function getJson<T>(port: number, key: string, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path, agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString()) as T));
    })
      .on("error", reject)
      .end();
  });
}

interface Stats {
  items: number;
  matched_ms: { count: number; p50: number; p99: number };
  acted_ms: { count: number; p50: number; p99: number };
}

let seq = 0;
function textItem(i: number): Buffer {
  const match = i % 10 === 0;
  const body =
    i % 2 === 0
      ? {
          text: match
            ? `${BANNED} #${i}`
            : `Ordinary post number ${i} about football, weather and markets in Mosul today`,
          content_id: `t-${i}`,
        }
      : {
          url: match ? `hxxps://justpaste[.]it/release-${i % 50}` : `https://news.example.org/story/${i}`,
          content_id: `u-${i}`,
        };
  return Buffer.from(JSON.stringify(body));
}

async function submitAll(
  port: number,
  key: string,
  items: number[],
  concurrency: number,
  make: (i: number) => { body: Buffer; headers: Record<string, string> },
  path = "/v1/content",
): Promise<number> {
  let next = 0;
  let ok = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = items[next++]!;
      const { body, headers } = make(i);
      const r = await post(port, key, body, { ...headers, "idempotency-key": `b-${++seq}` }, path);
      if (r.status === 202) ok++;
      else throw new Error(`HTTP ${r.status}: ${r.body}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ok;
}

/**
 * Waits until `expected` items received since `since` are matched and `matching` of them acted
 * on — watching the database read-only from here (WAL readers do not block the server), so
 * the polling costs the server nothing — then asks the API for its percentiles.
 */
async function waitActed(port: number, key: string, since: string, expected: number, matching: number): Promise<Stats> {
  const from = Date.parse(since);
  const count = watcher!.prepare(
    "select count(matched_at) as matched, count(acted_at) as acted from content_items where id > (select coalesce(max(id), 0) - ? from content_items) and received_at >= ?",
  );
  for (;;) {
    const c = count.get(expected + 10_000, from) as { matched: number; acted: number };
    if (c.matched >= expected && c.acted >= matching) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return getJson<Stats>(port, key, `/v1/stats/time-to-action?since=${encodeURIComponent(since)}&limit=1000000`);
}

let watcher: BetterSqlite3.Database | undefined;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rasd-bench-service-"));
  const receiver = await timingReceiver();
  const hook = receiver.url;

  const s = await openServices(loadConfig({ data: dir }), { defaultMetrics: false });
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
  await closeServices(s);
  watcher = new BetterSqlite3(join(dir, "rasd.db"), { readonly: true });

  // Below the ephemeral range (32768+), so no outgoing connection can hold it.
  const port = 20_000 + Math.floor(Math.random() * 12_000);
  const server = await startRasd(
    ["serve", "--data", dir, "--port", String(port)],
    "workers running",
    { ...process.env, RASD_WEBHOOK_ALLOW_PRIVATE: "1" },
    process.env.RASD_BENCH_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.RASD_BENCH_PROF}`] : [],
  );
  note(`rasd serve on :${port}, SQLite in ${dir}`);
  try {
    if (ONLY !== "open") await closedLoop(port, key, receiver);
    if (ONLY !== "closed") for (const rate of RATES) await openLoop(port, key, receiver, server.pid!, rate);
  } finally {
    await stopAll([server]);
    receiver.close();
    watcher?.close();
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function closedLoop(port: number, key: string, receiver: Receiver): Promise<void> {
  {
    // Warm-up.
    await submitAll(
      port,
      key,
      Array.from({ length: 2000 }, (_, i) => i + 1),
      64,
      (i) => ({ body: textItem(i), headers: { "content-type": "application/json" } }),
    );

    // Burst.
    const since = new Date().toISOString();
    const t0 = performance.now();
    const ids = Array.from({ length: ITEMS }, (_, i) => i + 1);
    await submitAll(port, key, ids, 256, (i) => ({
      body: textItem(i),
      headers: { "content-type": "application/json" },
    }));
    const accepted = performance.now();
    const matching = ids.filter((i) => i % 10 === 0).length;
    const burst = await waitActed(port, key, since, ITEMS, matching);
    const done = performance.now();
    emit({
      bench: "service",
      case: "burst-text-url",
      impl: "rasd",
      metric: "accepted_per_s",
      value: ITEMS / ((accepted - t0) / 1000),
      items: ITEMS,
    });
    emit({
      bench: "service",
      case: "burst-text-url",
      impl: "rasd",
      metric: "processed_per_s",
      value: ITEMS / ((done - t0) / 1000),
      items: ITEMS,
    });
    emit({ bench: "service", case: "burst-text-url", impl: "rasd", metric: "acted_p99_ms", value: burst.acted_ms.p99 });
    note(`burst: ${ITEMS} items, ${matching} matched and webhooks delivered (${receiver.count()} deliveries so far)`);

    // Burst through the batch route: 500 items per request.
    const batchSince = new Date().toISOString();
    const b0 = performance.now();
    const batches = Array.from({ length: Math.ceil(ITEMS / 500) }, (_, b) => b);
    await submitAll(
      port,
      key,
      batches,
      8,
      (b) => ({
        body: Buffer.from(
          JSON.stringify({
            items: Array.from({ length: 500 }, (_, j) => ({
              ...JSON.parse(textItem(b * 500 + j + 1).toString()),
              idempotency_key: `batch-${seq}-${b}-${j}`,
            })),
          }),
        ),
        headers: { "content-type": "application/json" },
      }),
      "/v1/content/batch",
    );
    const batchAccepted = performance.now();
    await waitActed(port, key, batchSince, batches.length * 500, batches.length * 50);
    const batchDone = performance.now();
    emit({
      bench: "service",
      case: "burst-batch-500",
      impl: "rasd",
      metric: "accepted_per_s",
      value: (batches.length * 500) / ((batchAccepted - b0) / 1000),
      items: batches.length * 500,
    });
    emit({
      bench: "service",
      case: "burst-batch-500",
      impl: "rasd",
      metric: "processed_per_s",
      value: (batches.length * 500) / ((batchDone - b0) / 1000),
      items: batches.length * 500,
    });

    // Steady 1,000 items/s.
    const steadySince = new Date().toISOString();
    const total = STEADY_S * 1000;
    const start = performance.now();
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + i; // one item per millisecond
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inflight.push(
        post(port, key, textItem(i), { "content-type": "application/json", "idempotency-key": `s-${++seq}` }),
      );
    }
    await Promise.all(inflight);
    const rate = total / ((performance.now() - start) / 1000);
    const steady = await waitActed(port, key, steadySince, total, Math.ceil(total / 10));
    emit({ bench: "service", case: "steady-1000", impl: "rasd", metric: "offered_per_s", value: rate });
    emit({
      bench: "service",
      case: "steady-1000",
      impl: "rasd",
      metric: "matched_p50_ms",
      value: steady.matched_ms.p50,
    });
    emit({
      bench: "service",
      case: "steady-1000",
      impl: "rasd",
      metric: "matched_p99_ms",
      value: steady.matched_ms.p99,
    });
    emit({ bench: "service", case: "steady-1000", impl: "rasd", metric: "acted_p50_ms", value: steady.acted_ms.p50 });
    emit({ bench: "service", case: "steady-1000", impl: "rasd", metric: "acted_p99_ms", value: steady.acted_ms.p99 });

    // Images.
    const pngs: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      pngs.push(
        await sharp({
          create: {
            width: 640,
            height: 480,
            channels: 3,
            background: { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53) % 256 },
          },
        })
          .composite([
            {
              input: Buffer.from(
                `<svg width="640" height="480"><circle cx="${100 + i * 7}" cy="${80 + i * 5}" r="${40 + i}" fill="#fff"/><rect x="${i * 9}" y="300" width="120" height="90" fill="#123"/></svg>`,
              ),
            },
          ])
          .jpeg({ quality: 85 })
          .toBuffer(),
      );
    }
    const boundary = "----rasdbench";
    const imageSince = new Date().toISOString();
    const i0 = performance.now();
    await submitAll(
      port,
      key,
      Array.from({ length: IMAGES }, (_, i) => i),
      16,
      (i) => ({
        body: Buffer.concat([
          Buffer.from(
            `--${boundary}\r\ncontent-disposition: form-data; name="image"; filename="${i}.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`,
          ),
          pngs[i % pngs.length]!,
          Buffer.from(
            `\r\n--${boundary}\r\ncontent-disposition: form-data; name="content_id"\r\n\r\nimg-${i}-${seq}\r\n--${boundary}--\r\n`,
          ),
        ]),
        headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      }),
    );
    await waitActed(port, key, imageSince, IMAGES, 0);
    emit({
      bench: "service",
      case: "images-640x480-jpeg",
      impl: "rasd",
      metric: "processed_per_s",
      value: IMAGES / ((performance.now() - i0) / 1000),
      items: IMAGES,
    });
    // The machine's load beside the closed-loop figures (the cores are shared with whatever else runs).
    emit({
      bench: "service",
      case: "closed-loop",
      impl: "rasd",
      metric: "load1",
      value: loadavg()[0]!,
      cores: cpus().length,
    });
  }
}

/** A webhook delivery as the receiver saw it. */
interface Arrival {
  readonly contentId: string;
  readonly receivedAt: number;
  readonly arrivedAt: number;
}

interface Receiver {
  readonly url: string;
  count(): number;
  /** Deliveries that arrived since the last call. */
  take(): Arrival[];
  close(): void;
}

/** A webhook receiver on 127.0.0.1: answers 204, and notes each delivery's item and arrival time. */
async function timingReceiver(): Promise<Receiver> {
  let received = 0;
  let arrivals: Arrival[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const arrivedAt = performance.timeOrigin + performance.now();
      received++;
      try {
        const item = (JSON.parse(Buffer.concat(chunks).toString()) as { data: { item: Record<string, string> } }).data
          .item;
        arrivals.push({ contentId: item.content_id!, receivedAt: Date.parse(item.received_at!), arrivedAt });
      } catch {
        // Not a content.matched event: counted only.
      }
      res.statusCode = 204;
      res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    count: () => received,
    take: () => {
      const out = arrivals;
      arrivals = [];
      return out;
    },
    close: () => server.close(),
  };
}

/** user + system CPU seconds of a process (all its threads) so far, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime), counted from the state (field 3) here.
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/** user + system CPU seconds of each thread of a process so far, by thread id (with its name), from /proc. */
function threadCpuSeconds(pid: number): Map<number, { name: string; seconds: number }> {
  const out = new Map<number, { name: string; seconds: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      out.set(Number(tid), { name, seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

function quantiles(values: number[]): { p50: number; p99: number; max: number; count: number } {
  if (values.length === 0) return { p50: NaN, p99: NaN, max: NaN, count: 0 };
  const v = Float64Array.from(values).sort();
  const at = (q: number) => v[Math.min(v.length - 1, Math.floor(q * v.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: v[v.length - 1]!, count: v.length };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Offers `RATE` items a second in batches of `BATCH` for `SECONDS` (after a warm-up of a few
 * seconds at the same rate, not counted), on a fixed schedule: a batch is sent when it is due,
 * whether or not the earlier ones were answered.
 */
async function openLoop(port: number, key: string, receiver: Receiver, pid: number, RATE: number): Promise<void> {
  const warmS = Math.min(3, SECONDS);
  const batches = Math.round(((warmS + SECONDS) * RATE) / BATCH);
  const warmBatches = Math.round((warmS * RATE) / BATCH);
  const intervalMs = (BATCH / RATE) * 1000;
  const run = `o${Date.now().toString(36)}`;
  const nOf = (contentId: string) => Number(contentId.slice(contentId.lastIndexOf("-") + 1));
  receiver.take();
  const firstId = (watcher!.prepare("select coalesce(max(id), 0) as id from content_items").get() as { id: number }).id;
  const matchedSoFar = watcher!.prepare(
    "select count(*) as n from content_items where id > ? and content_id >= ? and content_id < ? and matched_at is not null",
  );
  const acceptedSoFar = watcher!.prepare(
    "select count(*) as n from content_items where id > ? and content_id >= ? and content_id < ?",
  );
  const windowFrom = `${run}-${String(warmBatches * BATCH).padStart(9, "0")}`;
  const windowTo = `${run}.`;
  const countMatched = () => (matchedSoFar.get(firstId, windowFrom, windowTo) as { n: number }).n;
  const body = (b: number): Buffer =>
    Buffer.from(
      JSON.stringify({
        items: Array.from({ length: BATCH }, (_, j) => {
          const n = b * BATCH + j;
          const item = JSON.parse(textItem(n).toString()) as Record<string, string>;
          return { ...item, content_id: `${run}-${String(n).padStart(9, "0")}`, idempotency_key: `${run}-${n}` };
        }),
      }),
    );
  const due: number[] = [];
  const answerMs: number[] = [];
  let inflight = 0;
  let maxInflight = 0;
  let errors = 0;
  let late = 0;
  let resets = 0;
  const pending: Promise<void>[] = [];
  const acceptedBatches: number[] = [];
  const start = performance.timeOrigin + performance.now() + 50;
  let windowStart = 0;
  let cpuStart = 0;
  let genCpuStart = process.cpuUsage();
  let next = body(0);
  let lastSent = 0;
  const cpuRunStart = cpuSeconds(pid);
  const threadsRunStart = threadCpuSeconds(pid);
  for (let b = 0; b < batches; b++) {
    const at = start + b * intervalMs;
    due.push(at);
    if (b === warmBatches) {
      windowStart = at;
      cpuStart = cpuSeconds(pid);
      genCpuStart = process.cpuUsage();
    }
    const wait = at - (performance.timeOrigin + performance.now());
    if (wait > 0) await sleep(wait);
    else if (wait < -intervalMs) late++;
    const sent = next;
    inflight++;
    maxInflight = Math.max(maxInflight, inflight);
    pending.push(
      // A keep-alive socket the server closed as this batch went out is reset: sent again
      // (the same idempotency keys, so nothing is accepted twice).
      post(port, key, sent, { "content-type": "application/json" }, "/v1/content/batch")
        .catch((e: unknown) => {
          if ((e as { code?: string }).code !== "ECONNRESET") throw e;
          resets++;
          return post(port, key, sent, { "content-type": "application/json" }, "/v1/content/batch");
        })
        .then((r) => {
          if (r.status === 202) acceptedBatches.push(b);
          if (r.status !== 202) {
            errors++;
            if (errors <= 3) note(`batch answered HTTP ${r.status}: ${r.body.slice(0, 200)}`);
          }
          answerMs.push(performance.timeOrigin + performance.now() - at);
        })
        .catch((e: unknown) => {
          errors++;
          if (errors <= 3) note(`batch failed: ${String(e)}`);
        })
        .finally(() => inflight--),
    );
    lastSent = performance.timeOrigin + performance.now();
    if (b + 1 < batches) next = body(b + 1); // built ahead, outside the timed send
  }
  const windowEnd = start + batches * intervalMs;
  const endWait = windowEnd - (performance.timeOrigin + performance.now());
  if (endWait > 0) await sleep(endWait);
  const cpuEnd = cpuSeconds(pid);
  const genCpu = process.cpuUsage(genCpuStart);
  const load = loadavg();
  const windowItems = (batches - warmBatches) * BATCH;
  const matchedAtEnd = countMatched();
  const acceptedAtEnd = (acceptedSoFar.get(firstId, windowFrom, windowTo) as { n: number }).n;
  // Drain: every accepted item matched, and every matching item's webhook received.
  const drainFrom = performance.now();
  await Promise.all(pending);
  const inWindow = acceptedBatches.filter((b) => b >= warmBatches).length * BATCH;
  const expectedHooks = acceptedBatches.length * (BATCH / 10); // BATCH is a multiple of 10
  const arrivals: Arrival[] = [];
  for (;;) {
    arrivals.push(...receiver.take());
    if (countMatched() >= inWindow && arrivals.length >= expectedHooks) break;
    if (performance.now() - drainFrom > DRAIN_S * 1000) {
      note(`drain: gave up after ${DRAIN_S} s (${arrivals.length}/${expectedHooks} webhooks)`);
      break;
    }
    await sleep(200);
  }
  const drainS = (performance.now() - drainFrom) / 1000;
  const cpuDrained = cpuSeconds(pid);
  const threadsDrained = threadCpuSeconds(pid);
  // Every item of the run (warm-up included) matched by now: what the CPU since the first batch paid for.
  const matchedAll = (matchedSoFar.get(firstId, `${run}-`, windowTo) as { n: number }).n;
  const acceptedAll = (acceptedSoFar.get(firstId, `${run}-`, windowTo) as { n: number }).n;
  const counted = arrivals.filter((a) => nOf(a.contentId) >= warmBatches * BATCH);
  const receiveToHook = quantiles(counted.map((a) => a.arrivedAt - a.receivedAt));
  const dueToHook = quantiles(counted.map((a) => a.arrivedAt - due[Math.floor(nOf(a.contentId) / BATCH)]!));
  const times = watcher!
    .prepare(
      "select received_at as r, matched_at as m from content_items where id > ? and content_id >= ? and content_id < ? and matched_at is not null",
    )
    .all(firstId, windowFrom, windowTo) as { r: number; m: number }[];
  const matched = quantiles(times.map((t) => t.m - t.r));
  const answers = quantiles(answerMs.slice(warmBatches));
  const base = {
    bench: "service",
    case: `open-loop-${RATE}-batch-${BATCH}`,
    impl: "rasd",
    seconds: SECONDS,
    load1: Math.round(load[0]! * 100) / 100,
    cores: cpus().length,
  };
  const seconds = (windowEnd - windowStart) / 1000;
  emit({ ...base, metric: "offered_per_s", value: windowItems / seconds });
  // What actually went out: the generator keeping its schedule (it is not the bottleneck when this is the offered rate).
  emit({ ...base, metric: "sent_per_s", value: windowItems / ((lastSent + intervalMs - windowStart) / 1000) });
  emit({ ...base, metric: "accepted_per_s", value: acceptedAtEnd / seconds });
  emit({ ...base, metric: "matched_per_s", value: matchedAtEnd / seconds });
  emit({ ...base, metric: "backlog_items_at_end", value: acceptedAtEnd - matchedAtEnd });
  emit({ ...base, metric: "failed_batches", value: errors });
  emit({ ...base, metric: "drain_s", value: drainS });
  emit({ ...base, metric: "receive_to_webhook_p50_ms", value: receiveToHook.p50, webhooks: receiveToHook.count });
  emit({ ...base, metric: "receive_to_webhook_p99_ms", value: receiveToHook.p99, webhooks: receiveToHook.count });
  emit({ ...base, metric: "receive_to_webhook_max_ms", value: receiveToHook.max, webhooks: receiveToHook.count });
  emit({ ...base, metric: "scheduled_to_webhook_p99_ms", value: dueToHook.p99 });
  emit({ ...base, metric: "scheduled_to_webhook_max_ms", value: dueToHook.max });
  emit({ ...base, metric: "receive_to_matched_p50_ms", value: matched.p50, items: matched.count });
  emit({ ...base, metric: "receive_to_matched_p99_ms", value: matched.p99, items: matched.count });
  emit({ ...base, metric: "batch_answer_p99_ms", value: answers.p99 });
  emit({
    ...base,
    metric: "server_cpu_us_per_item",
    value: ((cpuDrained - cpuRunStart) / matchedAll) * 1e6,
    items: matchedAll,
  });
  // The same split by thread: the HTTP thread (the process's first, its id the pid), the
  // busiest other threads (the pipeline thread; libuv's and V8's helpers), the rest together.
  const perThread = [...threadsDrained]
    .map(([tid, t]) => ({
      tid,
      name: tid === pid ? "http (main)" : t.name,
      seconds: t.seconds - (threadsRunStart.get(tid)?.seconds ?? 0),
    }))
    .sort((a, b) => b.seconds - a.seconds);
  const named = [perThread.find((t) => t.tid === pid)!, ...perThread.filter((t) => t.tid !== pid).slice(0, 2)];
  const rest = perThread.filter((t) => !named.includes(t)).reduce((a, t) => a + t.seconds, 0);
  // The HTTP thread's per item accepted, the others' per item matched: steady even when the
  // backlog did not drain (an overloaded run, a loaded machine).
  for (const [i, t] of named.entries())
    emit({
      ...base,
      metric: `server_cpu_us_per_item_thread${i}`,
      value: (t.seconds / (i === 0 ? acceptedAll : matchedAll)) * 1e6,
      thread: `${t.name} ${t.tid}`,
      per: i === 0 ? "accepted" : "matched",
      items: i === 0 ? acceptedAll : matchedAll,
    });
  emit({ ...base, metric: "server_cpu_us_per_item_other_threads", value: (rest / matchedAll) * 1e6 });
  emit({ ...base, metric: "server_cpu_cores", value: (cpuEnd - cpuStart) / seconds });
  emit({ ...base, metric: "bench_cpu_cores", value: (genCpu.user + genCpu.system) / 1e6 / seconds });
  note(
    `open loop: ${windowItems} items at ${RATE}/s in batches of ${BATCH} (${warmBatches * BATCH} warm-up first), ` +
      `${errors} failed batches, ${resets} sent again after a reset, ${late} sent late, up to ${maxInflight} in flight; ${counted.length} webhooks counted; ` +
      `load ${load.map((l) => l.toFixed(2)).join(" ")}`,
  );
}

await main();
