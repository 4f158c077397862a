/**
 * Backpressure end to end: with more content jobs pending than RASD_MAX_BACKLOG, POST
 * /v1/content and /v1/content/batch answer 503 busy.backlog with Retry-After; once the
 * workers drain the backlog, submissions are accepted again. On SQLite and PostgreSQL.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { json, startTestService } from "../support/service.js";

const skipPostgres = await postgresSkip();

async function backpressure(db: TestDatabase): Promise<void> {
  const t = await startTestService({ db, workers: false, env: { RASD_MAX_BACKLOG: "3" } });
  try {
    const key = t.keys.a.submitter;
    const items = [1, 2, 3, 4].map((i) => ({ idempotency_key: `k${i}`, text: `item ${i}` }));
    // Counted 0 pending: the whole batch is accepted (a burst may overshoot by one count's worth).
    const first = await t.call(key, { method: "POST", url: "/v1/content/batch", payload: { items } });
    assert.equal(first.statusCode, 202, first.body);
    // Past the time the count is kept (250 ms, longer when counting was slow on a busy machine).
    const pastCount = async () => {
      while (Date.now() <= t.s.backlog.nextCountAt) await new Promise((r) => setTimeout(r, 50));
    };
    await pastCount();
    const one = await t.call(key, {
      method: "POST",
      url: "/v1/content",
      headers: { "idempotency-key": "k5" },
      payload: { text: "item 5" },
    });
    assert.equal(one.statusCode, 503, one.body);
    assert.equal(one.headers["retry-after"], "2");
    const error = json<{ error: { code: string; message: string } }>(one).error;
    assert.equal(error.code, "busy.backlog");
    assert.match(error.message, /^4 items are waiting to be processed, over the limit of 3/);
    const batch = await t.call(key, {
      method: "POST",
      url: "/v1/content/batch",
      payload: { items: [{ idempotency_key: "k6", text: "item 6" }] },
    });
    assert.equal(batch.statusCode, 503, batch.body);
    assert.equal(json<{ error: { code: string } }>(batch).error.code, "busy.backlog");
    // Nothing refused was stored.
    assert.deepEqual(await t.s.jobs.counts(), { "content.queued": 4 });
    // The workers drain the backlog; submissions are taken again.
    t.s.pipeline.start();
    await t.drain();
    await pastCount();
    const again = await t.call(key, {
      method: "POST",
      url: "/v1/content",
      headers: { "idempotency-key": "k5" },
      payload: { text: "item 5" },
    });
    assert.equal(again.statusCode, 202, again.body);
  } finally {
    await t.close();
    await db.drop();
  }
}

describe("backpressure", () => {
  test("SQLite", () => backpressure(sqliteDatabase()));
  test("PostgreSQL", { skip: skipPostgres }, async () => backpressure(await postgresDatabase()));
});
