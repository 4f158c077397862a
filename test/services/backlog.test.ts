/** The backlog guard: counts at most every refreshMs, refuses over the limit, 0 = off. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { isRasdError } from "../../src/core/errors.js";
import { BacklogGuard, pendingContent } from "../../src/services/backlog.js";

test("refuses with busy.backlog over the limit, naming depth and limit; counts at most every refreshMs", async () => {
  let depth = 5;
  let counted = 0;
  const guard = new BacklogGuard(
    () => {
      counted++;
      return Promise.resolve(depth);
    },
    5,
    60_000,
  );
  await guard.check(); // 5 is not over 5
  depth = 6;
  await guard.check(); // still the cached 5
  assert.equal(counted, 1);
  const fresh = new BacklogGuard(() => Promise.resolve(depth), 5, 0);
  await assert.rejects(fresh.check(), (e: unknown) => {
    assert.ok(isRasdError(e));
    assert.equal(e.code, "busy.backlog");
    assert.match(e.message, /^6 items are waiting to be processed, over the limit of 5 \(RASD_MAX_BACKLOG\)/);
    return true;
  });
});

test("concurrent checks share one count; limit 0 never counts", async () => {
  let counted = 0;
  const guard = new BacklogGuard(async () => {
    counted++;
    await new Promise((r) => setTimeout(r, 20));
    return 1;
  }, 10);
  await Promise.all([guard.check(), guard.check(), guard.check()]);
  assert.equal(counted, 1);
  const off = new BacklogGuard(() => Promise.reject(new Error("must not count")), 0);
  await off.check();
});

test("pending content is queued plus running content jobs, not webhooks or dead ones", () => {
  assert.equal(
    pendingContent({ "content.queued": 3, "content.running": 2, "content.dead": 9, "webhook.queued": 7 }),
    5,
  );
});

test("a slow count is not repeated until twenty times its duration has passed", async () => {
  let counted = 0;
  const guard = new BacklogGuard(
    async () => {
      counted++;
      await new Promise((r) => setTimeout(r, 30));
      return 1;
    },
    10,
    0,
  );
  await guard.check();
  await guard.check(); // refreshMs 0, but the last count took 30 ms: the next waits 600 ms
  assert.equal(counted, 1);
  const quick = new BacklogGuard(
    () => {
      counted++;
      return Promise.resolve(1);
    },
    10,
    0,
  );
  await quick.check();
  await new Promise((r) => setTimeout(r, 60));
  await quick.check(); // a count of well under a millisecond: counted again after refreshMs
  assert.equal(counted, 3);
});
