/**
 * Opinions across systems, the gaps decision 0048 closes, on SQLite and PostgreSQL: the `taxii`
 * exchange carries opinions across pages (rasd's own server with pages of two objects; a server
 * that splits a signal's objects, and one that adds an Opinion on a later poll), TAXII writes take
 * Opinions as the caller's organisation's, ThreatExchange reactions become opinions (hand-written
 * fixtures of the documented shapes: the Graph API cannot be reached here), and a relay to a
 * signal's owner that is down is kept and sent once it is up.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { json, startTestService, type TestService } from "../support/service.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { untilValue } from "../support/faults.js";

const pgSkip = await postgresSkip();
const MD5 = (n: number) => String(n).repeat(32).slice(0, 32);
const TAXII = { accept: "application/taxii+json;version=2.1", "content-type": "application/taxii+json;version=2.1" };
type Fetched = { report: { added: number; opinions: number; skipped: number; error: string | null; steps: number } };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** A loopback server answering with `handle`. */
async function stub(
  handle: (u: URL, send: (status: number, body: unknown, headers?: Record<string, string>) => void) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) =>
    handle(new URL(req.url ?? "/", "http://x"), (status, body, headers = {}) => {
      res.writeHead(status, { "content-type": "application/taxii+json;version=2.1", ...headers });
      res.end(JSON.stringify(body));
    }),
  );
  return { server, url: await listen(server) };
}

for (const [backend, skip, open] of [
  ["SQLite", false, async () => sqliteDatabase()],
  ["PostgreSQL", pgSkip, postgresDatabase],
] as const satisfies readonly (readonly [string, string | false, () => Promise<TestDatabase>])[]) {
  describe(`opinions across systems, the gaps (${backend})`, { skip }, () => {
    let a: TestService;
    let b: TestService;
    let aUrl: string;
    let aServer: Server;
    let shared: number;
    const dbs: TestDatabase[] = [];
    const servers: Server[] = [];

    before(async () => {
      dbs.push(await open(), await open());
      a = await startTestService({ workers: false, db: dbs[0]! });
      b = await startTestService({ workers: false, db: dbs[1]!, env: { RASD_EXCHANGE_ALLOW_PRIVATE: "1" } });
      await a.app.listen({ host: "127.0.0.1", port: 0 });
      aServer = a.app.server;
      aUrl = `http://127.0.0.1:${(aServer.address() as AddressInfo).port}/`;
      shared = (await a.s.banks.createBank({ orgId: a.orgs.a.id, name: "shared", tlp: "GREEN" })).id;
      await a.s.banks.addSignals(
        shared,
        [1, 2, 3, 4, 5].map((n) => ({ line: n, raw: { type: "md5", value: MD5(n) } })),
      );
    });

    after(async () => {
      for (const s of servers) s.close();
      await b?.close();
      await a?.close();
      for (const d of dbs) await d.drop();
    });

    const atA = async (n: number) => (await a.s.store.findSignals("md5", MD5(n))).find((s) => s.bankId === shared)!;
    const bankAtB = async (name: string) => (await b.s.store.listBanks()).find((x) => x.name === name)!;
    const foreignAtB = async (bank: string, value: string) => {
      const id = (await bankAtB(bank)).id;
      const mine = (await b.s.store.findSignals("md5", value)).find((s) => s.bankId === id);
      if (!mine) return [];
      return (await b.s.store.listForeignOpinionsOf([mine.id])).map((o) => `${o.orgName ?? "-"}:${o.kind}`).sort();
    };
    const fetchAtB = async (name: string) =>
      json<Fetched>(await b.call(b.keys.b.curator, { method: "POST", url: `/c/exchange/${name}/fetch` })).report;
    const collectionOf = async (key: string) =>
      json<{ collections: { id: string; title: string }[] }>(
        await a.call(key, { method: "GET", url: "/taxii2/api/collections/", headers: TAXII }),
      ).collections.find((c) => c.title.endsWith("/shared"))!.id;

    test("taxii: rasd's own server with pages of two objects carries every opinion, and later changes", async () => {
      await a.s.banks.opinion((await atA(1)).id, a.orgs.c.id, "confirm", "");
      // Signal 4's Indicator and two Opinions: three objects, more than a page (sent whole).
      await a.s.banks.opinion((await atA(4)).id, a.orgs.c.id, "dispute", "satire");
      await a.s.banks.opinion((await atA(4)).id, a.orgs.b.id, "saw-it-too", "");
      const collection = await collectionOf(a.keys.b.reader);
      const made = await b.call(b.keys.b.curator, {
        method: "POST",
        url: "/c/exchanges",
        payload: {
          bank: "SMALL_PAGES",
          api: "taxii",
          api_json: { collection_url: `${aUrl}taxii2/api/collections/${collection}/`, page_size: 2 },
          credential_json: { api_key: a.keys.b.reader },
          tlp: "GREEN",
        },
      });
      assert.equal(made.statusCode, 201, made.body);
      const first = await fetchAtB("SMALL_PAGES");
      assert.equal(first.error, null);
      assert.ok(first.steps >= 4, `several pages (${first.steps})`);
      assert.equal(first.added, 5);
      assert.deepEqual(await foreignAtB("SMALL_PAGES", MD5(1)), ["NGO C:confirm"]);
      assert.deepEqual(await foreignAtB("SMALL_PAGES", MD5(4)), ["Government B:saw-it-too", "NGO C:dispute"]);
      await a.s.banks.retractOpinion((await atA(4)).id, a.orgs.c.id);
      await a.s.banks.opinion((await atA(2)).id, a.orgs.c.id, "false-positive", "");
      const second = await fetchAtB("SMALL_PAGES");
      assert.equal(second.error, null);
      assert.deepEqual(await foreignAtB("SMALL_PAGES", MD5(4)), ["Government B:saw-it-too"]);
      assert.deepEqual(await foreignAtB("SMALL_PAGES", MD5(2)), ["NGO C:false-positive"]);
      const tooBig = await b.call(b.keys.b.curator, {
        method: "POST",
        url: "/c/exchanges",
        payload: { bank: "TOO_BIG", api: "taxii", api_json: { collection_url: aUrl, page_size: 5000 } },
      });
      assert.equal(tooBig.statusCode, 400);
      assert.match(tooBig.body, /page_size: at most 1000/);
    });

    test("taxii: a server that splits a signal's objects, and an Opinion on a later poll", async () => {
      const ind = (n: number) => ({
        type: "indicator",
        spec_version: "2.1",
        id: `indicator--0000000${n}-0000-4000-8000-000000000000`,
        created: `2026-01-01T00:00:0${n}.000Z`,
        modified: `2026-01-01T00:00:0${n}.000Z`,
        valid_from: `2026-01-01T00:00:0${n}.000Z`,
        pattern: `[file:hashes.MD5 = '${MD5(n)}']`,
        pattern_type: "stix",
      });
      const op = (id: number, n: number, opinion: string, author: string) => ({
        type: "opinion",
        spec_version: "2.1",
        id: `opinion--0000000${id}-0000-4000-8000-000000000000`,
        created: "2026-01-01T00:00:09.000Z",
        modified: "2026-01-01T00:00:09.000Z",
        opinion,
        authors: [author],
        object_refs: [ind(n).id],
      });
      const requests: string[] = [];
      const { server, url } = await stub((u, send) => {
        requests.push(u.pathname + u.search);
        const byId = /\/objects\/(indicator--[^/]+)\/$/.exec(u.pathname)?.[1];
        if (byId) {
          const n = [6, 7].find((k) => ind(k).id === byId);
          return n ? send(200, { more: false, objects: [ind(n)] }) : send(404, { title: "not found" });
        }
        const last = { "x-taxii-date-added-last": "2026-01-01T00:00:09.000Z" };
        if (u.searchParams.get("added_after"))
          // The later poll: an Opinion added since, and one about an Indicator the collection lacks.
          return send(
            200,
            { more: false, objects: [op(3, 6, "agree", "Org Three"), op(4, 9, "agree", "Org Four")] },
            last,
          );
        if (u.searchParams.get("next") === "p2")
          return send(200, { more: false, objects: [ind(7), op(2, 6, "disagree", "Org Two")] }, last);
        // Page one: an Opinion about an Indicator of the next page comes first.
        return send(200, { more: true, next: "p2", objects: [op(1, 7, "strongly-disagree", "Org One"), ind(6)] });
      });
      servers.push(server);
      const made = await b.call(b.keys.b.curator, {
        method: "POST",
        url: "/c/exchanges",
        payload: {
          bank: "SPLIT",
          api: "taxii",
          api_json: { collection_url: `${url}collections/c1/` },
          tlp: "GREEN",
        },
      });
      assert.equal(made.statusCode, 201, made.body);
      const first = await fetchAtB("SPLIT");
      assert.equal(first.error, null);
      assert.deepEqual(await foreignAtB("SPLIT", MD5(7)), ["Org One:false-positive"]);
      assert.deepEqual(await foreignAtB("SPLIT", MD5(6)), ["Org Two:dispute"]);
      const second = await fetchAtB("SPLIT");
      assert.equal(second.error, null);
      assert.equal(second.skipped, 1, "the opinion whose indicator the collection lacks");
      assert.deepEqual(await foreignAtB("SPLIT", MD5(6)), ["Org Three:saw-it-too", "Org Two:dispute"]);
      assert.ok(requests.some((r) => r.includes(`/objects/${ind(7).id}/`)));
    });

    test("TAXII writes: Opinions are the caller's organisation's, with failures that say why", async () => {
      const collection = await collectionOf(a.keys.b.curator);
      const objects = json<{ objects: Record<string, unknown>[] }>(
        await a.call(a.keys.b.curator, {
          method: "GET",
          url: `/taxii2/api/collections/${collection}/objects/?match[type]=indicator`,
          headers: TAXII,
        }),
      ).objects;
      const target = (await atA(3)).id;
      const indicatorOf3 = objects.find((o) => String(o.pattern).includes(MD5(3)))!.id as string;
      const opinion = (n: number, extra: Record<string, unknown>) => ({
        type: "opinion",
        spec_version: "2.1",
        id: `opinion--1000000${n}-0000-4000-8000-000000000000`,
        created: "2026-02-01T00:00:00.000Z",
        modified: "2026-02-01T00:00:00.000Z",
        opinion: "strongly-disagree",
        object_refs: [indicatorOf3],
        ...extra,
      });
      const post = (key: string, list: unknown[]) =>
        a.call(key, {
          method: "POST",
          url: `/taxii2/api/collections/${collection}/objects/`,
          headers: TAXII,
          payload: { objects: list },
        });
      // Government B may read Platform A's collection, not write it: Opinions alone are taken.
      const r = await post(a.keys.b.curator, [
        opinion(1, { explanation: "a news report", authors: [a.orgs.b.name] }),
        opinion(2, { authors: [a.orgs.c.name] }),
        opinion(3, { opinion: "neutral" }),
        opinion(4, { object_refs: ["indicator--00000000-0000-4000-8000-00000000abcd"] }),
      ]);
      assert.equal(r.statusCode, 202, r.body);
      const status = json<{ success_count: number; failures: { id: string; message: string }[] }>(r);
      assert.equal(status.success_count, 1);
      assert.deepEqual(
        status.failures.map((f) => f.message.replace(/^opinion--\S+: /, "")),
        [
          `its author is "${a.orgs.c.name}": a member writes its own organisation's opinion only (${a.orgs.b.name})`,
          `opinion "neutral" has no rasd kind (rasd reads strongly-agree, agree, disagree, strongly-disagree)`,
          `its indicator indicator--00000000-0000-4000-8000-00000000abcd is not in collection ${collection}`,
        ],
      );
      assert.deepEqual(
        (await a.s.store.listOpinions(target)).map((o) => [o.orgId, o.kind, o.note]),
        [[a.orgs.b.id, "false-positive", "a news report"]],
      );
      // A revoked Opinion takes it back.
      const back = await post(a.keys.b.curator, [opinion(1, { revoked: true, modified: "2026-02-02T00:00:00.000Z" })]);
      assert.equal(json<{ success_count: number }>(back).success_count, 1, back.body);
      assert.deepEqual(await a.s.store.listOpinions(target), []);
      // Indicators beside them still need a writable collection; readers write nothing.
      const mixed = await post(a.keys.b.curator, [objects[0], opinion(5, {})]);
      assert.equal(mixed.statusCode, 403);
      assert.match(mixed.body, /Opinions alone/);
      assert.equal((await post(a.keys.b.reader, [opinion(6, {})])).statusCode, 403);
      // The bank's own organisation: an Indicator and an Opinion of it in one envelope.
      const own = await post(a.keys.a.curator, [
        {
          type: "indicator",
          spec_version: "2.1",
          id: "indicator--20000000-0000-4000-8000-000000000000",
          created: "2026-02-01T00:00:00.000Z",
          modified: "2026-02-01T00:00:00.000Z",
          valid_from: "2026-02-01T00:00:00.000Z",
          pattern: `[file:hashes.MD5 = '${"a".repeat(32)}']`,
          pattern_type: "stix",
        },
        opinion(7, { object_refs: ["indicator--20000000-0000-4000-8000-000000000000"], opinion: "strongly-agree" }),
      ]);
      assert.equal(json<{ success_count: number }>(own).success_count, 2, own.body);
      const added = (await a.s.store.findSignals("md5", "a".repeat(32)))[0]!;
      assert.deepEqual(
        (await a.s.store.listOpinions(added.id)).map((o) => [o.orgId, o.kind]),
        [[a.orgs.a.id, "confirm"]],
      );
    });

    test("ThreatExchange reactions become opinions (fixtures of the documented shapes)", async () => {
      let round = 0;
      const asked: string[] = [];
      const { server, url } = await stub((u, send) => {
        asked.push(u.searchParams.get("fields") ?? "");
        round++;
        const reactions =
          round === 1
            ? [
                {
                  id: "d1",
                  owner: { id: "444", name: "Owner App" },
                  reactions: {
                    HELPFUL: [{ id: "111", name: "App One" }],
                    SAW_THIS_TOO: [{ id: "222", name: "App Two" }],
                  },
                },
                {
                  id: "d2",
                  reactions: [
                    { key: "NON_MALICIOUS", value: [{ id: "222", name: "App Two" }] },
                    { key: "INGESTED", value: [{ id: "333", name: "App Three" }] },
                    { key: "DISAGREE_WITH_TAGS", value: [{ id: "999", name: "This app" }] },
                  ],
                },
              ]
            : [{ id: "d1", reactions: { DISAGREE_WITH_TAGS: [{ id: "111", name: "App One" }] } }];
        send(200, {
          data: [
            {
              id: "7001",
              indicator: MD5(8),
              type: "HASH_MD5",
              last_updated: 1767225600 + round,
              should_delete: false,
              descriptors: { data: reactions },
            },
          ],
          paging: { cursors: { after: "x" } },
        });
      });
      servers.push(server);
      const made = await b.call(b.keys.b.curator, {
        method: "POST",
        url: "/c/exchanges",
        payload: {
          bank: "TE_GROUP",
          api: "fb_threatexchange",
          api_json: { privacy_group: 1234, graph_url: url, reactions: true },
          credential_json: { api_token: "999|secret" },
          tlp: "GREEN",
        },
      });
      assert.equal(made.statusCode, 201, made.body);
      assert.equal((await fetchAtB("TE_GROUP")).error, null);
      assert.match(asked[0]!, /descriptors\{id,owner\{id,name\},reactions\}/);
      const held = async () => {
        const bank = await bankAtB("TE_GROUP");
        const s = (await b.s.store.listSignals(bank.id, { limit: 5 }))[0]!;
        return (await b.s.store.listForeignOpinionsOf([s.id])).map((o) => `${o.orgName}:${o.kind}`).sort();
      };
      // App Two's NON_MALICIOUS outweighs its SAW_THIS_TOO; INGESTED is no opinion; this app's own is left out.
      assert.deepEqual(await held(), ["App One:confirm", "App Two:false-positive"]);
      assert.equal((await fetchAtB("TE_GROUP")).error, null);
      assert.deepEqual(await held(), ["App One:dispute"], "the update's reactions are the whole set");
    });

    test("a relay to an owner that is down is kept and arrives once it is up", async () => {
      // A's API behind a proxy that can be taken down (connections cut).
      let up = true;
      const proxy = createServer((req, res) => {
        if (!up) return req.socket.destroy();
        const fwd = request(
          `${aUrl.replace(/\/$/, "")}${req.url}`,
          { method: req.method, headers: req.headers },
          (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
          },
        );
        req.pipe(fwd);
      });
      servers.push(proxy);
      const proxyUrl = await listen(proxy);
      const made = await b.call(b.keys.a.curator, {
        method: "POST",
        url: "/c/exchanges",
        payload: {
          bank: "FROM_A",
          api: "rasd",
          api_json: { url: proxyUrl },
          credential_json: { api_key: a.keys.b.curator },
          tlp: "GREEN",
        },
      });
      assert.equal(made.statusCode, 201, made.body);
      assert.equal(
        json<Fetched>(await b.call(b.keys.a.curator, { method: "POST", url: "/c/exchange/FROM_A/fetch" })).report.error,
        null,
      );
      const bank = await bankAtB("FROM_A");
      const mirror = (await b.s.store.findSignals("md5", MD5(5))).find((s) => s.bankId === bank.id)!;
      const owner = (await atA(5)).id;
      up = false;
      const r = await b.call(b.keys.a.curator, {
        method: "POST",
        url: `/v1/signals/${mirror.id}/opinions`,
        payload: { kind: "false-positive", note: "a news report" },
      });
      assert.equal(r.statusCode, 200, r.body);
      const relayed = json<{ relayed: { ok: boolean; queued?: boolean } }>(r).relayed;
      assert.equal(relayed.ok, false);
      assert.equal(relayed.queued, true);
      // Retried while down: still kept, nothing at A.
      await untilValue("a retry while down", async () =>
        (await b.s.exchanges.relayQueued("test")) > 0 ? true : undefined,
      );
      assert.deepEqual(await a.s.store.listOpinions(owner), []);
      assert.equal((await b.s.jobs.counts())["relay.queued"], 1);
      up = true;
      await untilValue("the opinion at its owner", async () => {
        await b.s.exchanges.relayQueued("test");
        const o = await a.s.store.listOpinions(owner);
        return o.length === 1 ? o : undefined;
      });
      assert.deepEqual(
        (await a.s.store.listOpinions(owner)).map((o) => [o.orgId, o.kind, o.note]),
        [[a.orgs.b.id, "false-positive", "a news report"]],
      );
      // Taken back while down: the owner learns of it once up.
      up = false;
      const back = await b.call(b.keys.a.curator, { method: "DELETE", url: `/v1/signals/${mirror.id}/opinions` });
      assert.equal(json<{ relayed: { queued?: boolean } }>(back).relayed.queued, true);
      up = true;
      await untilValue("the retraction at its owner", async () => {
        await b.s.exchanges.relayQueued("test");
        return (await a.s.store.listOpinions(owner)).length === 0 ? true : undefined;
      });
      assert.equal((await b.s.jobs.counts())["relay.queued"] ?? 0, 0);
    });
  });
}
