/**
 * Several processes on one PostgreSQL database: an API process and two worker processes
 * (`rasd serve --roles api`, `rasd worker`), first with the database as the only queue, then
 * with NATS JetStream distributing the work and the signal changes. One worker is SIGKILLed
 * mid-run; its jobs run again on the other once their lease (3 s here) or JetStream's ack
 * wait runs out. Every accepted item is processed, its webhook delivered, and repeats carry
 * the same delivery id.
 */

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { closeServices, openServices } from "../../src/server/services.js";
import { postgresDatabase, postgresSkip, type TestDatabase } from "../support/databases.js";
import { NATS_URL, deleteStreams, natsSkip } from "../support/nats.js";
import { startReceiver, type Receiver } from "../support/receiver.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const skip = await postgresSkip();
const PREFIX = `rasdscale${process.pid}`;
const noNats = await natsSkip();
let db: TestDatabase;
let hook: Receiver;
let key = "";
const children: ChildProcess[] = [];

function start(args: string[], ready: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT, "dist/cli/main.js"), ...args], {
    env: { ...process.env, RASD_WEBHOOK_ALLOW_PRIVATE: "1", RASD_LEASE_SECONDS: "3", ...extraEnv },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes(ready)) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`${args[0]} exited with ${code}: ${err}`)));
  });
}

before(async () => {
  if (skip) return;
  db = await postgresDatabase();
  hook = await startReceiver();
  const s = await openServices(loadConfig({ db: db.url }), { defaultMetrics: false });
  const org = await s.banks.createOrg("Platform", "platform");
  key = (await s.access.createKey(org, "admin", "ops")).token;
  const bank = await s.banks.createBank({ orgId: org.id, name: "links", tlp: "GREEN" });
  await s.banks.addSignals(bank.id, [{ line: 1, raw: { type: "domain", value: "justpaste.it" } }]);
  await s.rules.create(org.id, {
    name: "notify",
    conditions: {},
    actions: [{ type: "webhook", url: hook.url, secret: "whsec_" + Buffer.alloc(24, 3).toString("base64") }],
  });
  await closeServices(s);
});

after(async () => {
  if (skip) return;
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await hook.close();
  await db.drop();
  if (!noNats) await deleteStreams(`${PREFIX.toUpperCase()}_WORK`, `${PREFIX.toUpperCase()}_SIGNALS`);
});

async function killOneWorker(label: string, env: NodeJS.ProcessEnv): Promise<void> {
  const runId = `${label}-${Date.now()}`;
  // Below the ephemeral range (32768+), so no outgoing connection can hold it.
  const port = 20_000 + Math.floor(Math.random() * 12_000);
  const base = `http://127.0.0.1:${port}`;
  const api = await start(["serve", "--db", db.url, "--roles", "api", "--port", String(port)], "API only", env);
  const first = await start(["worker", "--db", db.url, "--metrics-port", "0"], "workers running", env);
  const second = await start(["worker", "--db", db.url, "--metrics-port", "0"], "workers running", env);
  const received = hook.received.length;
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };

  const since = new Date(Date.now() - 1000).toISOString();
  const ids: number[] = [];
  for (let b = 0; b < 6; b++) {
    const r = await fetch(`${base}/v1/content/batch`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        items: Array.from({ length: 250 }, (_, i) => ({
          idempotency_key: `${runId}-${b}-${i}`,
          url: `https://justpaste.it/${runId}-${b}-${i}`,
        })),
      }),
    });
    assert.equal(r.status, 202);
    for (const it of ((await r.json()) as { items: { id: number }[] }).items) ids.push(it.id);
  }
  while (hook.received.length < received + 200) await new Promise((r) => setTimeout(r, 5));
  first.kill("SIGKILL");

  const until = Date.now() + 90_000;
  for (;;) {
    const stats = (await (await fetch(`${base}/v1/stats/time-to-action?since=${since}`, { headers })).json()) as {
      items: number;
      acted_ms: { count: number };
    };
    if (stats.acted_ms.count >= ids.length) break;
    if (Date.now() > until) assert.fail(`not all items acted on: ${JSON.stringify(stats)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const expected = new Map<string, number>();
  for (const id of ids) {
    const item = (await (await fetch(`${base}/v1/content/${id}`, { headers })).json()) as {
      status: string;
      actions: { status: string; delivery_id: string }[];
    };
    assert.equal(item.status, "done", `item ${id}`);
    assert.equal(item.actions.length, 1, `item ${id}`);
    assert.equal(item.actions[0]!.status, "delivered");
    expected.set(item.actions[0]!.delivery_id, id);
  }
  const seen = new Map<string, number>();
  for (const r of hook.received.slice(received)) {
    const deliveryId = String(r.headers["webhook-id"]);
    seen.set(deliveryId, (seen.get(deliveryId) ?? 0) + 1);
    const body = JSON.parse(r.body) as { data: { item: { id: number } } };
    assert.equal(expected.get(deliveryId), body.data.item.id, "a repeat carries its own item's delivery id");
  }
  for (const d of expected.keys()) assert.ok(seen.has(d), `delivery ${d} never arrived`);
  for (const c of [api, second]) {
    c.kill("SIGTERM");
    await new Promise((r) => c.once("exit", r));
  }
  process.stderr.write(
    `scale test (${label}): ${ids.length} items, ${hook.received.length - received} deliveries, ${seen.size} distinct, ` +
      `${[...seen.values()].filter((n) => n > 1).length} repeated\n`,
  );
}

test("API and two workers on PostgreSQL: a worker SIGKILLed mid-run loses nothing", { skip }, () =>
  killOneWorker("database", {}),
);

test(
  "API and two workers on PostgreSQL and NATS JetStream: a worker SIGKILLed mid-run loses nothing",
  { skip: skip || noNats },
  () => killOneWorker("jetstream", { RASD_NATS_URL: NATS_URL, RASD_NATS_PREFIX: PREFIX }),
);
