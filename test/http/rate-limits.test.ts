/**
 * Rate limits (issue 15, item 5): per key, per person and per organisation — five sessions of
 * one person share the person's limit, a hundred keys of one organisation its limit; failed
 * authentication is limited per client address, and so is signing in; every limited answer
 * says where the caller stands in RateLimit-* headers; the buckets are bounded.
 */

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { DEFAULT_RATE_LIMITS, parseLimit, parseTrustProxy } from "../../src/config/access-limits.js";
import { loadConfig } from "../../src/config/config.js";
import { RateLimiter } from "../../src/http/rate-limit.js";
import { NO_LIMITS, json, startTestService, type TestService } from "../support/service.js";

const WRONG_KEY = `rasd_0123456789ab_${"A".repeat(43)}`;

const message = (r: LightMyRequestResponse) => json<{ error: { code: string; message: string } }>(r).error;

function assertLimited(r: LightMyRequestResponse, pattern: RegExp): void {
  assert.equal(r.statusCode, 429, r.body);
  assert.match(message(r).message, pattern);
  const retry = Number(r.headers["retry-after"]);
  assert.ok(Number.isInteger(retry) && retry >= 1, `retry-after: ${String(r.headers["retry-after"])}`);
  assert.equal(r.headers["ratelimit-remaining"], "0");
}

describe("rate limits", () => {
  const services: TestService[] = [];
  after(async () => {
    for (const t of services) await t.close();
  });
  const start = async (limits: Partial<typeof NO_LIMITS>) => {
    const t = await startTestService({ workers: false, rateLimits: { ...NO_LIMITS, ...limits } });
    services.push(t);
    return t;
  };

  it("five sessions of one person share the person's limit", async () => {
    const t = await start({ person: { rate: 5, burst: 10 } });
    const sessions: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await t.call(undefined, { method: "POST", url: "/v1/session", payload: { apiKey: t.keys.a.reader } });
      assert.equal(r.statusCode, 200, r.body);
      sessions.push(json<{ token: string }>(r).token);
    }
    let ok = 0;
    let limited: LightMyRequestResponse | undefined;
    for (let i = 0; i < 50; i++) {
      const r = await t.call(sessions[i % 5], { method: "GET", url: "/v1/session" });
      if (r.statusCode === 200) ok++;
      else limited ??= r;
    }
    // The burst of 10, plus what refills in the few milliseconds the loop takes.
    assert.ok(ok >= 10 && ok <= 12, `${ok} of 50 went through, five sessions at a 5/s, burst 10 person limit`);
    assert.ok(limited);
    assertLimited(limited, /rate limit of 5 requests\/s for this person exceeded/);
    // Another person of the same organisation is not held by it.
    assert.equal((await t.call(t.keys.a.curator, { method: "GET", url: "/v1/session" })).statusCode, 200);
  });

  it("an organisation's keys share the organisation's limit", async () => {
    const t = await start({ org: { rate: 5, burst: 20 } });
    const extra = [];
    for (let i = 0; i < 10; i++) extra.push((await t.s.access.createKey(t.orgs.a, "reader", `a-many-${i}`)).token);
    const keys = [...Object.values(t.keys.a), ...extra];
    let ok = 0;
    let limited: LightMyRequestResponse | undefined;
    for (let i = 0; i < 64; i++) {
      const r = await t.call(keys[i % keys.length], { method: "GET", url: "/v1/session" });
      if (r.statusCode === 200) ok++;
      else limited ??= r;
    }
    assert.ok(ok >= 20 && ok <= 22, `${ok} of 64 went through 16 keys of one organisation at 5/s, burst 20`);
    assert.ok(limited);
    assertLimited(limited, /rate limit of 5 requests\/s for this organisation exceeded/);
    assert.equal((await t.call(t.keys.b.reader, { method: "GET", url: "/v1/session" })).statusCode, 200);
  });

  it("a flood of wrong keys from one address gets 429 before any lookup; other addresses and known keys go on", async () => {
    const t = await start({ failedAuth: { rate: 1, burst: 5 } });
    const from = (remoteAddress: string, key: string) =>
      t.call(key, { method: "GET", url: "/v1/banks", remoteAddress });
    // A valid key used from the address before the flood stays usable (it is cached).
    assert.equal((await from("198.51.100.7", t.keys.a.reader)).statusCode, 200);
    let lookups = 0;
    const findKey = t.s.access.store.findKey.bind(t.s.access.store);
    t.s.access.store.findKey = (prefix) => {
      lookups++;
      return findKey(prefix);
    };
    const codes: number[] = [];
    let limited: LightMyRequestResponse | undefined;
    try {
      for (let i = 0; i < 200; i++) {
        const r = await from("198.51.100.7", WRONG_KEY);
        codes.push(r.statusCode);
        if (r.statusCode === 429) limited ??= r;
      }
    } finally {
      t.s.access.store.findKey = findKey;
    }
    assert.deepEqual(codes.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(codes.filter((c) => c === 401).length <= 6, `401s: ${codes.filter((c) => c === 401).length}`);
    assert.ok(lookups <= 6, `${lookups} key lookups for 200 wrong keys`);
    assert.ok(limited);
    assertLimited(limited, /too many failed authentications from this address/);
    // Malformed and missing credentials count too.
    assert.equal((await from("198.51.100.7", "nonsense")).statusCode, 429);
    assert.equal((await from("198.51.100.8", WRONG_KEY)).statusCode, 401, "another address is not limited");
    assert.equal((await from("198.51.100.7", t.keys.a.reader)).statusCode, 200, "a key verified moments ago");
    // IPv6 counts per /64: a host cannot take a fresh address per request.
    for (let i = 1; i <= 5; i++) assert.equal((await from(`2001:db8:0:1::${i}`, WRONG_KEY)).statusCode, 401);
    assert.equal((await from("2001:db8:0:1::99", WRONG_KEY)).statusCode, 429);
  });

  it("POST /v1/session is limited per address, right or wrong", async () => {
    const t = await start({ signIn: { rate: 1, burst: 3 } });
    const signIn = (remoteAddress: string) =>
      t.call(undefined, { method: "POST", url: "/v1/session", payload: { apiKey: t.keys.a.reader }, remoteAddress });
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await signIn("203.0.113.9")).statusCode);
    assert.deepEqual(codes.slice(0, 3), [200, 200, 200]);
    assert.equal(codes.at(-1), 429, codes.join(" "));
    assertLimited(await signIn("203.0.113.9"), /too many sign-ins from this address/);
    assert.equal((await signIn("203.0.113.10")).statusCode, 200);
    const rows = await t.s.access.store.listAudit(t.orgs.a.id);
    assert.ok(rows.filter((e) => e.action === "session.create").length <= 5, "a refused sign-in makes no session");
  });

  it("every authenticated answer carries RateLimit-Limit, -Remaining and -Reset", async () => {
    const t = await start({ key: { rate: 10, burst: 100 } });
    const first = await t.call(t.keys.a.reader, { method: "GET", url: "/v1/banks" });
    const second = await t.call(t.keys.a.reader, { method: "GET", url: "/v1/banks" });
    assert.equal(first.headers["ratelimit-limit"], "100");
    assert.equal(first.headers["ratelimit-remaining"], "99");
    assert.equal(second.headers["ratelimit-remaining"], "98");
    assert.ok(Number(second.headers["ratelimit-reset"]) >= 1);
    assert.equal(first.headers["retry-after"], undefined);
    // A refusal after authentication (403) still says where the caller stands.
    const forbidden = await t.call(t.keys.a.reader, { method: "POST", url: "/v1/banks", payload: { name: "x" } });
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.headers["ratelimit-remaining"], "97");
  });
});

describe("the bucket map is bounded", () => {
  it("random names cannot grow it past its bound, and idle buckets are swept", () => {
    const limiter = new RateLimiter({ rate: 1, burst: 5 }, 1000);
    for (let i = 0; i < 50_000; i++) limiter.take(`198.51.${i >> 8}.${i & 255}:${i}`, 1_000_000 + i);
    assert.ok(limiter.size <= 1000, `${limiter.size} buckets`);
    // Five seconds later every bucket is full again, i.e. forgettable.
    limiter.take("one more", 1_000_000 + 50_000 + 6000);
    assert.equal(limiter.size, 1);
  });

  it("a full bucket costs nothing: only names that took tokens are held", () => {
    const limiter = new RateLimiter({ rate: 10, burst: 20 });
    for (let i = 0; i < 100; i++) limiter.consume(`peek-${i}`, 0, false);
    assert.equal(limiter.size, 0);
  });
});

describe("rate limit and trusted proxy settings", () => {
  it("reads RATE or RATE:BURST, and the per-person limit follows the per-key one", () => {
    assert.deepEqual(parseLimit("50", "x"), { rate: 50, burst: 100 });
    assert.deepEqual(parseLimit("50:400", "x"), { rate: 50, burst: 400 });
    for (const bad of ["0", "-5", "fast", "5:0", "1.5", ""])
      assert.throws(() => parseLimit(bad, "rate limit per key"), /rate limit per key: expected RATE or RATE:BURST/);
    assert.deepEqual(loadConfig({}, {}).rateLimits, DEFAULT_RATE_LIMITS);
    const c = loadConfig({ rateLimit: "50" }, { RASD_RATE_LIMIT_ORG: "500:1000", RASD_RATE_LIMIT_SIGN_IN: "1:5" });
    assert.deepEqual(c.rateLimits.person, { rate: 50, burst: 100 });
    assert.deepEqual(c.rateLimits.org, { rate: 500, burst: 1000 });
    assert.deepEqual(c.rateLimits.signIn, { rate: 1, burst: 5 });
    assert.equal(c.rateLimit, 50);
    assert.deepEqual(loadConfig({ rateLimit: "50", rateLimitPerson: "80" }, {}).rateLimits.person, {
      rate: 80,
      burst: 160,
    });
  });

  it("takes addresses, CIDRs and proxy-addr's names as trusted proxies; refuses anything else", () => {
    assert.deepEqual(loadConfig({}, {}).trustProxy, []);
    assert.deepEqual(loadConfig({}, { RASD_TRUST_PROXY: "10.0.0.0/8, 192.0.2.7,fd00::/8,loopback" }).trustProxy, [
      "10.0.0.0/8",
      "192.0.2.7",
      "fd00::/8",
      "loopback",
    ]);
    for (const bad of ["10.0.0.0/33", "proxy.example", "10.0.0.0/8/1", "fd00::/129", "*"])
      assert.throws(() => parseTrustProxy(bad), /trusted proxy: ".*" is not an address, a CIDR/);
  });
});
