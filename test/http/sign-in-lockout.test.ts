/**
 * Sign-in back-off (issue 15, item 6): failures back off per address and per account instead
 * of locking an address out for fifteen minutes; one attacker cannot lock a victim out, the
 * right password from a new address waits a minute at most, an address the account used
 * before is not held at all; failures and back-offs are in the organisation's audit log; and
 * X-Forwarded-For counts only from a configured trusted proxy.
 */

import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { SignInGuard } from "../../src/services/sign-in-guard.js";
import { json, startTestService, type TestService } from "../support/service.js";

const PASSWORD = "correct horse battery staple";

const realNow = Date.now;
let offset = 0;
/** Moves the service's clock forward (sign-in back-off reads Date.now). */
function advance(ms: number): void {
  offset += ms;
  Date.now = () => realNow() + offset;
}

describe("sign-in back-off", () => {
  let t: TestService;
  let people = 0;
  before(async () => {
    t = await startTestService({ workers: false });
  });
  after(() => t.close());
  afterEach(() => {
    Date.now = realNow;
    offset = 0;
  });

  /** A fresh person of A with a password, so each case has its own account. */
  const victim = async (): Promise<string> => {
    const name = `a-victim-${++people}`;
    const person = await t.s.access.store.createPerson(t.orgs.a.id, name, "reviewer");
    await t.s.accounts.setPassword(person.id, PASSWORD);
    return name;
  };
  const signIn = (person: string, password: string, remoteAddress: string): Promise<LightMyRequestResponse> =>
    t.call(undefined, {
      method: "POST",
      url: "/v1/session",
      payload: { org: "Platform A", person, password },
      remoteAddress,
    });

  it("one address cannot lock a victim out: ten wrong passwords from it, the right one from elsewhere works", async () => {
    const name = await victim();
    for (let i = 0; i < 10; i++) assert.equal((await signIn(name, `guess ${i}`, "10.1.0.1")).statusCode, 401);
    const attacker = await signIn(name, PASSWORD, "10.1.0.1");
    assert.equal(attacker.statusCode, 429, "the guessing address itself waits");
    assert.equal(json<{ error: { code: string } }>(attacker).error.code, "rate_limited");
    assert.equal((await signIn(name, PASSWORD, "10.1.0.2")).statusCode, 200, attacker.body);
  });

  it("guessing from many addresses backs the account off, doubling, never past a minute", async () => {
    const name = await victim();
    // Two addresses, five failures on the account: then each waits, from a second on.
    for (let i = 0; i < 3; i++) assert.equal((await signIn(name, `guess ${i}`, "10.2.0.1")).statusCode, 401);
    for (let i = 0; i < 2; i++) assert.equal((await signIn(name, `guess ${i}`, "10.2.0.2")).statusCode, 401);
    const held = await signIn(name, PASSWORD, "10.2.0.9");
    assert.equal(held.statusCode, 429, held.body);
    assert.equal(json<{ error: { code: string } }>(held).error.code, "auth.locked");
    assert.match(json<{ error: { message: string } }>(held).error.message, /for this account; try again in 1 s/);
    assert.equal(held.headers["retry-after"], "1");
    // Attempts refused while waiting are not failures: hammering does not lengthen the wait.
    for (let i = 0; i < 5; i++) assert.equal((await signIn(name, "guess", "10.2.0.3")).statusCode, 429);
    // Many more addresses, each waiting out the back-off: the wait doubles up to a minute.
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      advance(61_000);
      assert.equal((await signIn(name, "guess", `10.2.1.${i}`)).statusCode, 401);
      waits.push(Number((await signIn(name, PASSWORD, `10.2.2.${i}`)).headers["retry-after"]));
    }
    assert.deepEqual(waits, [2, 4, 8, 16, 32, 60, 60, 60, 60, 60]);
    // A minute later the right password from a new address is let in.
    advance(60_000);
    assert.equal((await signIn(name, PASSWORD, "10.2.3.1")).statusCode, 200);
  });

  it("an address the account signed in from before is not held by the account's back-off", async () => {
    const name = await victim();
    assert.equal((await signIn(name, PASSWORD, "10.3.0.5")).statusCode, 200);
    for (const address of ["10.3.0.1", "10.3.0.2", "10.3.0.3"])
      for (let i = 0; i < 3; i++) await signIn(name, `guess ${i}`, address);
    assert.equal((await signIn(name, PASSWORD, "10.3.0.6")).statusCode, 429, "a new address waits");
    assert.equal((await signIn(name, PASSWORD, "10.3.0.5")).statusCode, 200, "the usual one does not");
  });

  it("failed sign-ins and back-offs are in the organisation's audit log, with the address", async () => {
    const name = await victim();
    for (const address of ["10.4.0.1", "10.4.0.2"])
      for (let i = 0; i < 3; i++) await signIn(name, `guess ${i}`, address); // the sixth is refused unchecked
    const entries = (await t.s.access.store.listAudit(t.orgs.a.id, { limit: 1000 })).filter(
      (e) => e.detail.with === "password" && (e.source === "10.4.0.1" || e.source === "10.4.0.2"),
    );
    const fails = entries.filter((e) => e.action === "session.fail");
    const lockouts = entries.filter((e) => e.action === "session.lockout");
    assert.equal(fails.length, 5);
    assert.ok(fails.every((e) => e.actor === "anonymous" && /^person:\d+$/.test(e.target)));
    assert.equal(lockouts.length, 1, JSON.stringify(lockouts));
    assert.deepEqual(
      { scope: lockouts[0]!.detail.scope, wait: lockouts[0]!.detail.retry_after_s },
      { scope: "account", wait: 1 },
    );
    assert.ok(!JSON.stringify(entries).includes("guess"), "no password in the log");
    // An organisation that does not exist: logged with no organisation, not lost or misfiled.
    const r = await t.call(undefined, {
      method: "POST",
      url: "/v1/session",
      payload: { org: "No Such Org", person: "x", password: "wrong wrong" },
      remoteAddress: "10.4.0.9",
    });
    assert.equal(r.statusCode, 401);
  });

  it("the per-address back-off starts at a minute, not fifteen, and doubles", () => {
    const guard = new SignInGuard();
    let wait = 0;
    for (let i = 0; i < 10; i++) wait = guard.failed("10.5.0.1", undefined, 1000).backoff?.retryAfter ?? 0;
    assert.equal(wait, 60);
    assert.equal(guard.check("10.5.0.1", undefined, 1000 + 59_000)?.retryAfter, 1);
    assert.equal(guard.check("10.5.0.1", undefined, 1000 + 60_000), undefined);
    assert.equal(guard.failed("10.5.0.1", undefined, 61_000).backoff?.retryAfter, 120);
  });
});

describe("X-Forwarded-For only from a trusted proxy", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ workers: false, trustProxy: ["10.9.0.0/16"] });
    const person = await t.s.access.store.createPerson(t.orgs.a.id, "a-proxied", "reviewer");
    await t.s.accounts.setPassword(person.id, PASSWORD);
  });
  after(() => t.close());

  const signIn = (password: string, remoteAddress: string, forwardedFor: string) =>
    t.call(undefined, {
      method: "POST",
      url: "/v1/session",
      payload: { org: "Platform A", person: "a-proxied", password },
      remoteAddress,
      headers: { "x-forwarded-for": forwardedFor },
    });

  it("behind the proxy each client is counted by its own address", async () => {
    for (let i = 0; i < 10; i++) assert.equal((await signIn(`guess ${i}`, "10.9.0.1", "203.0.113.50")).statusCode, 401);
    assert.equal((await signIn(PASSWORD, "10.9.0.1", "203.0.113.50")).statusCode, 429, "the guesser waits");
    assert.equal(
      (await signIn(PASSWORD, "10.9.0.1", "203.0.113.51")).statusCode,
      200,
      "others behind the proxy do not",
    );
    const audit = await t.s.access.store.listAudit(t.orgs.a.id, { limit: 1000 });
    assert.ok(audit.some((e) => e.action === "session.fail" && e.source === "203.0.113.50"));
  });

  it("a spoofed header from an untrusted peer is ignored", async () => {
    for (let i = 0; i < 10; i++)
      assert.equal((await signIn(`guess ${i}`, "198.51.100.20", `203.0.113.${100 + i}`)).statusCode, 401);
    const r = await signIn(PASSWORD, "198.51.100.20", "203.0.113.200");
    assert.equal(r.statusCode, 429, "a new X-Forwarded-For each time does not make a new client");
    const audit = await t.s.access.store.listAudit(t.orgs.a.id, { limit: 1000 });
    assert.ok(audit.some((e) => e.action === "session.fail" && e.source === "198.51.100.20"));
    assert.ok(!audit.some((e) => e.source === "203.0.113.100"));
  });
});
