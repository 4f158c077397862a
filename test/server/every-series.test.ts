/**
 * Every process is observable in every mode (issue 21): an API-only process on PostgreSQL
 * and NATS — its pipeline runs in worker processes — still shows the processed, action,
 * webhook and time-to-step series on /metrics (at zero), and its first log line says which
 * database (kind, host, name, user; never the password) and which NATS (URL, prefix) it uses.
 * Real PostgreSQL and NATS; skips, saying so, when either is unreachable (unless RASD_REQUIRE_*=1).
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logging/logger.js";
import { backends, serve } from "../../src/server/serve.js";
import { postgresDatabase, postgresSkip } from "../support/databases.js";
import { NATS_URL, deleteStreams, natsSkip } from "../support/nats.js";

const skip = (await postgresSkip()) || (await natsSkip());

test("an API-only process on PostgreSQL and NATS has every series and logs what it uses", { skip }, async () => {
  const db = await postgresDatabase();
  const dir = mkdtempSync(join(tmpdir(), "rasd-series-"));
  const prefix = `series${process.pid}`;
  // trust authentication: the password is never asked for, but must never be logged either.
  const url = db.url.replace("postgres://postgres@", "postgres://postgres:s3cr3t-pw@");
  const name = new URL(db.url).pathname.slice(1);
  const config = loadConfig({ db: url, data: dir, port: 0 }, { RASD_NATS_URL: NATS_URL, RASD_NATS_PREFIX: prefix });
  const lines: string[] = [];
  const logger = createLogger({ level: "info", destination: { write: (line: string) => void lines.push(line) } });
  let operatorKey = "";
  const server = await serve(config, {
    workers: false,
    logger,
    before: async (s) => {
      const org = await s.banks.createOrg("Platform", "platform");
      operatorKey = (await s.access.createKey(org, "operator", "scraper")).token;
    },
  });
  try {
    await server.ready;
    const text = await (
      await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${operatorKey}` } })
    ).text();
    for (const series of [
      'rasd_content_processed_total{outcome="matched"} 0',
      'rasd_content_processed_total{outcome="no_match"} 0',
      'rasd_content_processed_total{outcome="failed"} 0',
      'rasd_actions_total{type="webhook",status="pending"} 0',
      'rasd_actions_total{type="webhook",status="delivered"} 0',
      'rasd_actions_total{type="review",status="done"} 0',
      'rasd_actions_total{type="decision",status="done"} 0',
      'rasd_webhook_attempts_total{result="delivered"} 0',
      'rasd_webhook_attempts_total{result="retry"} 0',
      'rasd_webhook_attempts_total{result="dead"} 0',
      'rasd_time_to_step_seconds_count{step="hashed"} 0',
      'rasd_time_to_step_seconds_count{step="matched"} 0',
      'rasd_time_to_step_seconds_count{step="classified"} 0',
      'rasd_time_to_step_seconds_count{step="acted"} 0',
      'rasd_time_to_step_seconds_bucket{le="1",step="acted"} 0',
    ])
      assert.ok(text.split("\n").includes(series), `/metrics lacks ${series}`);
    assert.match(text, /^rasd_nats_connected\{connection="signal bus"\} 1$/m);

    const log = lines.join("");
    assert.ok(!log.includes("s3cr3t-pw"), "the database password reached the log");
    const using = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => /^using /.test(String(l.msg)));
    assert.ok(using, `no "using ..." line in ${log.slice(0, 2000)}`);
    assert.deepEqual(using.database, { kind: "postgresql", host: "127.0.0.1", port: "5432", name, user: "postgres" });
    assert.deepEqual(using.nats, { url: NATS_URL, prefix });
    assert.equal(
      using.msg,
      `using PostgreSQL database ${name} on 127.0.0.1:5432 as postgres and NATS at ${NATS_URL} (prefix ${prefix})`,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
    await deleteStreams(`${prefix.toUpperCase()}_WORK`, `${prefix.toUpperCase()}_SIGNALS`);
  }
});

test("the log names SQLite's file, and NATS without its credentials", () => {
  const sqlite = backends(loadConfig({ db: "sqlite:/var/lib/rasd/rasd.db" }, {}));
  assert.deepEqual(sqlite.database, { kind: "sqlite", file: "/var/lib/rasd/rasd.db" });
  assert.equal(sqlite.nats, "off");
  assert.equal(sqlite.summary, "SQLite database /var/lib/rasd/rasd.db and no NATS");
  const withCredentials = backends(
    loadConfig({ db: "postgresql://rasd:hunter2@db.internal/rasd" }, { RASD_NATS_URL: "nats://svc:natspw@nats:4222" }),
  );
  assert.deepEqual(withCredentials.database, {
    kind: "postgresql",
    host: "db.internal",
    port: "5432",
    name: "rasd",
    user: "rasd",
  });
  assert.ok(!JSON.stringify(withCredentials).includes("hunter2"));
  assert.ok(!JSON.stringify(withCredentials).includes("natspw"));
  assert.match(
    withCredentials.summary,
    /^PostgreSQL database rasd on db\.internal:5432 as rasd and NATS at nats:\/\/svc:/,
  );
});
