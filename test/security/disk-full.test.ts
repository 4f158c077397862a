/**
 * A full disk (issue 15, item 11): writes answer 507 `storage.full` with a reason, reads still
 * work, and the log says it once, not once per refused request. The database is made "full"
 * with SQLite's own limit (PRAGMA max_page_count), which fails writes with a real SQLITE_FULL
 * from the engine, the error a full file system gives it too.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { buildApp } from "../../src/http/app.js";
import { diskFullError, isDiskFull } from "../../src/core/disk-full.js";
import { createLogger } from "../../src/logging/logger.js";
import { startTestService } from "../support/service.js";
import { rawDb } from "../support/raw-db.js";

test("SQLITE_FULL, ENOSPC and PostgreSQL's 53100 are all a full disk, through causes too", () => {
  assert.ok(isDiskFull(Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" })));
  assert.ok(isDiskFull(Object.assign(new Error("no space left on device"), { code: "ENOSPC" })));
  assert.ok(isDiskFull(Object.assign(new Error("could not extend file"), { code: "53100" })));
  assert.ok(isDiskFull(new Error("wrapped", { cause: Object.assign(new Error("x"), { code: "ENOSPC" }) })));
  assert.ok(isDiskFull(diskFullError(undefined)));
  assert.ok(!isDiskFull(Object.assign(new Error("busy"), { code: "SQLITE_BUSY" })));
  assert.ok(!isDiskFull(undefined));
});

test("a full database: writes get 507 storage.full, reads work, and the log has one line", async () => {
  const t = await startTestService({ workers: false });
  const lines: string[] = [];
  const logger = createLogger({ level: "info", destination: { write: (l: string) => void lines.push(l) } });
  const app = await buildApp({ access: t.s.access, routes: t.routes, rateLimit: 1_000_000, logger });
  try {
    const db = rawDb(t.s);
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(db);
    await sql.raw(`pragma max_page_count = ${rows[0]!.page_count}`).execute(db);
    const statuses: number[] = [];
    let refusal: { code: string; message: string } | undefined;
    for (let i = 0; i < 150; i++) {
      const r = await app.inject({
        method: "POST",
        url: "/v1/banks",
        headers: { authorization: `Bearer ${t.keys.a.curator}` },
        payload: { name: `full-${i}`, description: "x".repeat(2000) },
      });
      statuses.push(r.statusCode);
      if (r.statusCode === 507) refusal = (r.json() as { error: { code: string; message: string } }).error;
    }
    const full = statuses.filter((s) => s === 507).length;
    assert.ok(full >= 100, `expected the database to fill: ${JSON.stringify(statuses)}`);
    assert.deepEqual([...new Set(statuses)].sort(), full === statuses.length ? [507] : [201, 507]);
    assert.equal(refusal?.code, "storage.full");
    assert.match(refusal?.message ?? "", /disk is full/);
    const read = await app.inject({
      method: "GET",
      url: "/v1/banks",
      headers: { authorization: `Bearer ${t.keys.a.curator}` },
    });
    assert.equal(read.statusCode, 200, "reads still work");
    const errors = lines
      .map((l) => JSON.parse(l) as { level: string; msg?: string })
      .filter((l) => l.level === "error");
    assert.equal(errors.length, 1, `one error line for ${full} refusals: ${errors.map((e) => e.msg).join(" | ")}`);
    assert.match(errors[0]!.msg ?? "", /disk .* is full/);
  } finally {
    await app.close();
    await t.close();
  }
});
