/**
 * npm run bench -- scale [--items N]
 *
 * rasd as several processes on PostgreSQL and NATS JetStream (both on this machine): one
 * `rasd serve --roles api` and one, then two, `rasd worker` processes. Figures:
 *
 * - end-to-end items/s (text and URL items through POST /v1/content/batch, 10% matching a
 *   bank and firing a signed webhook to a receiver here) with one and with two workers;
 * - index propagation: from sending a signal write to the API (POST /v1/banks/{id}/signals)
 *   to a match in another process's indexes (a matcher here, following the JetStream
 *   notices, its own polling off): p50 and p99.
 *
 * This is a 2-core machine: the API, the workers, PostgreSQL, NATS and this load generator
 * share the same cores, so a second worker shows what coordination costs, not more capacity.
 */

import type { ChildProcess } from "node:child_process";
import pg from "pg";
import { loadConfig } from "../dist/config/config.js";
import { closeServices, openServices, startWorkers } from "../dist/server/services.js";
import { countingReceiver, emit, note, startRasd, stopAll } from "./_util.js";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ITEMS = arg("items", 20_000);
const PG_ADMIN = process.env.RASD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const NATS_URL = process.env.RASD_TEST_NATS_URL ?? "nats://127.0.0.1:4222";
const PREFIX = `rasdbench${process.pid}`;
const BANNED = "Join the ranks of the caliphate now, migration is an obligation for every believer who is able";

function item(run: string, i: number): Record<string, string> {
  const match = i % 10 === 0;
  return i % 2 === 0
    ? { idempotency_key: `${run}-${i}`, text: match ? `${BANNED} #${i}` : `Ordinary post ${i} about football in Mosul` }
    : { idempotency_key: `${run}-${i}`, url: match ? `https://justpaste.it/r-${i}` : `https://news.example.org/${i}` };
}

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
  try {
    for (const n of [1, 2]) {
      while (workers.length < n)
        workers.push(await startRasd(["worker", "--db", dbUrl, "--metrics-port", "0"], "workers running", env));
      const run = `w${n}`;
      const deliveredBefore = receiver.count();
      const t0 = performance.now();
      const batches = Array.from({ length: Math.ceil(ITEMS / 500) }, (_, b) => b);
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < batches.length) {
            const b = batches[next++]!;
            const items = Array.from({ length: 500 }, (_, j) => item(run, b * 500 + j));
            const r = await fetch(`${base}/v1/content/batch`, {
              method: "POST",
              headers,
              body: JSON.stringify({ items }),
            });
            if (r.status !== 202) throw new Error(`HTTP ${r.status}: ${await r.text()}`);
          }
        }),
      );
      const total = batches.length * 500;
      const matching = Math.ceil(total / 10);
      const done = new pg.Client({ connectionString: dbUrl });
      await done.connect();
      for (;;) {
        const c = await done.query<{ n: string }>(
          "select count(*) as n from content_items where idempotency_key like $1 and matched_at is not null",
          [`${run}-%`],
        );
        if (Number(c.rows[0]!.n) >= total && receiver.count() - deliveredBefore >= matching) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await done.end();
      const seconds = (performance.now() - t0) / 1000;
      emit({
        bench: "scale",
        case: `${n}-worker${n > 1 ? "s" : ""}`,
        impl: "rasd",
        metric: "processed_per_s",
        value: total / seconds,
        items: total,
      });
    }

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
