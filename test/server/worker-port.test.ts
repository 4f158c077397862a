/**
 * A real `rasd worker` process on its own port: refuses (with --no-migrate) a database
 * `rasd migrate` has not prepared, then, once migrated, answers /status/live and
 * /status/ready, and its /metrics shows the pipeline series for items it processed.
 * Runs bin/rasd from dist/ (npm run build).
 */

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sqliteDatabase } from "../support/databases.js";
import { freePort } from "../support/nats-server.js";
import { startTestService, type TestService } from "../support/service.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RASD = join(ROOT, "bin/rasd");
const db = sqliteDatabase();
const env = { ...process.env, RASD_MIGRATE: "", RASD_WORKER_PORT: "", RASD_NATS_URL: "" };
let t: TestService | undefined;

after(async () => {
  await t?.close();
  await db.drop();
});

test("rasd worker --no-migrate exits naming rasd migrate; after it, serves /status and /metrics", async () => {
  const refused = spawnSync(process.execPath, [RASD, "worker", "--db", db.url, "--no-migrate"], {
    env,
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(refused.status, 1, refused.stderr);
  assert.match(refused.stderr, /has no rasd schema .*run `rasd migrate` with the same database first/);

  const migrated = spawnSync(process.execPath, [RASD, "migrate", "--db", db.url], { env, encoding: "utf8" });
  assert.equal(migrated.status, 0, migrated.stderr);
  assert.match(migrated.stdout, /applied \d+ migration\(s\): 0001-signal-banks/);

  // Items submitted through an API on the same database, processed by the worker process.
  t = await startTestService({ db, workers: false });
  const items = [1, 2].map((i) => ({ idempotency_key: `w${i}`, text: `worker item ${i}` }));
  const r = await t.call(t.keys.a.submitter, { method: "POST", url: "/v1/content/batch", payload: { items } });
  assert.equal(r.statusCode, 202, r.body);

  const port = await freePort();
  const child = spawn(
    process.execPath,
    [RASD, "worker", "--db", db.url, "--no-migrate", "--metrics-port", String(port)],
    { env: { ...env, RASD_LOG_LEVEL: "info" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  try {
    const until = Date.now() + 30_000;
    let ready: Response | undefined;
    while (Date.now() < until && child.exitCode === null) {
      ready = await fetch(`${base}/status/ready`).catch(() => undefined);
      if (ready?.status === 200) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(ready?.status, 200, err.slice(-2000));
    const body = (await ready!.json()) as Record<string, unknown>;
    assert.equal(body.status, "ready");
    assert.equal(body.database, "ok");
    assert.equal(body.nats, "off");
    assert.equal(body.signal_feed, "polling");
    assert.match(err, new RegExp(`/metrics and /status/ready on http://127\\.0\\.0\\.1:${port}`));

    const live = await fetch(`${base}/status/live`);
    assert.equal(live.status, 200);
    assert.deepEqual(await live.json(), { status: "live" });

    await t.drain();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^rasd_content_processed_total\{outcome="no_match"\} 2$/m);
    assert.match(metrics, /^rasd_time_to_step_seconds_count\{step="matched"\} 2$/m);
    assert.match(metrics, /^rasd_index_signals\{type="pdq"\} 0$/m);
    assert.match(metrics, /^rasd_index_sync_age_seconds /m);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  } finally {
    child.kill("SIGTERM");
    await new Promise((res) => child.once("exit", res));
  }
});
