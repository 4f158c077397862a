/**
 * npm run bench -- service [--items N] [--steady-seconds S]
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
 */

import { Agent, request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import sharp from "sharp";
import { loadConfig } from "../dist/config/config.js";
import { closeServices, openServices } from "../dist/server/services.js";
import { countingReceiver, emit, note, startRasd, stopAll } from "./_util.js";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ITEMS = arg("items", 30_000);
const STEADY_S = arg("steady-seconds", 10);
const IMAGES = arg("images", 200);
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
  const receiver = await countingReceiver();
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
  } finally {
    await stopAll([server]);
    receiver.close();
    watcher?.close();
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
