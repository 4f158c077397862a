/**
 * Links followed as a step of their own (issue 19, decision 0038), on SQLite and PostgreSQL,
 * with the workers running and real hosts on loopback: an item's direct match is committed
 * and its webhook sent while the shortener behind its link has not answered yet (the host
 * holds the request until the test lets it go — no timing is asserted); the hop match found
 * after is stored on the same item, with the chain, and fires the rule once more with a
 * delivery id of its own and an event marked "via": "links". A "links" job is durable: the
 * services stopped after the direct commit, with a worker holding the job when it "died",
 * are opened again and the job runs — nothing is lost, nothing recorded twice.
 */

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { closeServices, openServices, startWorkers } from "../../src/server/services.js";
import { answer, loopbackResolver, startLinkHost, type LinkHost } from "../support/link-hosts.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { startReceiver, type Receiver } from "../support/receiver.js";
import { json, startTestService, type TestService } from "../support/service.js";
import { untilValue } from "../support/faults.js";

const pgSkip = await postgresSkip().catch((error: unknown) => `PostgreSQL unreachable: ${String(error)}`);

interface ItemView {
  readonly status: string;
  readonly matches: { signal_id?: number; signalId?: number; type: string }[];
  readonly hashes: { links_pending?: boolean; links?: { url: string; hops: string[] }[] };
}

interface Event {
  readonly type: string;
  readonly data: {
    item: { id: number };
    via?: string;
    hashes: ItemView["hashes"];
    matches: { signalId: number }[];
  };
}

/** A list of shorteners naming `slow.test` (beside the built-in list). */
function shortenerList(): string {
  const list = join(mkdtempSync(join(tmpdir(), "rasd-shorteners-")), "shorteners.txt");
  writeFileSync(list, "slow.test\n");
  return list;
}

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`links followed after the direct matches (${backend})`, { skip: backend === "postgres" && pgSkip }, () => {
    let files: LinkHost;
    let slow: LinkHost;
    let hook: Receiver;
    /** Requests the slow shortener holds until `open` (the host "waits" as long as the test says). */
    const held: (() => void)[] = [];
    let open = false;
    // The held request must outlast the test's wait for the first webhook on a loaded machine.
    const env = () => ({
      RASD_LINK_ALLOW_PRIVATE: "1",
      RASD_SHORTENERS: shortenerList(),
      RASD_LINK_TIMEOUT_MS: "120000",
    });
    const resolve = () => loopbackResolver(["files.test", "slow.test"]);

    before(async () => {
      files = await startLinkHost("files.test", answer(200));
      const redirect = (req: IncomingMessage, res: ServerResponse) =>
        answer(301, { location: `http://files.test:${files.port}/release.mp4` })(req, res);
      slow = await startLinkHost("slow.test", (req, res) => {
        if (open) redirect(req, res);
        else held.push(() => redirect(req, res));
      });
      hook = await startReceiver();
    });
    after(async () => {
      for (const h of held) h();
      await hook.close();
      await files.close();
      await slow.close();
    });

    /** A GREEN bank of C's holding the direct URL and the one behind the shortener; returns their signal ids. */
    async function bankBoth(t: TestService, direct: string): Promise<{ direct: number; hop: number }> {
      const bank = json<{ id: number }>(
        await t.call(t.keys.c.curator, {
          method: "POST",
          url: "/v1/banks",
          payload: { name: "releases", tlp: "GREEN" },
        }),
      );
      const add = await t.call(t.keys.c.curator, {
        method: "POST",
        url: `/v1/banks/${bank.id}/signals`,
        payload: {
          signals: [
            { type: "url", value: direct, labels: { entity: ["isis"] } },
            { type: "url", value: `http://files.test:${files.port}/release.mp4`, labels: { entity: ["isis"] } },
          ],
        },
      });
      assert.equal(add.statusCode, 200, add.body);
      await t.s.matcher.sync();
      const one = (url: string) => {
        const m = t.s.matcher.matchUrl(url).matches;
        assert.equal(m.length, 1, url);
        return m[0]!.signalId;
      };
      return { direct: one(direct), hop: one(`http://files.test:${files.port}/release.mp4`) };
    }

    describe("with the workers running", () => {
      let t: TestService;
      let db: TestDatabase;
      let ids: { direct: number; hop: number };
      let itemId: number;

      before(async () => {
        db = backend === "sqlite" ? sqliteDatabase() : await postgresDatabase();
        t = await startTestService({ db, env: env(), linkResolve: resolve() });
        const rule = await t.call(t.keys.a.admin, {
          method: "POST",
          url: "/v1/rules",
          payload: {
            name: "urls",
            conditions: { signal_types: ["url"] },
            actions: [{ type: "webhook", url: hook.url }],
          },
        });
        assert.equal(rule.statusCode, 201, rule.body);
        ids = await bankBoth(t, `http://slow.test:${slow.port}/direct`);
      });
      after(async () => {
        await t.close();
        await db.drop();
      });

      it("acts on the item's direct match while the shortener behind its link has not answered", async () => {
        open = false;
        const r = await t.call(t.keys.a.submitter, {
          method: "POST",
          url: "/v1/content",
          headers: { "idempotency-key": "slow-1" },
          payload: { url: `http://slow.test:${slow.port}/direct` },
        });
        assert.equal(r.statusCode, 202, r.body);
        itemId = json<{ id: number }>(r).id;
        await hook.waitFor(1, 30_000);
        // The shortener was asked (or is about to be) and has not answered: nothing was released.
        assert.equal(open, false);
        const event = JSON.parse(hook.received[0]!.body) as Event;
        assert.equal(event.type, "content.matched");
        assert.equal(event.data.item.id, itemId);
        assert.equal(event.data.via, undefined);
        assert.deepEqual(
          event.data.matches.map((m) => m.signalId),
          [ids.direct],
        );
        assert.equal(event.data.hashes.links_pending, true);
        assert.equal(event.data.hashes.links, undefined);
        const view = json<ItemView>(await t.call(t.keys.a.submitter, { method: "GET", url: `/v1/content/${itemId}` }));
        assert.notEqual(view.status, "received");
        assert.equal(view.hashes.links_pending, true);
        assert.equal(view.matches.length, 1);
        // The "links" job waits (leased by the worker, whose request the host holds).
        const counts = await t.s.jobs.counts();
        assert.equal((counts["links.queued"] ?? 0) + (counts["links.running"] ?? 0), 1, JSON.stringify(counts));
      });

      it("stores the match found behind the link on the same item and fires the rule for it (via links)", async () => {
        open = true;
        for (const h of held.splice(0)) h();
        await hook.waitFor(2, 30_000);
        const event = JSON.parse(hook.received[1]!.body) as Event;
        assert.equal(event.type, "content.matched");
        assert.equal(event.data.via, "links");
        assert.equal(event.data.item.id, itemId);
        assert.deepEqual(
          event.data.matches.map((m) => m.signalId),
          [ids.hop],
        );
        assert.equal(event.data.hashes.links_pending, undefined);
        assert.equal(event.data.hashes.links?.[0]?.hops[1], `http://files.test:${files.port}/release.mp4`);
        const ids1 = hook.received.map((h) => String(h.headers["webhook-id"]));
        assert.equal(new Set(ids1).size, 2, ids1.join(" "));
        assert.ok(ids1[1]!.endsWith("_links"), ids1[1]);
        const view = await untilValue("the item to show its links", async () => {
          const v = json<ItemView>(await t.call(t.keys.a.submitter, { method: "GET", url: `/v1/content/${itemId}` }));
          return v.hashes.links && v.status === "done" ? v : undefined;
        });
        assert.equal(view.hashes.links_pending, undefined);
        assert.equal(view.matches.length, 2);
        assert.equal((await t.s.stores.links.expansions({ itemId })).length, 1);
        await t.drain();
        assert.equal(hook.received.length, 2);
      });

      it("an item without links is matched and acted on as before: no links job, no second event", async () => {
        const before = hook.received.length;
        const r = await t.call(t.keys.a.submitter, {
          method: "POST",
          url: "/v1/content",
          headers: { "idempotency-key": "plain-1" },
          payload: { url: `http://files.test:${files.port}/release.mp4` },
        });
        assert.equal(r.statusCode, 202, r.body);
        await hook.waitFor(before + 1, 30_000);
        await t.drain();
        const event = JSON.parse(hook.received[before]!.body) as Event;
        assert.equal(event.data.via, undefined);
        assert.equal(event.data.hashes.links_pending, undefined);
        assert.equal(hook.received.length, before + 1);
      });
    });

    it("a links job outlives the process: stopped after the direct commit, its worker dead, it runs after a restart", async () => {
      open = true;
      const db = backend === "sqlite" ? sqliteDatabase() : await postgresDatabase();
      const t = await startTestService({ db, env: env(), linkResolve: resolve(), workers: false });
      let s2: Awaited<ReturnType<typeof openServices>> | undefined;
      // A receiver of its own: item ids start at 1 on every database.
      const own = await startReceiver();
      try {
        const rule = await t.call(t.keys.a.admin, {
          method: "POST",
          url: "/v1/rules",
          payload: {
            name: "urls",
            conditions: { signal_types: ["url"] },
            actions: [{ type: "review" }, { type: "webhook", url: own.url }],
          },
        });
        assert.equal(rule.statusCode, 201, rule.body);
        const ids = await bankBoth(t, `http://slow.test:${slow.port}/direct`);
        const r = await t.call(t.keys.a.submitter, {
          method: "POST",
          url: "/v1/content",
          headers: { "idempotency-key": "durable-1" },
          payload: { url: `http://slow.test:${slow.port}/direct` },
        });
        assert.equal(r.statusCode, 202, r.body);
        const id = json<{ id: number }>(r).id;
        // The content step only (the links worker is not running in this "process").
        await untilValue("the content job", async () => {
          await t.s.pipeline.runOnce();
          return (await t.s.content.getItems([id]))[0]?.status === "received" ? undefined : true;
        });
        const [item] = await t.s.content.getItems([id]);
        assert.equal((JSON.parse(item!.hashes) as ItemView["hashes"]).links_pending, true);
        assert.equal((await t.s.actions.actionsOf([id])).length, 2);
        // A worker takes the links job and dies holding it (its lease runs out).
        const taken = await t.s.jobs.lease({ kind: "links", owner: "dead:1", limit: 10, leaseMs: 300 });
        assert.deepEqual(
          taken.map((j) => j.refId),
          [id],
        );
        // The process stops (the data directory and the database stay).
        await t.app.close();
        await closeServices(t.s);
        s2 = await openServices(t.s.config, { defaultMetrics: false, linkResolve: resolve() });
        await startWorkers(s2, true);
        const s = s2;
        const done = await untilValue("the links job to run after the restart", async () => {
          const [v] = await s.content.getItems([id]);
          return v && (JSON.parse(v.hashes) as ItemView["hashes"]).links ? v : undefined;
        });
        const matches = JSON.parse(done.matches) as { signalId: number }[];
        assert.deepEqual(
          matches.map((m) => m.signalId),
          [ids.direct, ids.hop],
        );
        // The rule fires again for the hop match: its webhook with an id of its own; no second
        // review entry (the item is in review already).
        const actions = await s.actions.actionsOf([id]);
        const ruleId = actions[0]!.ruleId;
        assert.deepEqual(
          actions.map((a) => a.deliveryId),
          [`msg_${id}_${ruleId}_0`, `msg_${id}_${ruleId}_1`, `msg_${id}_${ruleId}_1_links`],
        );
        assert.equal((JSON.parse(actions[2]!.payload) as Event).data.via, "links");
        // Both webhooks — the direct one queued before the stop, the hop one after — are delivered.
        await own.waitFor(2, 30_000);
        assert.deepEqual(own.received.map((h) => String(h.headers["webhook-id"])).sort(), [
          `msg_${id}_${ruleId}_1`,
          `msg_${id}_${ruleId}_1_links`,
        ]);
        const counts = await s.jobs.counts();
        assert.equal((counts["links.queued"] ?? 0) + (counts["links.running"] ?? 0), 0, JSON.stringify(counts));
      } finally {
        if (s2) await closeServices(s2);
        await own.close();
        await db.drop();
      }
    });
  });
}
