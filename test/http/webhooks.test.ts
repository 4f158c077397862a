/**
 * Webhook delivery, issue 15: a hung receiver delays only itself; an endpoint that keeps
 * failing is disabled (its deliveries held, its organisation told) until an admin enables
 * it; targets are checked when a rule is saved; secrets are made by rasd, sealed at rest and
 * rotated with both signatures during the overlap.
 */

import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { Webhook } from "standardwebhooks";
import { startHungReceiver, type HungReceiver } from "../support/hung-receiver.js";
import { startReceiver, type Receiver } from "../support/receiver.js";
import { json, startTestService, type TestService } from "../support/service.js";

const BANNED = "join the ranks of the caliphate now, emigration is a duty on every able believer";

/** A GREEN bank of Government B with the banned text, visible to every member. */
async function bankBanned(t: TestService): Promise<void> {
  const bank = await t.call(t.keys.b.curator, {
    method: "POST",
    url: "/v1/banks",
    payload: { name: "isis-core", tlp: "GREEN" },
  });
  assert.equal(bank.statusCode, 201, bank.body);
  const added = await t.call(t.keys.b.curator, {
    method: "POST",
    url: `/v1/banks/${json<{ id: number }>(bank).id}/signals`,
    payload: { signals: [{ type: "text", value: BANNED, labels: { entity: ["isis"] } }] },
  });
  assert.equal(added.statusCode, 200, added.body);
}

async function hookRule(t: TestService, key: string, name: string, url: string, secret?: string) {
  const r = await t.call(key, {
    method: "POST",
    url: "/v1/rules",
    payload: {
      name,
      conditions: { entity: ["isis"] },
      actions: [{ type: "webhook", url, ...(secret ? { secret } : {}) }],
    },
  });
  assert.equal(r.statusCode, 201, r.body);
  return json<{ id: number; webhook_secrets: Record<string, string> }>(r);
}

let submitted = 0;
async function submit(t: TestService, key: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await t.call(key, {
      method: "POST",
      url: "/v1/content",
      payload: { text: BANNED, content_id: `post-${++submitted}` },
      headers: { "idempotency-key": `k-${submitted}` },
    });
    assert.equal(r.statusCode, 202, r.body);
  }
}

describe("a hung receiver beside a healthy one", () => {
  let t: TestService;
  let hung: HungReceiver;
  let healthy: Receiver;

  before(async () => {
    t = await startTestService();
    hung = await startHungReceiver();
    healthy = await startReceiver();
    await bankBanned(t);
    // An NGO's rule points at a receiver that never answers; the platform's at a healthy one.
    await hookRule(t, t.keys.c.admin, "to-the-void", hung.url);
    await hookRule(t, t.keys.a.admin, "to-trust-and-safety", healthy.url);
  });
  after(async () => {
    hung.release();
    await t.close();
    await hung.close();
    await healthy.close();
  });

  test("the healthy receiver gets every delivery while the hung one still holds its requests", async () => {
    // The hung endpoint's deliveries go out first and hang (10 s timeout).
    await submit(t, t.keys.c.submitter, 20);
    const lane = t.s.config.webhooks.perEndpoint;
    const until = Date.now() + 10_000;
    while (hung.holding() < lane && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.equal(hung.holding(), lane, `the hung endpoint has its ${lane} deliveries in flight, no more`);
    // Then the platform's: with one batch for everyone they would wait for the hung ones' timeout.
    await submit(t, t.keys.a.submitter, 30);
    await healthy.waitFor(30, 8_000);
    assert.equal(hung.holding(), lane, "the hung receiver is still holding its requests");
    assert.equal(hung.arrived(), lane, "and has had no more than its lane's share");
    const ids = new Set(healthy.received.map((r) => r.headers["webhook-id"]));
    assert.equal(ids.size, 30, "each delivery once");
    // When the hung receiver answers, its deliveries go out too, none lost.
    hung.release();
    await t.drain(20_000);
    assert.equal(hung.arrived(), 20);
  });
});

describe("webhook targets are checked when the rule is saved", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ workers: false, env: { RASD_WEBHOOK_ALLOW_PRIVATE: "0" } });
  });
  after(() => t.close());

  const save = (url: string) =>
    t.call(t.keys.a.admin, {
      method: "POST",
      url: "/v1/rules",
      payload: {
        name: `r-${Math.random()}`,
        conditions: {},
        actions: [{ type: "review" }, { type: "webhook", url }],
      },
    });

  test("http:// is refused with a 400 naming the action and why", async () => {
    const r = await save("http://receiver.example.org/hook");
    assert.equal(r.statusCode, 400, r.body);
    assert.match(json<{ error: { message: string } }>(r).error.message, /^actions\[1\]\.url: must be https: /);
  });

  test("private, loopback and link-local targets are refused, without echoing DNS answers", async () => {
    for (const [url, kind] of [
      ["https://10.1.2.3/hook", /10\.1\.2\.3 is not a public address \(private\)/],
      ["https://169.254.169.254/latest", /link-local, cloud metadata/],
      ["https://[::1]:8443/hook", /loopback/],
      ["https://localhost/hook", /the host "localhost" resolves to a non-public address \(loopback\)/],
    ] as const) {
      const r = await save(url);
      assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
      const message = json<{ error: { message: string } }>(r).error.message;
      assert.match(message, /^actions\[1\]\.url: /);
      assert.match(message, kind);
      if (url.includes("localhost")) assert.ok(!/127\.0\.0\.1|::1/.test(message), message);
    }
  });

  test("a change to a rule is checked the same way; user names in the URL are refused", async () => {
    const rules = json<{ rules: unknown[] }>(await t.call(t.keys.a.admin, { method: "GET", url: "/v1/rules" }));
    assert.ok(Array.isArray(rules.rules));
    const created = await t.call(t.keys.a.admin, {
      method: "POST",
      url: "/v1/rules",
      payload: { name: "reviews", conditions: {}, actions: [{ type: "review" }] },
    });
    const id = json<{ id: number }>(created).id;
    const r = await t.call(t.keys.a.admin, {
      method: "PATCH",
      url: `/v1/rules/${id}`,
      payload: { actions: [{ type: "webhook", url: "http://10.0.0.1/x" }] },
    });
    assert.equal(r.statusCode, 400, r.body);
    assert.match(json<{ error: { message: string } }>(r).error.message, /^actions\[0\]\.url: must be https/);
    const creds = await save("https://user:pw@receiver.example.org/hook");
    assert.equal(creds.statusCode, 400);
    assert.match(creds.body, /user name or password/);
  });
});

describe("an endpoint that keeps failing is disabled, then enabled again", () => {
  let t: TestService;
  let hook: Receiver;
  before(async () => {
    t = await startTestService({
      env: { RASD_WEBHOOK_DISABLE_AFTER: "3", RASD_WEBHOOK_DISABLE_MINUTES: "0" },
    });
    hook = await startReceiver(500);
    await bankBanned(t);
    await hookRule(t, t.keys.a.admin, "flaky", hook.url);
  });
  after(async () => {
    await t.close();
    await hook.close();
  });

  test("held after K failures (audit, metric, rule listing), delivered after an admin enables it", async () => {
    await submit(t, t.keys.a.submitter, 2);
    await hook.waitFor(3);
    const until = Date.now() + 10_000;
    let endpoint: { id: number; state: string; last_error: string | null; failures: number } | undefined;
    while (Date.now() < until) {
      const rules = json<{ rules: { actions: { endpoint?: typeof endpoint }[] }[] }>(
        await t.call(t.keys.a.reader, { method: "GET", url: "/v1/rules" }),
      );
      endpoint = rules.rules[0]?.actions[0]?.endpoint;
      if (endpoint?.state === "disabled") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(endpoint?.state, "disabled", JSON.stringify(endpoint));
    assert.match(endpoint.last_error ?? "", /HTTP 500/);
    assert.ok(endpoint.failures >= 3);
    // Held: nothing more goes out, nothing is lost or dead-lettered.
    await new Promise((r) => setTimeout(r, 300));
    const sent = hook.received.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(hook.received.length, sent, "no more attempts while disabled");
    const counts = await t.s.jobs.counts();
    assert.equal(counts["webhook.queued"], 2, JSON.stringify(counts));
    assert.equal(counts["webhook.dead"], undefined);
    // The organisation is told: its audit log, and the metric.
    const audit = await t.call(t.keys.a.admin, { method: "GET", url: "/v1/audit" });
    assert.match(audit.body, /webhook_endpoint\.disable/);
    assert.match(await t.s.metricsText(), /rasd_webhook_endpoints_disabled_total 1/);
    const listed = json<{ endpoints: { id: number; state: string }[] }>(
      await t.call(t.keys.a.reader, { method: "GET", url: "/v1/webhook-endpoints" }),
    );
    assert.deepEqual(
      listed.endpoints.map((e) => [e.id, e.state]),
      [[endpoint.id, "disabled"]],
    );

    // Only an admin of that organisation enables it.
    const enable = (key: string) => t.call(key, { method: "POST", url: `/v1/webhook-endpoints/${endpoint.id}/enable` });
    assert.equal((await enable(t.keys.a.reader)).statusCode, 403);
    assert.equal((await enable(t.keys.c.admin)).statusCode, 404);
    hook.fallback = 204;
    const r = await enable(t.keys.a.admin);
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(json<{ released: number; endpoint: { state: string } }>(r).released, 2);
    await t.drain();
    const delivered = json<{ actions: { status: string }[] }>(
      await t.call(t.keys.a.reader, { method: "GET", url: "/v1/actions" }),
    );
    assert.deepEqual(
      delivered.actions.map((a) => a.status),
      ["delivered", "delivered"],
    );
    assert.match((await t.call(t.keys.a.admin, { method: "GET", url: "/v1/audit" })).body, /webhook_endpoint\.enable/);
  });
});

describe("webhook secrets: made by rasd, sealed at rest, rotated with an overlap", () => {
  let t: TestService;
  let hook: Receiver;
  before(async () => {
    t = await startTestService();
    hook = await startReceiver();
    await bankBanned(t);
  });
  after(async () => {
    await t.close();
    await hook.close();
  });

  test("a rule without a secret gets one of 32 random bytes, returned once; the database holds it sealed", async () => {
    const rule = await hookRule(t, t.keys.a.admin, "generated", hook.url);
    const secret = rule.webhook_secrets["0"]!;
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    assert.equal(Buffer.from(secret.slice(6), "base64").length, 32);
    const file = t.s.config.databaseUrl.replace(/^sqlite:/, "");
    const db = new BetterSqlite3(file, { readonly: true });
    const row = db.prepare("select actions from action_rules where id = ?").get(rule.id) as { actions: string };
    db.close();
    assert.ok(!row.actions.includes(secret.slice(6)), "no plaintext secret in the row");
    assert.match(row.actions, /"secret":"sealed:v1:/);
    const keyFile = join(t.s.config.dataDir, "secret.key");
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  });

  test("rotation: during the overlap a delivery carries two signatures, each accepted with its secret", async () => {
    const rule = await hookRule(t, t.keys.a.admin, "rotating", hook.url);
    const old = rule.webhook_secrets["0"]!;
    const rotate = (payload: Record<string, unknown>) =>
      t.call(t.keys.a.admin, { method: "POST", url: `/v1/rules/${rule.id}/actions/0/rotate-secret`, payload });
    const r = await rotate({});
    assert.equal(r.statusCode, 200, r.body);
    const rotated = json<{ secret: string; previous_secret_until: string }>(r);
    assert.notEqual(rotated.secret, old);
    const hours = (Date.parse(rotated.previous_secret_until) - Date.now()) / 3_600_000;
    assert.ok(hours > 23.9 && hours <= 24, `default overlap 24 h, got ${hours}`);
    const shown = await t.call(t.keys.a.reader, { method: "GET", url: `/v1/rules/${rule.id}` });
    assert.ok(!shown.body.includes(rotated.secret.slice(6)) && !shown.body.includes(old.slice(6)));
    assert.match(shown.body, /"previous_secret_until"/);
    assert.match((await t.call(t.keys.a.admin, { method: "GET", url: "/v1/audit" })).body, /rule\.rotate_secret/);

    await new Promise((r) => setTimeout(r, 1100)); // the worker's rule cache (1 s)
    const before = hook.received.length;
    await submit(t, t.keys.a.submitter, 1);
    await t.drain();
    const ofRule = (d: { headers: Record<string, unknown> }) =>
      String(d.headers["webhook-id"]).endsWith(`_${rule.id}_0`);
    const got = hook.received.slice(before).find(ofRule)!;
    assert.ok(got, "the rotated rule's delivery arrived");
    const signatures = String(got.headers["webhook-signature"]).split(" ");
    assert.equal(signatures.length >= 2, true, String(got.headers["webhook-signature"]));
    const headers = {
      "webhook-id": String(got.headers["webhook-id"]),
      "webhook-timestamp": String(got.headers["webhook-timestamp"]),
      "webhook-signature": String(got.headers["webhook-signature"]),
    };
    for (const secret of [rotated.secret, old]) assert.ok(new Webhook(secret).verify(got.body, headers));
    assert.throws(() => new Webhook("whsec_" + Buffer.alloc(32, 9).toString("base64")).verify(got.body, headers));

    // With no overlap, the old secret stops signing at once.
    const again = json<{ secret: string }>(await rotate({ overlap_hours: 0 }));
    await new Promise((r) => setTimeout(r, 1100));
    const n = hook.received.length;
    await submit(t, t.keys.a.submitter, 1);
    await t.drain();
    const last = hook.received.slice(n).find(ofRule)!;
    assert.equal(String(last.headers["webhook-signature"]).split(" ").length, 1);
    assert.ok(new Webhook(again.secret).verify(last.body, headersOf(last)));
    assert.throws(() => new Webhook(rotated.secret).verify(last.body, headersOf(last)));

    const bad = await rotate({ secret: "whsec_" + Buffer.alloc(8).toString("base64") + "AAAAAAAAAAAAAAAAAAAA" });
    assert.equal(bad.statusCode, 400);
    assert.equal(
      (
        await t.call(t.keys.a.admin, {
          method: "POST",
          url: `/v1/rules/${rule.id}/actions/3/rotate-secret`,
          payload: {},
        })
      ).statusCode,
      400,
    );
  });
});

function headersOf(d: { headers: Record<string, unknown> }): Record<string, string> {
  return {
    "webhook-id": String(d.headers["webhook-id"]),
    "webhook-timestamp": String(d.headers["webhook-timestamp"]),
    "webhook-signature": String(d.headers["webhook-signature"]),
  };
}
