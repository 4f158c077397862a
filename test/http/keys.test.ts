/**
 * API keys' lifecycle (issue 15, item 3): an organisation's admins list its keys — never a
 * secret — with who holds each, its last use, expiry and state; a key may expire, and an
 * expired key is refused with `auth.expired`; rotating gives a new secret while the old one
 * works for an overlap (or stops at once on request).
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { json, startTestService, type TestService } from "../support/service.js";
import { rawDb } from "../support/raw-db.js";

interface KeyBody {
  id: number;
  name: string | null;
  prefix: string;
  role: string;
  person: { id: number; name: string };
  state: string;
  created_at: string;
  created_by: { id: number; name: string } | null;
  last_used_at: string | null;
  expires_at: string | null;
  rotated_at: string | null;
  previous_secret_valid_until: string | null;
  revoked_at: string | null;
}

const errorCode = (r: LightMyRequestResponse) => json<{ error: { code: string; message: string } }>(r).error;

describe("API keys: listing, expiry, rotation", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ workers: false });
  });
  after(() => t.close());

  const me = (key: string) => t.call(key, { method: "GET", url: "/v1/session" });
  const list = async (key = t.keys.a.admin) => {
    const r = await t.call(key, { method: "GET", url: "/v1/keys" });
    assert.equal(r.statusCode, 200, r.body);
    return { body: r.body, keys: json<{ keys: KeyBody[] }>(r).keys };
  };
  const create = (payload: Record<string, unknown>, key = t.keys.a.admin) =>
    t.call(key, { method: "POST", url: "/v1/keys", payload });

  it("lists the organisation's keys without secrets, with last use, creator and state", async () => {
    const made = await create({ person: "a-admin", role: "admin", name: "ingest eu-west", expires_in: 3600 });
    assert.equal(made.statusCode, 201, made.body);
    const created = json<{ key: string; key_id: number; name: string; expires_at: string }>(made);
    assert.equal(created.name, "ingest eu-west");
    assert.ok(Date.parse(created.expires_at) > Date.now() + 3500_000);
    assert.equal((await me(created.key)).statusCode, 200);

    const { body, keys } = await list();
    // Never a secret: no whole key, and no secret part of any key of the organisation.
    for (const token of [created.key, ...Object.values(t.keys.a)]) {
      assert.ok(!body.includes(token), "a whole key is listed");
      assert.ok(!body.includes(token.slice(18)), "a key's secret is listed");
    }
    assert.ok(!/secret_hash|secretHash/.test(body));
    const mine = keys.find((k) => k.id === created.key_id);
    assert.ok(mine, "the new key is listed");
    assert.equal(mine.name, "ingest eu-west");
    assert.equal(mine.prefix, created.key.split("_")[1]);
    assert.equal(mine.role, "admin");
    assert.equal(mine.state, "active");
    assert.equal(mine.created_by?.name, "a-admin");
    assert.ok(mine.last_used_at && Date.now() - Date.parse(mine.last_used_at) < 60_000, "last use recorded");
    assert.equal(mine.expires_at, created.expires_at);
    // Only the caller's organisation: A's six keys and the new one, none of B's.
    assert.ok(
      keys.every((k) => k.person.name.startsWith("a-")),
      JSON.stringify(keys.map((k) => k.person.name)),
    );
    const seeded = keys.find((k) => k.person.name === "a-reader");
    assert.equal(seeded?.created_by, null, "a key made by an operator has no creator");
    assert.equal((await t.call(t.keys.a.curator, { method: "GET", url: "/v1/keys" })).statusCode, 403);
  });

  it("writes last use at most once a minute per key, not on every request", async () => {
    const key = await t.s.access.createKey(t.orgs.a, "reader", "a-reader");
    const writes: number[] = [];
    const touch = t.s.access.store.touchKey.bind(t.s.access.store);
    t.s.access.store.touchKey = async (id, at) => {
      writes.push(id);
      await touch(id, at);
    };
    try {
      for (let i = 0; i < 20; i++) assert.equal((await me(key.token)).statusCode, 200);
    } finally {
      t.s.access.store.touchKey = touch;
    }
    assert.deepEqual(writes, [key.keyId]);
  });

  it("refuses an expired key with auth.expired, and lists it as expired", async () => {
    const made = json<{ key: string; key_id: number }>(
      await create({ person: "a-expiring", role: "reader", expires_in: 120 }),
    );
    assert.equal((await me(made.key)).statusCode, 200);
    const session = json<{ token: string }>(
      await t.call(undefined, { method: "POST", url: "/v1/session", payload: { apiKey: made.key } }),
    ).token;
    assert.equal((await me(session)).statusCode, 200);
    await rawDb(t.s)
      .updateTable("api_keys")
      .set({ expires_at: Date.now() - 1000 })
      .where("id", "=", made.key_id)
      .execute();
    t.s.access.forgetKeys(); // as after 5 s: the cache holds a key no longer than it lives
    const r = await me(made.key);
    assert.equal(r.statusCode, 401);
    assert.equal(errorCode(r).code, "auth.expired");
    assert.match(errorCode(r).message, /expired at \d{4}-/);
    assert.equal((await list()).keys.find((k) => k.id === made.key_id)?.state, "expired");
    // Sessions made with it end with it, and it cannot sign in to the web app again.
    assert.equal((await me(session)).statusCode, 401);
    const s = await t.call(undefined, { method: "POST", url: "/v1/session", payload: { apiKey: made.key } });
    assert.equal(s.statusCode, 401);
  });

  it("the cache does not keep a key past its expiry", async () => {
    const soon = Date.now() + 60_500;
    const key = await t.s.access.createKey(t.orgs.a, "reader", "a-reader", { expiresAt: soon });
    assert.equal((await me(key.token)).statusCode, 200);
    await rawDb(t.s).updateTable("api_keys").set({ expires_at: Date.now() }).where("id", "=", key.keyId).execute();
    // Still cached (5 s): the service only learns of the earlier expiry after the cache, but
    // the cache entry itself never outlives the expiry it was given.
    const realNow = Date.now;
    Date.now = () => soon + 1;
    try {
      assert.equal(errorCode(await me(key.token)).code, "auth.expired");
    } finally {
      Date.now = realNow;
    }
  });

  it("refuses expiries that are both given, past, too soon or over 366 days", async () => {
    for (const [payload, pattern] of [
      [{ expires_in: 3600, expires_at: new Date(Date.now() + 7200_000).toISOString() }, /not both/],
      [{ expires_at: new Date(Date.now() - 1000).toISOString() }, /expires_at: a key must live at least 60 s/],
      [{ expires_in: 10 }, /expires_in: a key must live at least 60 s/],
      [{ expires_in: 367 * 86400 }, /at most 366 days/],
      [{ expires_at: "next tuesday" }, /expires_at/],
    ] as const) {
      const r = await create({ person: "a-admin", role: "reader", ...payload });
      assert.equal(r.statusCode, 400, r.body);
      assert.match(errorCode(r).message, pattern);
    }
  });

  it("rotation: a new secret for the same key; the old one works during the overlap, then not", async () => {
    const old = await t.s.access.createKey(t.orgs.a, "submitter", "a-submitter", { name: "uploader" });
    assert.equal((await me(old.token)).statusCode, 200);
    const r = await t.call(t.keys.a.admin, {
      method: "POST",
      url: `/v1/keys/${old.keyId}/rotate`,
      payload: { overlap_seconds: 600 },
    });
    assert.equal(r.statusCode, 200, r.body);
    const rotated = json<{ key: string; key_info: KeyBody }>(r);
    assert.notEqual(rotated.key, old.token);
    assert.equal(rotated.key.split("_")[1], old.token.split("_")[1], "same key: same prefix");
    assert.equal(rotated.key_info.id, old.keyId);
    assert.equal(rotated.key_info.role, "submitter");
    assert.equal(rotated.key_info.name, "uploader");
    const until = Date.parse(rotated.key_info.previous_secret_valid_until ?? "");
    assert.ok(Math.abs(until - (Date.now() + 600_000)) < 5000, rotated.key_info.previous_secret_valid_until ?? "none");
    // Both work during the overlap, as the same principal.
    for (const token of [rotated.key, old.token]) {
      const who = await me(token);
      assert.equal(who.statusCode, 200, who.body);
      assert.equal(json<{ person: { name: string } }>(who).person.name, "a-submitter");
    }
    // After the overlap (back-dated), only the new one.
    await rawDb(t.s)
      .updateTable("api_keys")
      .set({ previous_expires_at: Date.now() - 1 })
      .where("id", "=", old.keyId)
      .execute();
    t.s.access.forgetKeys();
    assert.equal((await me(old.token)).statusCode, 401);
    assert.equal((await me(rotated.key)).statusCode, 200);
    const stored = await rawDb(t.s).selectFrom("api_keys").selectAll().where("id", "=", old.keyId).executeTakeFirst();
    assert.ok(!JSON.stringify(stored).includes(rotated.key.slice(18)), "the new secret is stored hashed");
    const audit = await t.s.access.store.listAudit(t.orgs.a.id, { target: `key:${old.keyId}` });
    assert.ok(audit.some((e) => e.action === "key.rotate"));
  });

  it("rotation with revoke_old ends the old secret at once, though it was cached", async () => {
    const old = await t.s.access.createKey(t.orgs.a, "reader", "a-reader");
    assert.equal((await me(old.token)).statusCode, 200); // cached
    const r = await t.call(t.keys.a.admin, {
      method: "POST",
      url: `/v1/keys/${old.keyId}/rotate`,
      payload: { revoke_old: true },
    });
    assert.equal(r.statusCode, 200, r.body);
    const rotated = json<{ key: string; key_info: KeyBody }>(r);
    assert.equal(rotated.key_info.previous_secret_valid_until, null);
    assert.equal((await me(old.token)).statusCode, 401);
    assert.equal((await me(rotated.key)).statusCode, 200);
    const both = await t.call(t.keys.a.admin, {
      method: "POST",
      url: `/v1/keys/${old.keyId}/rotate`,
      payload: { revoke_old: true, overlap_seconds: 60 },
    });
    assert.equal(both.statusCode, 400);
  });

  it("refuses to rotate a revoked key, or another organisation's", async () => {
    const key = await t.s.access.createKey(t.orgs.a, "reader", "a-reader");
    await t.s.access.revokeKey(key.keyId);
    const revoked = await t.call(t.keys.a.admin, { method: "POST", url: `/v1/keys/${key.keyId}/rotate`, payload: {} });
    assert.equal(revoked.statusCode, 409, revoked.body);
    assert.match(errorCode(revoked).message, /is revoked/);
    assert.equal((await list()).keys.find((k) => k.id === key.keyId)?.state, "revoked");
    const other = await t.s.access.createKey(t.orgs.b, "reader", "b-reader");
    const foreign = await t.call(t.keys.a.admin, {
      method: "POST",
      url: `/v1/keys/${other.keyId}/rotate`,
      payload: {},
    });
    assert.equal(foreign.statusCode, 404);
    assert.equal((await me(other.token)).statusCode, 200, "B's key untouched");
  });
});
