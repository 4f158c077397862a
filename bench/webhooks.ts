/**
 * npm run bench -- webhooks [rounds]      (default 40 rounds of 10 deliveries, 50 ms apart)
 *
 * A healthy receiver's delivery latency (from the action's commit to its arrival at the
 * receiver), alone and beside a hung receiver of another organisation that never answers
 * (each attempt runs into the 10 s timeout; 200 of its deliveries queued first, more added
 * every round). Per-endpoint lanes should leave the healthy figures unchanged. Prints p50,
 * p99 and max in milliseconds, one JSON line each. In-process, SQLite, the webhook worker only.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../dist/config/config.js";
import { closeServices, openServices, type Services } from "../dist/server/services.js";
import { emit, note } from "./_util.js";

const ROUNDS = Number(process.argv[2] ?? 40);
const PER_ROUND = 10;
const GAP_MS = 50;
const HUNG_BACKLOG = 200;

async function listen(handler: (id: string, res: ServerResponse) => void): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(String(req.headers["webhook-id"]), res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

let serial = 0;
/** Commits `n` webhook actions of `orgId`'s rule to `target`; returns their delivery ids. */
async function actions(s: Services, orgId: number, ruleId: number, target: string, n: number): Promise<string[]> {
  const now = Date.now();
  const personId = (await s.stores.access.createPerson(orgId, `bench-${++serial}`, "submitter")).id;
  const accepted = await s.content.accept(
    Array.from({ length: n }, () => {
      const key = `b-${++serial}`;
      return {
        orgId,
        personId,
        idempotencyKey: key,
        requestHash: key,
        kind: "text" as const,
        contentId: key,
        authorId: "author",
        postedAt: null,
        mediaType: null,
        media: null,
        url: null,
        text: key,
        receivedAt: now,
      };
    }),
  );
  const ids = accepted.map((a) => (a as { id: number }).id);
  await s.jobs.complete((await s.jobs.leaseRefs("content", ids, "bench", 60_000)).map((j) => j.id));
  const planned = ids.map((itemId) => ({
    itemId,
    orgId,
    ruleId,
    actionIndex: 0,
    type: "webhook" as const,
    deliveryId: `msg_${itemId}_${ruleId}_0`,
    target,
    payload: `{"item":${itemId}}`,
  }));
  await s.actions.commitResults({ actions: planned, finish: () => [], classifications: [], completedJobs: [], now });
  s.deliverer.wake();
  return planned.map((p) => p.deliveryId);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function run(withHung: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rasd-bench-webhooks-"));
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const healthy = await listen((id, res) => {
    const t0 = sent.get(id);
    if (t0 !== undefined && sent.delete(id)) latencies.push(performance.now() - t0);
    res.statusCode = 204;
    res.end();
  });
  const held = new Set<ServerResponse>();
  const hung = await listen((_id, res) => held.add(res));
  const s = await openServices(loadConfig({ data: dir }, { RASD_WEBHOOK_ALLOW_PRIVATE: "1" }), {
    workers: true,
    defaultMetrics: false,
  });
  try {
    const platform = await s.banks.createOrg("Platform", "platform");
    const ngo = await s.banks.createOrg("NGO", "ngo");
    const secret = "whsec_" + Buffer.alloc(32, 1).toString("base64");
    const rule = async (orgId: number, url: string) =>
      (await s.rules.create(orgId, { name: "hook", conditions: {}, actions: [{ type: "webhook", url, secret }] })).id;
    const healthyRule = await rule(platform.id, healthy.url);
    const hungRule = await rule(ngo.id, hung.url);
    s.deliverer.start();
    if (withHung) await actions(s, ngo.id, hungRule, hung.url, HUNG_BACKLOG);
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      for (const id of await actions(s, platform.id, healthyRule, healthy.url, PER_ROUND)) sent.set(id, t0);
      if (withHung) await actions(s, ngo.id, hungRule, hung.url, 2);
      await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    }
    const until = Date.now() + 60_000;
    while (sent.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    if (sent.size > 0) throw new Error(`${sent.size} healthy deliveries did not arrive in 60 s`);
    const sorted = latencies.sort((a, b) => a - b);
    const name = withHung ? "beside-hung" : "alone";
    note(`${name}: ${sorted.length} healthy deliveries; the hung receiver holds ${held.size} requests`);
    for (const [metric, value] of [
      ["p50_ms", percentile(sorted, 50)],
      ["p99_ms", percentile(sorted, 99)],
      ["max_ms", sorted[sorted.length - 1]!],
    ] as const)
      emit({ bench: "webhooks", case: name, impl: "rasd", metric, value });
  } finally {
    for (const res of held) res.destroy();
    hung.close();
    await closeServices(s);
    healthy.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await run(false);
await run(true);
