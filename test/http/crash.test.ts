/**
 * Nothing accepted is lost: a real `rasd serve` process is SIGKILLed while it accepts and
 * processes thousands of submissions, then started again on the same data folder. Every
 * item that got a 202 is processed and its webhook delivered; a receiver may see an action
 * more than once only under the same delivery id.
 */

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { closeServices, openServices } from "../../src/server/services.js";
import { startReceiver, type Receiver } from "../support/receiver.js";

const TEXT = "Join the ranks of the caliphate now, migration is an obligation for every believer who is able";
const ROOT = new URL("../..", import.meta.url).pathname;

function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [join(ROOT, "dist/cli/main.js"), "serve", "--data", dataDir, "--port", String(port)],
    {
      env: { ...process.env, RASD_WEBHOOK_ALLOW_PRIVATE: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes("workers running")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

let dir: string;
let hook: Receiver;
let key: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "rasd-crash-"));
  hook = await startReceiver();
  const s = await openServices(loadConfig({ data: dir }), { defaultMetrics: false });
  const org = await s.banks.createOrg("Platform", "platform");
  key = (await s.access.createKey(org, "admin", "ops")).token;
  const bank = await s.banks.createBank({ orgId: org.id, name: "isis", tlp: "GREEN" });
  await s.banks.addSignals(bank.id, [{ line: 1, raw: { type: "text", value: TEXT } }]);
  await s.rules.create(org.id, {
    name: "notify",
    conditions: {},
    actions: [{ type: "webhook", url: hook.url, secret: "whsec_" + Buffer.alloc(24, 7).toString("base64") }],
  });
  await closeServices(s);
});

after(async () => {
  await hook.close();
  rmSync(dir, { recursive: true, force: true });
});

test("SIGKILL during thousands of submissions: every 202 is processed and delivered, duplicates only under one delivery id", async () => {
  // Below the ephemeral range (32768+), so no outgoing connection can hold it.
  const port = 20_000 + Math.floor(Math.random() * 12_000);
  const base = `http://127.0.0.1:${port}`;
  let server = await startServer(dir, port);
  const accepted = new Set<number>();
  let sent = 0;
  let killed = false;
  const sender = async (): Promise<void> => {
    while (!killed && sent < 4000) {
      const n = ++sent;
      try {
        const r = await fetch(`${base}/v1/content`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${key}`,
            "content-type": "application/json",
            "idempotency-key": `crash-${n}`,
          },
          body: JSON.stringify({ text: `${TEXT} #${n}`, content_id: `c-${n}` }),
        });
        if (r.status === 202) accepted.add(((await r.json()) as { id: number }).id);
      } catch {
        // The server is gone: requests without a 202 were never promised.
      }
    }
  };
  const senders = Array.from({ length: 32 }, () => sender());
  // Kill it once it has acknowledged a good share and is busy delivering.
  while (accepted.size < 1500 || hook.received.length < 200) await new Promise((r) => setTimeout(r, 5));
  server.kill("SIGKILL");
  killed = true;
  await new Promise((r) => server.once("exit", r));
  await Promise.all(senders);
  const acceptedBeforeRestart = accepted.size;
  const deliveredBeforeRestart = hook.received.length;
  assert.ok(acceptedBeforeRestart >= 1500);

  server = await startServer(dir, port);
  try {
    const headers = { authorization: `Bearer ${key}` };
    // Wait until every accepted item is done.
    const until = Date.now() + 120_000;
    for (;;) {
      const stats = (await (await fetch(`${base}/v1/stats/time-to-action?limit=1000000`, { headers })).json()) as {
        items: number;
        acted_ms: { count: number };
      };
      if (stats.acted_ms.count >= stats.items && stats.items >= acceptedBeforeRestart) break;
      if (Date.now() > until) assert.fail(`not all items acted on: ${JSON.stringify(stats)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Every acknowledged item: done, matched, its webhook delivered.
    const deliveryIds = new Map<number, string>();
    for (const id of accepted) {
      const item = (await (await fetch(`${base}/v1/content/${id}`, { headers })).json()) as {
        status: string;
        matches: unknown[];
        actions: { type: string; status: string; delivery_id: string }[];
      };
      assert.equal(item.status, "done", `item ${id}: ${JSON.stringify(item)}`);
      assert.equal(item.matches.length, 1, `item ${id}`);
      assert.equal(item.actions.length, 1, `item ${id} has one action, not ${item.actions.length}`);
      assert.equal(item.actions[0]!.status, "delivered");
      deliveryIds.set(id, item.actions[0]!.delivery_id);
    }
    // The receiver saw each action at least once; repeats carry the same delivery id.
    const seen = new Map<string, number>();
    for (const r of hook.received) {
      const idHeader = String(r.headers["webhook-id"]);
      seen.set(idHeader, (seen.get(idHeader) ?? 0) + 1);
    }
    for (const [item, id] of deliveryIds) assert.ok(seen.has(id), `item ${item}: delivery ${id} never arrived`);
    const repeats = [...seen.values()].filter((n) => n > 1).length;
    // Each body names its item: a repeat is the same action (same id, same item), never a new one.
    for (const r of hook.received) {
      const body = JSON.parse(r.body) as { data: { item: { id: number } } };
      assert.equal(
        deliveryIds.get(body.data.item.id) ?? String(r.headers["webhook-id"]),
        String(r.headers["webhook-id"]),
      );
    }
    process.stderr.write(
      `crash test: sent ${sent}, acknowledged ${acceptedBeforeRestart}, delivered before the kill ${deliveredBeforeRestart}, ` +
        `deliveries in all ${hook.received.length}, distinct ${seen.size}, repeated ${repeats}\n`,
    );
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
});
