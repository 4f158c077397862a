/**
 * Revoking an API key takes effect at once: the key (cached for a few seconds after each use)
 * cannot act again — not even to mint a replacement for itself — and sessions made with it end.
 */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestService, type TestService } from "../support/service.js";

let t: TestService;

before(async () => {
  t = await startTestService({ workers: false });
});

after(async () => {
  await t.close();
});

test("a revoked admin key cannot mint a new key 0 ms later, though it was cached", async () => {
  const doomed = await t.s.access.createKey(t.orgs.a, "admin", "a-admin-doomed");
  const first = await t.call(doomed.token, { method: "GET", url: "/v1/session" });
  assert.equal(first.statusCode, 200, first.body); // verified, and so cached
  const revoked = await t.call(t.keys.a.admin, { method: "DELETE", url: `/v1/keys/${doomed.keyId}` });
  assert.equal(revoked.statusCode, 204, revoked.body);
  const minted = await t.call(doomed.token, {
    method: "POST",
    url: "/v1/keys",
    payload: { person: "a-admin-doomed-2", role: "admin" },
  });
  assert.equal(minted.statusCode, 401, `a revoked key minted a key: ${minted.body}`);
  assert.equal((await t.call(doomed.token, { method: "GET", url: "/v1/session" })).statusCode, 401);
});

test("other keys keep working after a revocation empties the cache", async () => {
  const other = await t.call(t.keys.a.reader, { method: "GET", url: "/v1/session" });
  assert.equal(other.statusCode, 200, other.body);
});
