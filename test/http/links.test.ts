/**
 * Links that stay down, through the API with the workers running and real hosts on loopback
 * (through the test-only allow-list, RASD_LINK_ALLOW_PRIVATE=1): a member lists its domain;
 * the liveness loop finds a banked link live there and alerts the member through its own rule
 * and signed webhook (event link.alert); a text submitted with a defanged shortener link is
 * expanded in the pipeline and the hop behind the shortener matches; the file goes 404 and a
 * check asked for now records it; the figures count the alert and its takedown. Links in
 * banks the caller may not see answer as missing; bad input gets precise errors.
 */

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startReceiver, type Receiver } from "../support/receiver.js";
import { answer, loopbackResolver, startLinkHost, type LinkHost } from "../support/link-hosts.js";
import { startTestService, type TestService } from "../support/service.js";
import { untilValue } from "../support/faults.js";

const json = <T>(r: { body: string }): T => JSON.parse(r.body) as T;

describe("links through the API", () => {
  let t: TestService;
  let files: LinkHost;
  let short: LinkHost;
  let hook: Receiver;
  let gone = false;
  let releaseUrl: string;

  before(async () => {
    files = await startLinkHost("files.test", (req, res) => answer(gone ? 404 : 200)(req, res));
    short = await startLinkHost("short.test", (req, res) =>
      answer(301, { location: `http://files.test:${files.port}/release.mp4` })(req, res),
    );
    hook = await startReceiver();
    // short.test is a shortener (an operator's list beside the built-in one).
    const list = join(mkdtempSync(join(tmpdir(), "rasd-shorteners-")), "shorteners.txt");
    writeFileSync(list, "short.test\n");
    t = await startTestService({
      env: { RASD_LINK_ALLOW_PRIVATE: "1", RASD_SHORTENERS: list },
      linkResolve: loopbackResolver(["files.test", "short.test"]),
    });
    releaseUrl = `files.test:${files.port}/release.mp4`;
  });
  after(async () => {
    await t.close();
    await hook.close();
    await files.close();
    await short.close();
  });

  it("a member lists its domains; bad and taken domains are refused precisely", async () => {
    const add = await t.call(t.keys.a.admin, {
      method: "POST",
      url: "/v1/domains",
      payload: { domain: "https://WWW.Files.test/x" },
    });
    assert.equal(add.statusCode, 201, add.body);
    assert.equal(json<{ domain: string }>(add).domain, "files.test");
    const taken = await t.call(t.keys.b.admin, {
      method: "POST",
      url: "/v1/domains",
      payload: { domain: "files.test" },
    });
    assert.equal(taken.statusCode, 409, taken.body);
    const bad = await t.call(t.keys.a.admin, { method: "POST", url: "/v1/domains", payload: { domain: "localhost" } });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(json<{ error: { code: string; message: string } }>(bad).error.message, /^domain: not a domain name/);
    const reader = await t.call(t.keys.a.reader, {
      method: "POST",
      url: "/v1/domains",
      payload: { domain: "x.example" },
    });
    assert.equal(reader.statusCode, 403);
    const list = await t.call(t.keys.a.reader, { method: "GET", url: "/v1/domains" });
    assert.deepEqual(
      json<{ domains: { domain: string }[] }>(list).domains.map((d) => d.domain),
      ["files.test"],
    );
    const missing = await t.call(t.keys.a.admin, { method: "DELETE", url: "/v1/domains/other.example" });
    assert.equal(missing.statusCode, 404);
  });

  it("alerts the host member of a live banked link through its own rule, signed, as link.alert", async () => {
    const rule = await t.call(t.keys.a.admin, {
      method: "POST",
      url: "/v1/rules",
      payload: { name: "links", conditions: { signal_types: ["url"] }, actions: [{ type: "webhook", url: hook.url }] },
    });
    assert.equal(rule.statusCode, 201, rule.body);
    const bank = json<{ id: number }>(
      await t.call(t.keys.c.curator, { method: "POST", url: "/v1/banks", payload: { name: "releases", tlp: "GREEN" } }),
    );
    const strict = json<{ id: number }>(
      await t.call(t.keys.c.curator, {
        method: "POST",
        url: "/v1/banks",
        payload: { name: "own", tlp: "AMBER+STRICT" },
      }),
    );
    for (const [id, value] of [
      [bank.id, `http://${releaseUrl}`],
      [strict.id, `http://files.test:${files.port}/secret.mp4`],
    ] as const) {
      const r = await t.call(t.keys.c.curator, {
        method: "POST",
        url: `/v1/banks/${id}/signals`,
        payload: { signals: [{ type: "url", value, labels: { entity: ["isis"] } }] },
      });
      assert.equal(r.statusCode, 200, r.body);
    }
    await t.s.links.liveness.enrol();
    await hook.waitFor(1, 20_000);
    const event = JSON.parse(hook.received[0]!.body) as { type: string; data: { hashes: { url: string } } };
    assert.equal(event.type, "link.alert");
    assert.equal(event.data.hashes.url, releaseUrl);
    assert.match(String(hook.received[0]!.headers["webhook-signature"]), /^v1,/);
    // A's reader sees the GREEN link, not C's AMBER+STRICT one.
    const seen = json<{ links: { id: number; url: string; status: string }[] }>(
      await t.call(t.keys.a.reader, { method: "GET", url: "/v1/links" }),
    ).links;
    assert.deepEqual(
      seen.map((l) => l.url),
      [releaseUrl],
    );
    const own = json<{ links: { id: number; url: string }[] }>(
      await t.call(t.keys.c.reader, { method: "GET", url: "/v1/links" }),
    ).links;
    const secret = own.find((l) => l.url.endsWith("/secret.mp4"))!;
    const hidden = await t.call(t.keys.a.reader, { method: "GET", url: `/v1/links/${secret.id}` });
    assert.equal(hidden.statusCode, 404, "a link in a bank A may not see answers as missing");
    const detail = json<{ link: { status: string }; alerts: unknown[]; checks: { hops: unknown[] }[] }>(
      await t.call(t.keys.a.reader, { method: "GET", url: `/v1/links/${seen[0]!.id}` }),
    );
    assert.equal(detail.link.status, "online");
    assert.equal(detail.alerts.length, 1);
    assert.ok(detail.checks[0]!.hops.length >= 1);
    // Only one alert however often it is checked.
    const again = await t.call(t.keys.c.curator, { method: "POST", url: `/v1/links/${seen[0]!.id}/check` });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal((await t.s.stores.links.alertsOf(seen[0]!.id)).length, 1);
  });

  it("expands a defanged shortener link in a submitted text in the pipeline: the hop behind it matches", async () => {
    const r = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      headers: { "idempotency-key": "links-text-1" },
      payload: { text: `الإصدار الجديد هنا hxxp://short[.]test:${short.port}/abc` },
    });
    assert.equal(r.statusCode, 202, r.body);
    const id = json<{ id: number }>(r).id;
    // The direct matches are committed first; the link is followed by a "links" job after (decision 0038).
    const item = await untilValue("the item's links to be followed", async () => {
      const v = json<{ status: string; matches: { type: string }[]; hashes: { links?: { hops: string[] }[] } }>(
        await t.call(t.keys.a.submitter, { method: "GET", url: `/v1/content/${id}` }),
      );
      return v.status === "received" || !v.hashes.links ? undefined : v;
    });
    assert.ok(
      item.matches.some((m) => m.type === "url"),
      JSON.stringify(item),
    );
    assert.equal(item.hashes.links?.[0]?.hops[1], `http://${releaseUrl}`);
    const expansions = await t.s.stores.links.expansions({ itemId: id });
    assert.equal(expansions.length, 1);
  });

  it("records the takedown when the file goes 404, and the figures count it", async () => {
    gone = true;
    const link = (await t.s.stores.links.getByUrl(releaseUrl))!;
    const r = await t.call(t.keys.c.curator, { method: "POST", url: `/v1/links/${link.id}/check` });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(json<{ link: { status: string; first_offline_at: string } }>(r).link.status, "removed");
    const m = await t.call(t.keys.c.reader, { method: "GET", url: "/v1/measure/links?interval=day" });
    assert.equal(m.statusCode, 200, m.body);
    const figures = json<{
      overall: {
        alerted: number;
        alerted_removed: number;
        offline: number;
        alert_to_takedown: { events: number; median_seconds: number };
      };
      by_platform: { platform: string; offline: number }[];
      by_host: { host: string; takedown: { events: number } }[];
    }>(m);
    assert.equal(figures.overall.alerted, 1);
    assert.equal(figures.overall.alerted_removed, 1);
    assert.equal(figures.overall.alert_to_takedown.events, 1);
    assert.ok(figures.overall.alert_to_takedown.median_seconds >= 0);
    assert.deepEqual(figures.by_platform.find((p) => p.platform === "Platform A")?.offline, 1);
    assert.equal(figures.by_host.find((h) => h.host === "files.test")?.takedown.events, 1);
    const bad = await t.call(t.keys.c.reader, {
      method: "GET",
      url: "/v1/measure/links?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
    });
    assert.equal(bad.statusCode, 400);
  });

  it("expands on demand with every hop matched; not a URL is a precise 400; loopback refused without the allow-list", async () => {
    const r = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/links/expand",
      payload: { url: `http://short.test:${short.port}/abc` },
    });
    assert.equal(r.statusCode, 200, r.body);
    const e = json<{ final_url: string; matches: { url: string; matches: unknown[] }[] }>(r);
    assert.equal(e.final_url, `http://${releaseUrl}`);
    assert.equal(e.matches[1]!.matches.length, 1);
    const bad = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/links/expand",
      payload: { url: "not a url" },
    });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(json<{ error: { code: string } }>(bad).error.code, "url.invalid");
  });
});
