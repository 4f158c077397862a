/**
 * The links step's gaps closed (decision 0041), on SQLite and PostgreSQL, with real hosts on
 * loopback:
 *
 * - a match found only behind an item's link, for a signal of an active incident's bank,
 *   counts on the incident's timeline as a direct match does (the member's first match, its
 *   first action, the debrief's matched copies and uploads per hour);
 * - a "links" job that uses up its attempts — its link following fails every time, or its
 *   worker dies every time — ends the item in a terminal state, `hashes.links_failed` with the
 *   last error, shown by the API, and the job dead: nothing is left pending.
 */

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import type { LinkExpander } from "../../src/services/links/expander.js";
import { answer, loopbackResolver, startLinkHost, type LinkHost } from "../support/link-hosts.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { json, startTestService, type TestService } from "../support/service.js";
import { untilValue } from "../support/faults.js";

const pgSkip = await postgresSkip().catch((error: unknown) => `PostgreSQL unreachable: ${String(error)}`);

interface ItemView {
  readonly status: string;
  readonly matches: unknown[];
  readonly hashes: {
    links_pending?: boolean;
    links?: unknown[];
    links_failed?: { error: string; attempts: number; at: string };
  };
}

interface DebriefBody {
  readonly matched_copies?: number;
  readonly [k: string]: unknown;
}

function shortenerList(): string {
  const list = join(mkdtempSync(join(tmpdir(), "rasd-shorteners-")), "shorteners.txt");
  writeFileSync(list, "short.test\n");
  return list;
}

/** The expander the links step uses (the link service holds the same one). */
function expanderOf(t: TestService): LinkExpander {
  return (t.s.links as unknown as { expander: LinkExpander }).expander;
}

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`links step: incidents and given-up jobs (${backend})`, { skip: backend === "postgres" && pgSkip }, () => {
    let files: LinkHost;
    let short: LinkHost;
    let t: TestService;
    let db: TestDatabase;
    let seq = 0;

    before(async () => {
      files = await startLinkHost("files.test", answer(200));
      short = await startLinkHost("short.test", (req: IncomingMessage, res: ServerResponse) =>
        answer(301, { location: `http://files.test:${files.port}/release${req.url ?? "/"}` })(req, res),
      );
      db = backend === "sqlite" ? sqliteDatabase() : await postgresDatabase();
      t = await startTestService({
        db,
        env: { RASD_LINK_ALLOW_PRIVATE: "1", RASD_SHORTENERS: shortenerList() },
        linkResolve: loopbackResolver(["files.test", "short.test"]),
        workers: false,
      });
      const rule = await t.call(t.keys.a.admin, {
        method: "POST",
        url: "/v1/rules",
        payload: {
          name: "urls",
          conditions: { signal_types: ["url"] },
          actions: [{ type: "webhook", url: "http://127.0.0.1:9/hook" }],
        },
      });
      assert.equal(rule.statusCode, 201, rule.body);
    });
    after(async () => {
      await t.close();
      await db.drop();
      await files.close();
      await short.close();
    });

    /** A submits a short link (not banked itself); the content step runs; returns the item id. */
    async function submitShort(path: string): Promise<number> {
      const r = await t.call(t.keys.a.submitter, {
        method: "POST",
        url: "/v1/content",
        headers: { "idempotency-key": `gaps-${++seq}` },
        payload: { url: `http://short.test:${short.port}${path}` },
      });
      assert.equal(r.statusCode, 202, r.body);
      const id = json<{ id: number }>(r).id;
      await untilValue("the content step", async () => {
        await t.s.pipeline.runOnce();
        return (await t.s.content.getItems([id]))[0]?.status === "received" ? undefined : true;
      });
      const [item] = await t.s.content.getItems([id]);
      assert.equal((JSON.parse(item!.hashes) as ItemView["hashes"]).links_pending, true);
      return id;
    }

    const view = async (id: number) =>
      json<ItemView>(await t.call(t.keys.a.submitter, { method: "GET", url: `/v1/content/${id}` }));

    it("a match behind a link, in an incident's bank, is on the incident's timeline like a direct one", async () => {
      const declared = await t.call(t.keys.b.admin, {
        method: "POST",
        url: "/v1/incidents",
        payload: {
          tier: 1,
          title: "Release behind shorteners",
          signals: [{ type: "url", value: `http://files.test:${files.port}/release/inc` }],
        },
      });
      assert.equal(declared.statusCode, 201, declared.body);
      const incidentId = json<{ id: number }>(declared).id;
      await t.s.matcher.sync();
      t.s.access.invalidate();
      t.s.pipeline.invalidateRules();
      const id = await submitShort("/inc");
      // The direct step found nothing (the short link is not banked): no match on the timeline yet.
      assert.equal((await t.s.stores.incidents.events(incidentId)).filter((e) => e.kind === "match").length, 0);
      await untilValue("the links step", async () => {
        await t.s.pipeline.followLinksOnce();
        return (await view(id)).hashes.links ? true : undefined;
      });
      const events = await t.s.stores.incidents.events(incidentId);
      const match = events.filter((e) => e.kind === "match");
      assert.deepEqual(
        match.map((e) => [e.orgId, e.itemId]),
        [[t.orgs.a.id, id]],
      );
      // The rule's webhook fired on the hop match: the member acted.
      assert.deepEqual(
        events.filter((e) => e.kind === "action").map((e) => [e.orgId, e.itemId]),
        [[t.orgs.a.id, id]],
      );
      const { debrief } = await t.s.incidents.debrief(incidentId);
      assert.equal(debrief.matchedCopies, 1);
      assert.equal(debrief.actionedCopies, 1);
      const a = debrief.members.find((m) => m.orgId === t.orgs.a.id)!;
      assert.equal(a.firstMatchAt, match[0]!.at);
      assert.equal(a.matched, 1);
      assert.equal(
        debrief.uploadsPerHour.reduce((n, [, k]) => n + k, 0),
        1,
      );
      // And through the API's debrief.
      const r = await t.call(t.keys.b.admin, { method: "GET", url: `/v1/incidents/${incidentId}/debrief` });
      assert.equal(r.statusCode, 200, r.body);
      assert.match(r.body, /"matched_copies":1/);
      json<DebriefBody>(r);
    });

    it("a links job whose following fails every time ends links_failed with the last error, not pending", async () => {
      const expander = expanderOf(t);
      const expandItem = expander.expandItem.bind(expander);
      let calls = 0;
      expander.expandItem = () => {
        calls++;
        return Promise.reject(new Error(`connection reset by short.test (attempt ${calls})`));
      };
      // Retried at once (the backoff is not under test here).
      const retryOrBury = t.s.jobs.retryOrBury.bind(t.s.jobs);
      t.s.jobs.retryOrBury = (job, error) => retryOrBury(job, error, Date.now());
      try {
        const id = await submitShort("/fails");
        const failed = await untilValue("the item to say its links failed", async () => {
          await t.s.pipeline.followLinksOnce();
          const v = await view(id);
          return v.hashes.links_failed ? v : undefined;
        });
        assert.equal(calls, 5);
        assert.equal(failed.hashes.links_pending, undefined);
        assert.equal(failed.hashes.links, undefined);
        assert.equal(failed.hashes.links_failed!.attempts, 5);
        assert.match(failed.hashes.links_failed!.error, /connection reset by short\.test \(attempt 5\)/);
        assert.ok(!Number.isNaN(Date.parse(failed.hashes.links_failed!.at)));
        assert.notEqual(failed.status, "received");
        const counts = await t.s.jobs.counts();
        assert.equal((counts["links.queued"] ?? 0) + (counts["links.running"] ?? 0), 0, JSON.stringify(counts));
        assert.equal(counts["links.dead"], 1, JSON.stringify(counts));
        // Nothing more runs for it.
        assert.equal(await t.s.pipeline.followLinksOnce(), 0);
        assert.equal(calls, 5);
      } finally {
        expander.expandItem = expandItem;
        t.s.jobs.retryOrBury = retryOrBury;
      }
    });

    it("a links job whose worker dies every time is given up after its attempts: links_failed, job dead", async () => {
      const id = await submitShort("/kills");
      // Five workers take the job and die holding it (their leases run out; each counts an attempt).
      for (let i = 0; i < 5; i++) {
        const taken = await t.s.jobs.lease({ kind: "links", owner: `dead:${i}`, limit: 10, leaseMs: 1 });
        assert.deepEqual(
          taken.map((j) => j.refId),
          [id],
        );
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(await t.s.jobs.reclaim("links"), 1);
      }
      const expander = expanderOf(t);
      const expandItem = expander.expandItem.bind(expander);
      let calls = 0;
      expander.expandItem = (...args) => {
        calls++;
        return expandItem(...args);
      };
      try {
        assert.equal(await t.s.pipeline.followLinksOnce(), 1);
        // Not followed a sixth time.
        assert.equal(calls, 0);
      } finally {
        expander.expandItem = expandItem;
      }
      const v = await view(id);
      assert.equal(v.hashes.links_pending, undefined);
      assert.equal(v.hashes.links_failed!.attempts, 6);
      assert.match(v.hashes.links_failed!.error, /the links worker stopped 5 times while following this item's links/);
      const counts = await t.s.jobs.counts();
      assert.equal((counts["links.queued"] ?? 0) + (counts["links.running"] ?? 0), 0, JSON.stringify(counts));
      assert.equal(counts["links.dead"], 2, JSON.stringify(counts));
    });
  });
}
