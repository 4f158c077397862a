/** Health, metrics access, the OpenAPI document and its page, and key creation from the CLI. */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { buildApp } from "../../src/http/app.js";
import { allRoutes } from "../../src/http/routes/index.js";
import { loadConfig } from "../../src/config/config.js";
import { closeServices, openServices } from "../../src/server/services.js";
import { json, startTestService, type TestService } from "../support/service.js";
import { rawDb } from "../support/raw-db.js";

describe("health and documentation", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService();
  });
  after(() => t.close());

  test("/status/live and /status answer JSON when asked, HMA's plain text otherwise", async () => {
    const live = await t.call(undefined, { method: "GET", url: "/status/live" });
    assert.equal(live.statusCode, 200);
    assert.equal(live.body, "I-AM-ALIVE");
    const ready = await t.call(undefined, { method: "GET", url: "/status", headers: { accept: "application/json" } });
    assert.equal(ready.statusCode, 200);
    assert.equal(json(ready).status, "ready");
  });

  test("anonymous /status shows liveness only; index sizes only to the operator (issue 15, item 10)", async () => {
    const accept = { accept: "application/json" };
    const anonymous = await t.call(undefined, { method: "GET", url: "/status", headers: accept });
    assert.deepEqual(json(anonymous), { status: "ready" });
    const admin = await t.call(t.keys.b.admin, { method: "GET", url: "/status", headers: accept });
    assert.deepEqual(json(admin), { status: "ready" }, "a member's admin sees no coalition-wide counts");
    const operator = json<{ index?: Record<string, number> }>(
      await t.call(t.keys.a.operator, { method: "GET", url: "/status", headers: accept }),
    );
    assert.equal(typeof operator.index?.pdq, "number");
    const bad = await t.call("rasd_nope", { method: "GET", url: "/status", headers: accept });
    assert.equal(bad.statusCode, 401, "a key that is sent must be valid");
  });

  test("an organisation's admin cannot grant the operator role through the API", async () => {
    const r = await t.call(t.keys.a.admin, {
      method: "POST",
      url: "/v1/keys",
      payload: { person: "sneaky", role: "operator" },
    });
    assert.equal(r.statusCode, 400);
  });

  test("/metrics (coalition-wide counters) needs the operator's key: a member's admin or reader gets 403", async () => {
    assert.equal((await t.call(undefined, { method: "GET", url: "/metrics" })).statusCode, 401);
    for (const role of ["submitter", "reader", "admin"] as const)
      assert.equal((await t.call(t.keys.a[role], { method: "GET", url: "/metrics" })).statusCode, 403, role);
    const m = await t.call(t.keys.a.operator, { method: "GET", url: "/metrics" });
    assert.equal(m.statusCode, 200);
    assert.match(m.headers["content-type"] as string, /text\/plain/);
    assert.match(m.body, /# TYPE rasd_time_to_step_seconds histogram/);
  });

  test("the OpenAPI 3.1 document lists every route with its security, and /docs renders it", async () => {
    const doc = json<{ openapi: string; paths: Record<string, Record<string, { security?: unknown[] }>> }>(
      await t.call(undefined, { method: "GET", url: "/openapi.json" }),
    );
    assert.equal(doc.openapi, "3.1.0");
    for (const r of t.routes) {
      // The web app's page and assets are not API: hidden from the document on purpose.
      if (r.tags.includes("web")) {
        assert.equal(r.access, "public", `${r.method} ${r.url}: a hidden web route must be public`);
        continue;
      }
      const path = r.url.replace(/:([a-z_]+)/g, "{$1}");
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${r.url} is missing from the OpenAPI document`);
      assert.equal(op.security !== undefined, r.access !== "public", `${r.method} ${r.url}: security`);
    }
    const page = await t.call(undefined, { method: "GET", url: "/docs/" });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger-ui/i);
  });

  test("the OpenAPI document gives every route's response bodies and rasd's error body", async () => {
    type Responses = Record<string, { content?: Record<string, { schema?: unknown }> }>;
    const doc = json<{ paths: Record<string, Record<string, { responses?: Responses }>> }>(
      await t.call(undefined, { method: "GET", url: "/openapi.json" }),
    );
    const problems: string[] = [];
    let checked = 0;
    for (const r of t.routes) {
      // Hidden web routes are not API.
      if (r.tags.includes("web")) continue;
      const key = `${r.method} ${r.url}`;
      const responses = doc.paths[r.url.replace(/:([a-z_]+)/g, "{$1}")]?.[r.method.toLowerCase()]?.responses ?? {};
      const error = responses["4XX"]?.content?.["application/json"]?.schema as
        { properties?: Record<string, unknown> } | undefined;
      const success = Object.keys(responses).filter((code) => /^2\d\d$/.test(code));
      if (success.length === 0) problems.push(`${key}: no success response`);
      for (const code of success) {
        if (code === "204") continue;
        const content = Object.values(responses[code]?.content ?? {});
        if (content.length === 0 || content.some((c) => c.schema === undefined))
          problems.push(`${key}: response ${code} has no body schema`);
      }
      // The HMA-compatible routes (routes/hma.ts) answer HMA's {"message"}, the TAXII routes TAXII's
      // error message resource ({"title", ...}), the others rasd's {"error"}.
      if (r.hmaErrors) {
        if (!error?.properties?.message) problems.push(`${key}: no 4XX {"message"} error body schema`);
      } else if (r.taxiiErrors) {
        if (!error?.properties?.title) problems.push(`${key}: no 4XX TAXII error body schema`);
      } else if (!error?.properties?.error) problems.push(`${key}: no 4XX error body schema`);
      checked++;
    }
    assert.deepEqual(problems, []);
    assert.ok(checked >= 45, `only ${checked} routes checked`);
  });
});

test("/status is 503 until the match indexes are loaded, and again once they stop following changes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rasd-status-"));
  const s = await openServices(loadConfig({ data: dir }), { defaultMetrics: false });
  const app = await buildApp({ access: s.access, routes: allRoutes(s) });
  try {
    const before = await app.inject({ method: "GET", url: "/status", headers: { accept: "application/json" } });
    assert.equal(before.statusCode, 503);
    assert.equal((await app.inject({ method: "GET", url: "/status" })).body, "INDEX-NOT-LOADED");
    await s.matcher.start();
    // The feed's and database's state in a 200 go to the operator only (issue 15, item 10).
    const operator = await s.access.createKey(await s.banks.createOrg("Coalition ops", "ngo"), "operator", "ops");
    const ready = await app.inject({
      method: "GET",
      url: "/status",
      headers: { accept: "application/json", authorization: `Bearer ${operator.token}` },
    });
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().database, "ok");
    assert.equal(ready.json().nats, "off");
    assert.equal(ready.json().signal_feed, "polling");
    // A matcher that stopped following changes is not ready: its answers could be stale.
    s.matcher.stop();
    const stale = await app.inject({ method: "GET", url: "/status", headers: { accept: "application/json" } });
    assert.equal(stale.statusCode, 503);
    assert.equal(stale.json().status, "unavailable");
    assert.equal(stale.json().signal_feed, "stale");
    assert.equal((await app.inject({ method: "GET", url: "/status" })).body, "NOT-READY");
  } finally {
    await app.close();
    await closeServices(s);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("rasd key create prints the key alone, once; it is stored hashed and works", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rasd-key-"));
  const bin = new URL("../../bin/rasd", import.meta.url).pathname;
  try {
    execFileSync(bin, ["org", "create", "Sawab Center", "--kind", "government", "--data", dir]);
    const out = execFileSync(bin, ["key", "create", "--org", "Sawab Center", "--role", "curator", "--data", dir], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const key = out.trim();
    assert.match(out, /^rasd_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\n$/);
    const s = await openServices(loadConfig({ data: dir }), { defaultMetrics: false });
    try {
      const rows = await rawDb(s).selectFrom("api_keys").selectAll().execute();
      assert.equal(rows.length, 1);
      // The secret is everything after rasd_<12 hex>_ (base64url, so it may itself hold "_").
      const secret = key.slice("rasd_".length + 12 + 1);
      assert.equal(secret.length, 43);
      assert.ok(!JSON.stringify(rows).includes(secret), "the secret is not stored");
      const who = await s.access.authenticate(key);
      assert.equal(who.role, "curator");
      assert.equal(who.orgName, "Sawab Center");
      await assert.rejects(s.access.authenticate(key.slice(0, -1) + (key.endsWith("A") ? "B" : "A")), /not valid/);
    } finally {
      await closeServices(s);
    }
    assert.throws(() =>
      execFileSync(bin, ["key", "create", "--org", "Nobody", "--role", "admin", "--data", dir], { stdio: "ignore" }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
