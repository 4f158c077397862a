/**
 * Signing in: passwords (stored as scrypt, never plain), sessions stored hashed that expire
 * and end on sign-out, API keys exchanged for sessions, one answer for every failure, and
 * a limit on failed sign-ins per address.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SIGN_IN_FAILED, hashPassword, verifyPassword } from "../../src/services/accounts.js";
import { json, startTestService, type TestService } from "../support/service.js";
import { rawDb } from "../support/raw-db.js";

const PASSWORD = "correct horse battery staple";

describe("sessions", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ workers: false });
    await t.s.accounts.setPassword(t.people.a.reviewer, PASSWORD);
  });
  after(() => t.close());

  const signIn = (body: Record<string, unknown>) =>
    t.call(undefined, { method: "POST", url: "/v1/session", payload: body });

  it("hashes passwords with scrypt, salted, and verifies them", async () => {
    const h = await hashPassword(PASSWORD);
    assert.match(h, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.notEqual(h, await hashPassword(PASSWORD), "a new salt each time");
    assert.equal(await verifyPassword(PASSWORD, h), true);
    assert.equal(await verifyPassword("wrong", h), false);
    assert.equal(await verifyPassword(PASSWORD, "plain"), false);
    const row = await rawDb(t.s)
      .selectFrom("people")
      .select("password_hash")
      .where("id", "=", t.people.a.reviewer)
      .executeTakeFirstOrThrow();
    assert.ok(row.password_hash?.startsWith("scrypt$") && !row.password_hash.includes(PASSWORD));
  });

  it("signs in with the right password: a token that works as a bearer token, stored only hashed", async () => {
    const r = await signIn({ org: "Platform A", person: "a-reviewer", password: PASSWORD });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers["cache-control"], "no-store");
    const body = json<{ token: string; expiresAt: string; me: { person: { name: string }; permissions: string[] } }>(r);
    assert.match(body.token, /^rasds_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const hours = (Date.parse(body.expiresAt) - Date.now()) / 3600_000;
    assert.ok(hours > 11.9 && hours <= 12, `expires in ${hours} h`);
    assert.equal(body.me.person.name, "a-reviewer");
    assert.ok(body.me.permissions.includes("review.decide"));
    const me = await t.call(body.token, { method: "GET", url: "/v1/me" });
    assert.equal(me.statusCode, 200);
    assert.equal(json<{ person: { name: string } }>(me).person.name, "a-reviewer");
    // The role still rules: a reviewer may not write rules.
    const rules = await t.call(body.token, {
      method: "POST",
      url: "/v1/rules",
      payload: { name: "x", conditions: {}, actions: [{ type: "review" }] },
    });
    assert.equal(rules.statusCode, 403);
    // The secret is everything after the prefix (base64url, so it may itself hold "_").
    const secret = body.token.slice("rasds_".length + 16 + 1);
    assert.equal(secret.length, 43);
    const stored = await rawDb(t.s).selectFrom("sessions").selectAll().execute();
    assert.ok(!JSON.stringify(stored).includes(secret), "the secret is not stored");
  });

  it("answers every failure with the same 401", async () => {
    const answers = await Promise.all([
      signIn({ org: "Platform A", person: "a-reviewer", password: "wrong password" }),
      signIn({ org: "Platform A", person: "nobody", password: PASSWORD }),
      signIn({ org: "No Such Org", person: "a-reviewer", password: PASSWORD }),
      signIn({ org: "Platform A", person: "a-admin", password: PASSWORD }), // has no password
      signIn({ apiKey: `rasd_0123456789ab_${"A".repeat(43)}` }),
      signIn({ apiKey: "not a key" }),
    ]);
    for (const r of answers) {
      assert.equal(r.statusCode, 401, r.body);
      assert.equal(json<{ error: { message: string } }>(r).error.message, SIGN_IN_FAILED);
    }
    assert.equal((await signIn({ org: "Platform A", person: "a-reviewer" })).statusCode, 400);
    assert.equal((await signIn({ apiKey: t.keys.a.admin, password: "x" })).statusCode, 400);
  });

  it("exchanges an API key for a session, which ends when the key is revoked", async () => {
    const r = await signIn({ apiKey: t.keys.b.curator });
    assert.equal(r.statusCode, 200, r.body);
    const { token, me } = json<{ token: string; me: { org: { name: string }; person: { role: string } } }>(r);
    assert.equal(me.org.name, "Government B");
    assert.equal(me.person.role, "curator");
    const key = await t.s.access.createKey(t.orgs.b, "reader", "b-short-lived");
    const r2 = json<{ token: string }>(await signIn({ apiKey: key.token }));
    await t.s.access.store.revokeKey(key.keyId);
    assert.equal((await t.call(r2.token, { method: "GET", url: "/v1/me" })).statusCode, 401);
    assert.equal((await t.call(token, { method: "GET", url: "/v1/me" })).statusCode, 200);
  });

  it("signing out ends the session at once; an API key is left alone", async () => {
    const { token } = json<{ token: string }>(
      await signIn({ org: "Platform A", person: "a-reviewer", password: PASSWORD }),
    );
    assert.equal((await t.call(token, { method: "GET", url: "/v1/session" })).statusCode, 200);
    assert.equal((await t.call(token, { method: "DELETE", url: "/v1/session" })).statusCode, 204);
    const after = await t.call(token, { method: "GET", url: "/v1/me" });
    assert.equal(after.statusCode, 401);
    assert.equal((await t.call(t.keys.a.admin, { method: "DELETE", url: "/v1/session" })).statusCode, 204);
    assert.equal((await t.call(t.keys.a.admin, { method: "GET", url: "/v1/me" })).statusCode, 200);
    const audit = await t.s.access.store.listAudit(t.orgs.a.id);
    assert.ok(audit.some((e) => e.action === "session.end"));
  });

  it("an expired session is refused", async () => {
    const { token } = json<{ token: string }>(
      await signIn({ org: "Platform A", person: "a-reviewer", password: PASSWORD }),
    );
    const prefix = token.split("_")[1]!;
    await rawDb(t.s)
      .updateTable("sessions")
      .set({ expires_at: Date.now() - 1 })
      .where("prefix", "=", prefix)
      .execute();
    assert.equal((await t.call(token, { method: "GET", url: "/v1/me" })).statusCode, 401);
  });

  it("a new password ends the person's sessions", async () => {
    const { token } = json<{ token: string }>(
      await signIn({ org: "Platform A", person: "a-reviewer", password: PASSWORD }),
    );
    await t.s.accounts.setPassword(t.people.a.reviewer, PASSWORD);
    assert.equal((await t.call(token, { method: "GET", url: "/v1/me" })).statusCode, 401);
    await assert.rejects(t.s.accounts.setPassword(t.people.a.reviewer, "short"), /10 to 1024/);
  });

  it("limits failed sign-ins per address: 429 with Retry-After, even for the right password", async () => {
    const from = (remoteAddress: string, password: string) =>
      t.call(undefined, {
        method: "POST",
        url: "/v1/session",
        payload: { org: "Platform A", person: "a-reviewer", password },
        remoteAddress,
      });
    for (let i = 0; i < 10; i++) assert.equal((await from("10.0.0.9", `bad ${i}`)).statusCode, 401);
    const limited = await from("10.0.0.9", PASSWORD);
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers["retry-after"]) > 0);
    const other = await from("10.0.0.7", PASSWORD);
    assert.equal(other.statusCode, 200, "another address is not limited");
  });
});
