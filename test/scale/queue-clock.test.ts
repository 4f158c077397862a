/**
 * Leases do not depend on the workers' clocks (issue 21, item 8): `lease_until` and `run_at`
 * are written and compared with the database's clock. A worker whose clock is an hour ahead
 * neither takes a job another worker holds nor queues work an hour late; one an hour behind
 * does not see its own jobs as not yet due. On PostgreSQL (where workers on many hosts meet)
 * and SQLite.
 */

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { openStores } from "../../src/storage/open.js";
import type { Stores } from "../../src/storage/ports/index.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";

const HOUR = 3600_000;
const realNow = Date.now;

/** Runs `fn` as if on a host whose clock is `skewMs` off. */
async function skewed<T>(skewMs: number, fn: () => Promise<T>): Promise<T> {
  Date.now = () => realNow() + skewMs;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

for (const dialect of ["postgres", "sqlite"] as const) {
  const skip = dialect === "postgres" ? await postgresSkip() : false;
  describe(`job leases on ${dialect} follow the database's clock`, { skip }, () => {
    let db: TestDatabase;
    let s: Stores;
    after(async () => {
      await s?.close();
      await db?.drop();
    });

    it("a worker an hour ahead neither steals a held job nor queues late; one behind is not early or late", async () => {
      db = dialect === "postgres" ? await postgresDatabase() : sqliteDatabase();
      s = await openStores(db.url);
      await s.jobs.enqueue("content", [1, 2]);
      const held = await s.jobs.lease({ kind: "content", owner: "a", limit: 1, leaseMs: 60_000 });
      assert.equal(held.length, 1);
      // Host B's clock is an hour ahead: A's 60 s lease has not run out for the database.
      assert.equal(await skewed(HOUR, () => s.jobs.reclaim("content")), 0, "nothing reclaimed");
      const b = await skewed(HOUR, () => s.jobs.lease({ kind: "content", owner: "b", limit: 10, leaseMs: 60_000 }));
      assert.deepEqual(
        b.map((j) => j.refId),
        [2],
        "only the free job",
      );
      // Queued from a host an hour ahead: due now, not in an hour.
      await skewed(HOUR, () => s.jobs.enqueue("content", [3]));
      // Queued from a host an hour behind with a retry in 50 ms: due in 50 ms, not at once.
      await skewed(-HOUR, () => s.jobs.enqueue("content", [4], Date.now() + 50));
      const now = await s.jobs.lease({ kind: "content", owner: "c", limit: 10, leaseMs: 60_000 });
      assert.deepEqual(
        now.map((j) => j.refId),
        [3],
      );
      await new Promise((r) => setTimeout(r, 80));
      const later = await skewed(-HOUR, () =>
        s.jobs.lease({ kind: "content", owner: "c", limit: 10, leaseMs: 60_000 }),
      );
      assert.deepEqual(
        later.map((j) => j.refId),
        [4],
      );
      // A short lease runs out by the database's clock, whatever the reclaiming host thinks.
      const short = await s.jobs.lease({ kind: "content", owner: "d", limit: 1, leaseMs: 1 });
      await s.jobs.enqueue("content", [5]);
      const [five] = await s.jobs.lease({ kind: "content", owner: "d", limit: 1, leaseMs: 40 });
      assert.equal(short.length, 0);
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(await skewed(-HOUR, () => s.jobs.reclaim("content")), 1, "the expired lease is reclaimed");
      const again = await s.jobs.lease({ kind: "content", owner: "e", limit: 1, leaseMs: 60_000 });
      assert.equal(again[0]?.id, five!.id);
      assert.equal(again[0]?.attempts, 2);
    });
  });
}
