/**
 * Following links and checking them, against real HTTP servers on loopback playing the
 * hosts: a shortener redirecting (and one with a refresh page), a host refusing HEAD, a file
 * that goes 404 and a paste that shows a "removed" page after a while, a host that
 * rate-limits with 429, a redirect loop. Reached through the test-only private allow-list;
 * without it loopback is refused, as in production.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { isRasdError, type RasdError } from "../../src/core/errors.js";
import { DEFAULT_SHORTENERS, mergeShortenerSets, shortenerSet } from "../../src/kernels/url/index.js";
import { AccessService } from "../../src/services/access.js";
import { LinkExpander } from "../../src/services/links/expander.js";
import {
  DEFAULT_LINK_HTTP,
  chainStatus,
  followChain,
  retryAfterMs,
  type LinkHttp,
} from "../../src/services/links/follow.js";
import { LINK_ALERT_PREFIX, LinkLiveness } from "../../src/services/links/liveness.js";
import { openStores } from "../../src/storage/open.js";
import type { Accepted, ContentItem, NewContent, Stores } from "../../src/storage/ports/index.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { answer, loopbackResolver, startLinkHost, type LinkHost } from "../support/link-hosts.js";

const NAMES = ["short.test", "files.test", "nohead.test", "busy.test", "pastebin.com", "loop.test", "silent.test"];

describe("links: following and checking against loopback hosts", () => {
  let short: LinkHost;
  let files: LinkHost;
  let nohead: LinkHost;
  let busy: LinkHost;
  let paste: LinkHost;
  let loop: LinkHost;
  let http: LinkHttp;
  const shorteners = mergeShortenerSets(DEFAULT_SHORTENERS, shortenerSet(["short.test"]));
  let fileGone = false;
  let pasteGone = false;

  before(async () => {
    files = await startLinkHost("files.test", (req, res) => {
      if (req.url === "/release.mp4" || req.url === "/other.mp4")
        return answer(fileGone ? 404 : 200, { "content-type": "video/mp4" })(req, res);
      answer(404)(req, res);
    });
    short = await startLinkHost("short.test", (req, res) => {
      if (req.url === "/abc") return answer(301, { location: `${files.origin}/release.mp4` })(req, res);
      if (req.url === "/two") return answer(302, { location: "/abc" })(req, res);
      if (req.url === "/meta")
        return answer(
          200,
          { "content-type": "text/html" },
          `<html><head><meta http-equiv="refresh" content="0; url=${files.origin}/release.mp4"></head></html>`,
        )(req, res);
      answer(404)(req, res);
    });
    nohead = await startLinkHost("nohead.test", (req, res) =>
      req.method === "HEAD"
        ? answer(405)(req, res)
        : answer(302, { location: `${files.origin}/release.mp4` })(req, res),
    );
    busy = await startLinkHost("busy.test", answer(429, { "retry-after": "120" }));
    paste = await startLinkHost("pastebin.com", (req, res) =>
      answer(
        200,
        { "content-type": "text/html" },
        pasteGone ? "<h1>This paste has been removed!</h1>" : "<pre>text</pre>",
      )(req, res),
    );
    loop = await startLinkHost("loop.test", (req, res) =>
      answer(302, { location: req.url === "/a" ? "/b" : "/a" })(req, res),
    );
    http = { ...DEFAULT_LINK_HTTP, allowPrivate: true, timeoutMs: 3000, maxHops: 6, resolve: loopbackResolver(NAMES) };
  });
  after(async () => {
    for (const h of [short, files, nohead, busy, paste, loop]) await h.close();
  });

  it("follows a shortener's redirects hop by hop, recording each (HEAD first)", async () => {
    const chain = await followChain(`${short.origin}/two`, http, { shorteners });
    assert.deepEqual(
      chain.hops.map((h) => [h.method, new URL(h.url).host, new URL(h.url).pathname, h.status]),
      [
        ["HEAD", `short.test:${short.port}`, "/two", 302],
        ["HEAD", `short.test:${short.port}`, "/abc", 301],
        ["HEAD", `files.test:${files.port}`, "/release.mp4", 200],
      ],
    );
    assert.equal(chain.finalUrl, `${files.origin}/release.mp4`);
    assert.equal(chainStatus(chain).status, "online");
  });

  it("reads a shortener's refresh page; falls back to GET when HEAD is refused", async () => {
    const meta = await followChain(`${short.origin}/meta`, http, { shorteners });
    assert.equal(meta.finalUrl, `${files.origin}/release.mp4`);
    assert.ok(meta.hops.some((h) => h.method === "GET" && h.location === `${files.origin}/release.mp4`));
    const refused = await followChain(`${nohead.origin}/x`, http);
    assert.deepEqual(
      refused.hops.map((h) => [h.method, h.status]),
      [
        ["HEAD", 405],
        ["GET", 302],
        ["HEAD", 200],
      ],
    );
  });

  it("stops a redirect loop after the hop limit", async () => {
    const chain = await followChain(`${loop.origin}/a`, http);
    assert.equal(chain.hops.length, http.maxHops);
    assert.match(chain.error ?? "", /more than 6 requests/);
    assert.equal(chainStatus(chain).status, "error");
  });

  it("says removed for 404 and for a platform's removed page; error (with Retry-After) for 429", async () => {
    fileGone = true;
    const gone = await followChain(`${short.origin}/abc`, http, { shorteners });
    assert.equal(chainStatus(gone).status, "removed");
    fileGone = false;
    const live = await followChain(`${paste.origin}/abc`, http, { readFinal: () => true });
    assert.equal(chainStatus(live).status, "online");
    pasteGone = true;
    const removed = await followChain(`${paste.origin}/abc`, http, { readFinal: () => true });
    assert.deepEqual(chainStatus(removed), { status: "removed", detail: `HTTP 200: the host's "removed" page` });
    pasteGone = false;
    const limited = await followChain(`${busy.origin}/f`, http);
    assert.equal(chainStatus(limited).status, "error");
    assert.equal(limited.retryAfterMs, 120_000);
    assert.equal(retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 07:27:00 GMT")), 60_000);
    assert.equal(retryAfterMs("soon", 0), undefined);
  });

  it("production refuses loopback: without the allow-list nothing is fetched", async () => {
    const before = files.requests.length;
    const chain = await followChain(`${files.origin}/release.mp4`, { ...http, allowPrivate: false });
    assert.equal(chainStatus(chain).status, "error");
    assert.match(chain.error ?? "", /non-public address.*RASD_LINK_ALLOW_PRIVATE/);
    assert.equal(files.requests.length, before, "no request reached the host");
    const literal = await followChain("http://127.0.0.1:9/x", DEFAULT_LINK_HTTP);
    assert.match(literal.error ?? "", /not a public address/);
    // The setting is off unless set to 1.
    assert.equal(loadConfig({}, {}).links.allowPrivate, false);
    assert.equal(loadConfig({}, { RASD_LINK_ALLOW_PRIVATE: "1" }).links.allowPrivate, true);
    assert.throws(
      () => loadConfig({}, { RASD_LINK_EXPAND: "some" }),
      /RASD_LINK_EXPAND: expected one of off, shorteners, all/,
    );
  });

  describe("expansion of submitted items and the liveness loop", () => {
    let database: TestDatabase;
    let mediaDir: string;
    let s: Stores;
    let access: AccessService;
    const submitted: NewContent[] = [];

    before(async () => {
      database = sqliteDatabase();
      mediaDir = mkdtempSync(join(tmpdir(), "rasd-media-"));
      s = await openStores(database.url, { mediaDir });
      access = new AccessService(s.access, s.signals);
    });
    after(async () => {
      await s.close();
      await database.drop();
      rmSync(mediaDir, { recursive: true, force: true });
    });

    function item(kind: "url" | "text", value: string): ContentItem {
      return {
        id: 42,
        orgId: 1,
        personId: 1,
        kind,
        contentId: "c",
        authorId: "",
        author: null,
        postedAt: null,
        mediaType: null,
        mediaSize: null,
        mediaKey: null,
        mediaExpiredAt: null,
        url: kind === "url" ? value : null,
        text: kind === "text" ? value : null,
        platform: "",
        country: "",
        status: "received",
        error: null,
        hashes: "{}",
        matches: "[]",
        receivedAt: 0,
        hashedAt: null,
        matchedAt: null,
        classifiedAt: null,
        actedAt: null,
      };
    }

    it("a host that does not answer is asked once, then skipped for a while: the pipeline is not held", async () => {
      const silent = await startLinkHost("silent.test", () => {
        // accepts the connection and never answers
      });
      try {
        const quick = { ...http, timeoutMs: 300 };
        const expander = new LinkExpander(
          { links: s.links, http: quick, shorteners: mergeShortenerSets(shorteners, shortenerSet(["silent.test"])) },
          "shorteners",
        );
        const first = await expander.expandItem(item("url", `${silent.origin}/x`), () => null);
        assert.ok(first.links[0]!.error, "the first ask times out");
        const asked = silent.requests.length;
        assert.ok(asked >= 1);
        const t0 = performance.now();
        const second = await expander.expandItem(item("url", `${silent.origin}/y`), () => null);
        assert.match(second.links[0]!.error ?? "", /did not answer recently/);
        assert.equal(silent.requests.length, asked, "not asked again while it is silent");
        assert.ok(performance.now() - t0 < quick.timeoutMs, "no time limit waited the second time");
        // Another host is still followed.
        const other = await expander.expandItem(item("url", `${short.origin}/abc`), () => null);
        assert.equal(other.links[0]!.finalUrl, `${files.origin}/release.mp4`);
      } finally {
        await silent.close();
      }
    });

    it("finds defanged shortener links in text and matches every hop, recording the chain", async () => {
      const expander = new LinkExpander({ links: s.links, http, shorteners }, "shorteners");
      const text = `الإصدار الجديد hxxp://short[.]test:${short.port}/abc و ${files.origin}/other`;
      assert.deepEqual(expander.targets(item("text", text)), [`http://short.test:${short.port}/abc`]);
      const seen: string[] = [];
      const r = await expander.expandItem(item("text", text), (url) => seen.push(url));
      assert.deepEqual(seen, [`${files.origin}/release.mp4`], "the hop after the shortener is matched");
      assert.equal(r.links[0]!.finalUrl, `${files.origin}/release.mp4`);
      const [recorded] = await s.links.expansions({ itemId: 42 });
      assert.equal(recorded!.url, `short.test:${short.port}/abc`);
      assert.equal(recorded!.hops.length, 2);
      assert.deepEqual(
        new LinkExpander({ links: s.links, http, shorteners }, "off").targets(item("url", `${short.origin}/abc`)),
        [],
      );
      assert.deepEqual(
        new LinkExpander({ links: s.links, http, shorteners }, "shorteners").targets(item("url", `${files.origin}/x`)),
        [],
        "not a shortener",
      );
      assert.equal(
        new LinkExpander({ links: s.links, http, shorteners }, "all").targets(item("url", `${files.origin}/x`)).length,
        1,
      );
    });

    it("checks banked links on a schedule: online, then removed; one link per host at a time; 429 backs off", async () => {
      const curator = await s.signals.createOrg("Curators", "ngo");
      const hostOrg = await s.signals.createOrg("Files", "platform");
      await s.access.createPerson(hostOrg.id, "files-admin", "admin");
      const bank = await s.signals.createBank({ orgId: curator.id, name: "RELEASES", tlp: "GREEN" });
      await s.signals.upsertSignals(bank.id, [
        { type: "url", value: `files.test:${files.port}/release.mp4` },
        { type: "url", value: `files.test:${files.port}/other.mp4` },
        { type: "url", value: `busy.test:${busy.port}/f` },
      ]);
      await s.links.addDomain(hostOrg.id, "files.test", Date.now());
      const liveness = new LinkLiveness(
        {
          links: s.links,
          signals: s.signals,
          access,
          http,
          shorteners,
          submit: (c) => {
            submitted.push(c);
            return Promise.resolve<Accepted | RasdError>({ id: 900 + submitted.length, replay: false });
          },
        },
        { owner: "t", checkMs: 3_600_000, hostGapMs: 60_000, concurrency: 8, random: () => 0.5, errorBaseMs: 1000 },
      );
      assert.equal(await liveness.enrol(), 3);
      const checked = await liveness.round();
      assert.equal(checked, 2, "one link per host: files.test once, busy.test once");
      const release = (await s.links.getByUrl(`files.test:${files.port}/release.mp4`))!;
      const other = (await s.links.getByUrl(`files.test:${files.port}/other.mp4`))!;
      const limited = (await s.links.getByUrl(`busy.test:${busy.port}/f`))!;
      const first = release.checks > 0 ? release : other;
      assert.ok(release.checks + other.checks === 1);
      assert.equal(limited.status, "error");
      assert.equal(limited.failures, 1);
      assert.ok(limited.nextCheckAt - limited.lastCheckedAt! >= 120_000, "Retry-After is honoured");
      // The next round finds files.test paced and busy.test held: nothing to check.
      assert.equal(await liveness.round(), 0);
      // The live banked link on the member's domain was alerted, once, as an item of that member.
      assert.equal((await s.links.get(first.id))!.status, "online");
      assert.equal(submitted.length, 1);
      assert.equal(submitted[0]!.orgId, hostOrg.id);
      assert.ok(submitted[0]!.contentId.startsWith(LINK_ALERT_PREFIX));
      assert.equal((await s.links.alertsOf(first.id))[0]!.itemId, 901);
      assert.equal((await s.links.alertsOf(limited.id)).length, 0, "busy.test is no member's domain");
      // The file goes away; a check asked for now sees it removed and keeps the time.
      fileGone = true;
      const after = await liveness.checkNow(release.id);
      assert.equal(after.status, "removed");
      assert.ok(after.firstOfflineAt !== null);
      const history = await s.links.checks(release.id);
      assert.equal(history[0]!.status, "removed");
      assert.equal(history[0]!.httpStatus, 404);
      fileGone = false;
      // Back-off: doubling after each error in a row, never past the interval; jitter ±10%.
      assert.equal(liveness.nextDelay(1), 1000);
      assert.equal(liveness.nextDelay(3), 4000);
      assert.equal(liveness.nextDelay(40), 3_600_000);
      assert.equal(liveness.nextDelay(0), 3_600_000);
      await assert.rejects(liveness.checkNow(999_999), (e: unknown) => isRasdError(e) && e.code === "not_found");
    });
  });
});
