/**
 * Exchanges end to end (issue 17): two rasd services in one test, each on its own SQLite
 * database, the first listening on loopback. The second fetches the first's change feed
 * through the `rasd` exchange (only what its key's organisation may see), sees a retraction
 * and matches; it fetches the first's TAXII collection through the `taxii` exchange; and a
 * loopback server answering hand-written ThreatExchange threat_updates fixtures is fetched by
 * the `fb_threatexchange` exchange. Credentials are never answered back.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { json, startTestService, type TestService } from "../support/service.js";

const MD5_1 = "0123456789abcdef0123456789abcdef";
const MD5_2 = "fedcba9876543210fedcba9876543210";
const MD5_SECRET = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const URL_1 = "https://bad.example/propaganda";

async function listen(t: TestService): Promise<string> {
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/`;
}

type Status = {
  up_to_date: boolean;
  fetched_items: number;
  last_fetch_succeeded: boolean | null;
  last_error: string | null;
};
type Fetched = {
  report: { added: number; retracted: number; withheld: number; skipped: number; error: string | null };
  status: Status;
};

describe("exchanges between two rasd services", () => {
  let a: TestService;
  let b: TestService;
  let aUrl: string;
  let green: number;
  let te: Server;
  let teUrl: string;
  const teRequests: string[] = [];

  before(async () => {
    a = await startTestService({ workers: false });
    b = await startTestService({ workers: false, env: { RASD_EXCHANGE_ALLOW_PRIVATE: "1" } });
    aUrl = await listen(a);
    // At A, platform A shares a GREEN bank and keeps an AMBER+STRICT one.
    green = (await a.s.banks.createBank({ orgId: a.orgs.a.id, name: "shared", tlp: "GREEN" })).id;
    const strict = (await a.s.banks.createBank({ orgId: a.orgs.a.id, name: "own", tlp: "AMBER+STRICT" })).id;
    await a.s.banks.addSignals(green, [
      { line: 1, raw: { type: "md5", value: MD5_1, entity: "isis" } },
      { line: 2, raw: { type: "url", value: URL_1 } },
    ]);
    await a.s.banks.addSignals(strict, [{ line: 1, raw: { type: "md5", value: MD5_SECRET } }]);
    te = createServer((req: IncomingMessage, res) => {
      teRequests.push(req.url ?? "");
      const u = new URL(req.url ?? "/", "http://x");
      res.setHeader("content-type", "application/json");
      if (u.searchParams.get("access_token") !== "123|secret") {
        res.statusCode = 400;
        res.end(
          JSON.stringify({ error: { message: "Invalid OAuth access token.", type: "OAuthException", code: 190 } }),
        );
        return;
      }
      if (u.pathname !== "/v14.0/1234/threat_updates") {
        res.statusCode = 404;
        res.end("{}");
        return;
      }
      res.end(JSON.stringify(teFixture(u.searchParams.get("after"), u.searchParams.get("start_time"))));
    });
    await new Promise<void>((r) => te.listen(0, "127.0.0.1", r));
    teUrl = `http://127.0.0.1:${(te.address() as AddressInfo).port}/v14.0/`;
  });

  after(async () => {
    await new Promise((r) => te.close(r));
    await b?.close();
    await a?.close();
  });

  const call = (key: string, method: "GET" | "POST" | "PUT" | "DELETE", url: string, payload?: unknown) =>
    b.call(key, { method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });

  test("the exchange APIs and their schemas are listed; unsupported ones are refused", async () => {
    const apis = json<string[]>(await call(b.keys.a.reader, "GET", "/c/exchanges/apis"));
    assert.deepEqual(apis, ["fb_threatexchange", "rasd", "taxii", "hma", "tat", "sample", "ncmec", "stop_ncii"]);
    const schema = json<{ supported: boolean; credentials_schema: { required: string[] } }>(
      await call(b.keys.a.reader, "GET", "/c/exchanges/api/rasd/schema"),
    );
    assert.equal(schema.supported, true);
    assert.deepEqual(schema.credentials_schema.required, ["api_key"]);
    const ncmec = await call(b.keys.a.curator, "POST", "/c/exchanges", { bank: "NCMEC", api: "ncmec", api_json: {} });
    assert.equal(ncmec.statusCode, 400);
    assert.match(json<{ message: string }>(ncmec).message, /not supported/);
    const unknown = await call(b.keys.a.curator, "POST", "/c/exchanges", { bank: "X", api: "nope" });
    assert.equal(unknown.statusCode, 400);
    const badField = await call(b.keys.a.curator, "POST", "/c/exchanges", {
      bank: "BAD",
      api: "rasd",
      api_json: { url: aUrl, colour: "red" },
    });
    assert.equal(badField.statusCode, 400);
    assert.match(json<{ message: string }>(badField).message, /unknown field "colour"/);
    const reader = await call(b.keys.a.reader, "POST", "/c/exchanges", {
      bank: "R",
      api: "rasd",
      api_json: { url: aUrl },
    });
    assert.equal(reader.statusCode, 403);
  });

  test("rasd: B mirrors what its key may see at A, keeps the source, sees a retraction and matches", async () => {
    const created = await call(b.keys.a.curator, "POST", "/c/exchanges", {
      bank: "FROM_A",
      api: "rasd",
      api_json: { url: aUrl },
      // A key at A of Government B: it sees A's GREEN bank, not A's AMBER+STRICT one.
      credential_json: { api_key: a.keys.b.reader },
      tlp: "GREEN",
    });
    assert.equal(created.statusCode, 201, created.body);
    const shown = await call(b.keys.a.reader, "GET", "/c/exchange/FROM_A");
    assert.equal(shown.statusCode, 200);
    assert.ok(!shown.body.includes(a.keys.b.reader), "the credentials are never answered");
    assert.equal(json<{ has_credentials: boolean }>(shown).has_credentials, true);
    // Another organisation of B does not see the exchange.
    assert.equal((await call(b.keys.b.reader, "GET", "/c/exchange/FROM_A")).statusCode, 404);
    assert.deepEqual(json(await call(b.keys.b.reader, "GET", "/c/exchanges")), []);

    const first = json<Fetched>(await call(b.keys.a.curator, "POST", "/c/exchange/FROM_A/fetch"));
    assert.equal(first.report.error, null);
    assert.equal(first.report.added, 2);
    assert.equal(first.status.up_to_date, true);
    assert.equal(first.status.fetched_items, 2);
    assert.equal(first.status.last_fetch_succeeded, true);
    assert.deepEqual(await b.s.store.findSignals("md5", MD5_SECRET), [], "A's AMBER+STRICT bank never reached B");
    const [mirrored] = await b.s.store.findSignals("md5", MD5_1);
    assert.ok(mirrored);
    assert.equal(mirrored.status, "active");
    assert.deepEqual(mirrored.labels.entity, ["isis"]);
    assert.match(mirrored.source, /^exchange FROM_A: 127\.0\.0\.1:\d+ bank shared signal \d+ TLP:GREEN$/);

    const match = json<{ matches: { signalId: number; origin?: string }[] }>(
      await call(b.keys.a.submitter, "POST", "/v1/match", { type: "md5", value: MD5_1 }),
    );
    assert.equal(match.matches.length, 1);
    assert.match(match.matches[0]!.origin ?? "", /exchange FROM_A: .* bank shared/);

    // A retracts one and adds another: the next fetch applies both.
    const [atA] = await a.s.store.findSignals("md5", MD5_1);
    await a.s.banks.retract(atA!.id);
    await a.s.banks.addSignals(green, [{ line: 1, raw: { type: "md5", value: MD5_2 } }]);
    const second = json<Fetched>(await call(b.keys.a.curator, "POST", "/c/exchange/FROM_A/fetch"));
    assert.equal(second.report.retracted, 1);
    assert.equal(second.report.added, 1);
    assert.equal((await b.s.store.findSignals("md5", MD5_1))[0]!.status, "retracted");
    await b.s.matcher.sync();
    const after = json<{ matches: unknown[] }>(
      await call(b.keys.a.submitter, "POST", "/v1/match", { type: "md5", value: MD5_1 }),
    );
    assert.deepEqual(after.matches, [], "a retraction at A stops matches at B");

    // Loops: B's mirrored bank is not in B's own change feed.
    const feed = json<{ banks: { name: string }[] }>(await call(b.keys.a.reader, "GET", "/v1/changes"));
    assert.ok(!feed.banks.some((x) => x.name === "FROM_A"));
  });

  test("rasd: a stricter remote marking than the local bank's is withheld", async () => {
    // Platform A's own key at A sees its AMBER+STRICT bank; the local bank is GREEN.
    const r = await call(b.keys.a.curator, "POST", "/c/exchanges", {
      bank: "FROM_A_OWN",
      api: "rasd",
      api_json: { url: aUrl },
      credential_json: { api_key: a.keys.a.reader },
      tlp: "GREEN",
    });
    assert.equal(r.statusCode, 201, r.body);
    const f = json<Fetched>(await call(b.keys.a.curator, "POST", "/c/exchange/FROM_A_OWN/fetch"));
    assert.equal(f.report.withheld, 1);
    const held = (await b.s.store.findSignals("md5", MD5_SECRET)).filter((s) => s.status === "active");
    assert.deepEqual(held, []);
  });

  test("rasd: a wrong key is a failed fetch with its error, retried later", async () => {
    await call(b.keys.a.curator, "POST", "/c/exchanges", {
      bank: "WRONG_KEY",
      api: "rasd",
      api_json: { url: aUrl },
      credential_json: { api_key: "rasd_not_a_key" },
    });
    const f = json<Fetched>(await call(b.keys.a.curator, "POST", "/c/exchange/WRONG_KEY/fetch"));
    assert.match(f.report.error ?? "", /HTTP 401/);
    const status = json<Status & { failures: number; next_fetch_ts: number }>(
      await call(b.keys.a.reader, "GET", "/c/exchange/WRONG_KEY/status"),
    );
    assert.equal(status.last_fetch_succeeded, false);
    assert.equal(status.failures, 1);
    assert.ok(status.next_fetch_ts > Date.now() / 1000, "retried after a backoff");
    // Credentials are replaced with PUT; {} clears them.
    const put = await call(b.keys.a.curator, "PUT", "/c/exchange/WRONG_KEY", {
      credential_json: { api_key: a.keys.b.reader },
    });
    assert.equal(put.statusCode, 200);
    const ok = json<Fetched>(await call(b.keys.a.curator, "POST", "/c/exchange/WRONG_KEY/fetch"));
    assert.equal(ok.report.error, null);
    // api_json is merged into the settings; a null clears one (back to its default); a bad one is named.
    const merged = await call(b.keys.a.curator, "PUT", "/c/exchange/WRONG_KEY", {
      api_json: { interval_seconds: 300, long_poll: false },
    });
    assert.deepEqual(json<{ api_json: unknown }>(merged).api_json, {
      url: aUrl,
      interval_seconds: 300,
      long_poll: false,
    });
    const cleared = await call(b.keys.a.curator, "PUT", "/c/exchange/WRONG_KEY", {
      api_json: { interval_seconds: null, long_poll: null },
    });
    assert.equal(cleared.statusCode, 200, cleared.body);
    assert.deepEqual(json<{ api_json: unknown }>(cleared).api_json, { url: aUrl });
    const noUrl = await call(b.keys.a.curator, "PUT", "/c/exchange/WRONG_KEY", { api_json: { url: null } });
    assert.equal(noUrl.statusCode, 400);
    assert.match(json<{ message: string }>(noUrl).message, /api_json\.url: required/);
    const del = await call(b.keys.a.curator, "DELETE", "/c/exchange/WRONG_KEY");
    assert.equal(json<{ message: string }>(del).message, "Exchange deleted");
    assert.equal((await call(b.keys.a.reader, "GET", "/c/exchange/WRONG_KEY")).statusCode, 404);
    // As HMA's own test_exchange_delete: deleting is idempotent, a missing exchange answers 200 too.
    const again = await call(b.keys.a.curator, "DELETE", "/c/exchange/WRONG_KEY");
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(json<{ message: string }>(again).message, "Exchange deleted");
  });

  test("HMA's sample exchange: its examples arrive once, a second fetch adds nothing, the status has HMA's fields", async () => {
    const made = await call(b.keys.a.curator, "POST", "/c/exchanges", {
      bank: "SAMPLE_X",
      api: "sample",
      api_json: {},
    });
    assert.equal(made.statusCode, 201, made.body);
    const first = json<Fetched>(await call(b.keys.a.curator, "POST", "/c/exchange/SAMPLE_X/fetch"));
    assert.equal(first.report.error, null);
    assert.equal(first.report.added, 18, "python-threatexchange's 16 PDQ and 2 video MD5 examples");
    const again = json<Fetched>(await call(b.keys.a.curator, "POST", "/c/exchange/SAMPLE_X/fetch"));
    assert.equal(again.report.added, 0);
    const status = json<Record<string, unknown>>(await call(b.keys.a.reader, "GET", "/c/exchange/SAMPLE_X/status"));
    for (const field of [
      "checkpoint_ts",
      "running_fetch_start_ts",
      "last_fetch_complete_ts",
      "last_fetch_succeeded",
      "up_to_date",
      "fetched_items",
    ])
      assert.ok(field in status, `status has ${field}`);
    const bad = await call(b.keys.a.curator, "POST", "/c/exchanges", {
      bank: "SAMPLE_Y",
      api: "sample",
      api_json: { url: "https://x.example/" },
    });
    assert.equal(bad.statusCode, 400, "the sample exchange takes no settings");
  });

  test("private addresses are refused unless RASD_EXCHANGE_ALLOW_PRIVATE=1", async () => {
    const r = await a.call(a.keys.a.curator, {
      method: "POST",
      url: "/c/exchanges",
      payload: { bank: "LOOP", api: "rasd", api_json: { url: aUrl }, credential_json: { api_key: a.keys.b.reader } },
    });
    assert.equal(r.statusCode, 201, r.body);
    const f = json<Fetched>(await a.call(a.keys.a.curator, { method: "POST", url: "/c/exchange/LOOP/fetch" }));
    assert.match(f.report.error ?? "", /RASD_EXCHANGE_ALLOW_PRIVATE/);
  });

  test("taxii: B pulls A's TAXII collection, retractions included", async () => {
    const collections = await a.call(a.keys.b.reader, {
      method: "GET",
      url: "/taxii2/api/collections/",
      headers: { accept: "application/taxii+json;version=2.1" },
    });
    const found = json<{ collections: { id: string; title: string }[] }>(collections).collections.find((c) =>
      c.title.endsWith("/shared"),
    );
    assert.ok(found);
    const r = await call(b.keys.b.curator, "POST", "/c/exchanges", {
      bank: "TAXII_A",
      api: "taxii",
      api_json: { collection_url: `${aUrl}taxii2/api/collections/${found.id}/` },
      credential_json: { api_key: a.keys.b.reader },
      tlp: "GREEN",
    });
    assert.equal(r.statusCode, 201, r.body);
    const f = json<Fetched>(await b.call(b.keys.b.curator, { method: "POST", url: "/c/exchange/TAXII_A/fetch" }));
    assert.equal(f.report.error, null);
    const bank = (await b.s.store.listBanks(b.orgs.b.id)).find((x) => x.name === "TAXII_A")!;
    const held = await b.s.store.listSignals(bank.id, { limit: 100, includeRetracted: true });
    const byValue = new Map(held.map((s) => [s.value, s.status]));
    // MD5_1 was retracted at A before: a revoked Indicator, never active here.
    assert.notEqual(byValue.get(MD5_1), "active");
    assert.equal(byValue.get(MD5_2), "active");
    assert.equal(held.find((s) => s.type === "url")?.status, "active");
    // A later retraction at A arrives with the next fetch (added_after from the last page).
    const [two] = (await a.s.store.findSignals("md5", MD5_2)).filter((s) => s.bankId === green);
    await new Promise((r) => setTimeout(r, 5));
    await a.s.banks.retract(two!.id);
    const g = json<Fetched>(await b.call(b.keys.b.curator, { method: "POST", url: "/c/exchange/TAXII_A/fetch" }));
    assert.equal(g.report.error, null);
    assert.equal(g.report.retracted, 1);
    const again = await b.s.store.listSignals(bank.id, { limit: 100, includeRetracted: true });
    assert.equal(again.find((s) => s.value === MD5_2)?.status, "retracted");
  });

  test("fb_threatexchange: threat_updates fixtures paged and checkpointed; should_delete retracts", async () => {
    const r = await call(b.keys.c.curator, "POST", "/c/exchanges", {
      bank: "TE_1234",
      api: "fb_threatexchange",
      api_json: { privacy_group: 1234, graph_url: teUrl },
      credential_json: { api_token: "123|secret" },
    });
    assert.equal(r.statusCode, 201, r.body);
    const f = json<Fetched>(await b.call(b.keys.c.curator, { method: "POST", url: "/c/exchange/TE_1234/fetch" }));
    assert.equal(f.report.error, null);
    assert.equal(f.report.added, 3);
    assert.equal(f.report.skipped, 1, "the HASH_TMK descriptor is not held");
    const status = json<Status & { checkpoint_ts: number }>(
      await b.call(b.keys.c.reader, { method: "GET", url: "/c/exchange/TE_1234/status" }),
    );
    assert.equal(status.checkpoint_ts, 1700000300);
    assert.equal(status.up_to_date, true);
    const g = json<Fetched>(await b.call(b.keys.c.curator, { method: "POST", url: "/c/exchange/TE_1234/fetch" }));
    assert.equal(g.report.retracted, 1);
    assert.ok(
      teRequests.some((u) => u.includes("start_time=1700000300")),
      "resumed from the checkpoint",
    );
    const shown = await b.call(b.keys.c.reader, { method: "GET", url: "/c/exchange/TE_1234" });
    assert.ok(!shown.body.includes("123|secret"));
    const bank = (await b.s.store.listBanks(b.orgs.c.id)).find((x) => x.name === "TE_1234")!;
    const held = await b.s.store.listSignals(bank.id, { limit: 100, includeRetracted: true });
    assert.equal(held.find((s) => s.type === "pdq")?.status, "retracted");
    assert.equal(held.find((s) => s.type === "video_md5")?.status, "active");
  });

  test("the worker's fetcher fetches due exchanges in the background", async () => {
    const [x] = (await b.s.exchanges.list(b.orgs.a.id)).filter((e) => e.name === "FROM_A");
    await b.s.exchanges.store.update(x!.id, { nextFetchAt: 0 }, Date.now());
    await a.s.banks.addSignals(green, [{ line: 1, raw: { type: "text", value: "background fetch text signal" } }]);
    b.s.exchangeFetcher.start();
    try {
      const until = Date.now() + 10_000;
      while (Date.now() < until && (await b.s.store.findSignals("text", "background fetch text signal")).length === 0)
        await new Promise((r) => setTimeout(r, 50));
    } finally {
      await b.s.exchangeFetcher.stop();
    }
    assert.equal((await b.s.store.findSignals("text", "background fetch text signal")).length, 1);
  });

  test("as HMA, credentials are kept per API: set before any exchange, used by exchanges made later, cleared with {}", async () => {
    type Auth = { supports_authentification: boolean; has_set_authentification: boolean };
    const url = "/c/exchanges/api/rasd";
    assert.deepEqual(json<Auth>(await call(b.keys.b.reader, "GET", url)), {
      supports_authentification: true,
      has_set_authentification: false,
    });
    const set = await call(b.keys.b.curator, "POST", url, { credential_json: { api_key: a.keys.b.reader } });
    assert.equal(set.statusCode, 200, set.body);
    assert.equal(json<Auth>(set).has_set_authentification, true, "no exchange of the API yet: HMA keeps them anyway");
    assert.ok(!set.body.includes(a.keys.b.reader), "never answered");
    assert.equal(json<Auth>(await call(b.keys.b.reader, "GET", url)).has_set_authentification, true);
    // Another organisation's credentials are its own (organisation A has no fb_threatexchange exchange).
    const tx = "/c/exchanges/api/fb_threatexchange";
    const txSet = await call(b.keys.b.curator, "POST", tx, { credential_json: { api_token: "12345789|000000000000" } });
    assert.equal(json<Auth>(txSet).has_set_authentification, true);
    assert.equal(json<Auth>(await call(b.keys.a.reader, "GET", tx)).has_set_authentification, false);
    // An exchange made afterwards, without credential_json, fetches with the API's credentials.
    const made = await call(b.keys.b.curator, "POST", "/c/exchanges", {
      bank: "PER_API",
      api: "rasd",
      api_json: { url: aUrl },
    });
    assert.equal(made.statusCode, 201, made.body);
    const fetched = json<Fetched>(await call(b.keys.b.curator, "POST", "/c/exchange/PER_API/fetch"));
    assert.equal(fetched.report.error, null);
    const cleared = await call(b.keys.b.curator, "POST", url, { credential_json: {} });
    assert.equal(json<Auth>(cleared).has_set_authentification, false);
    const again = json<Fetched>(await call(b.keys.b.curator, "POST", "/c/exchange/PER_API/fetch"));
    assert.match(again.report.error ?? "", /credential|api_key/i);
    // An API that takes none refuses them.
    const sample = await call(b.keys.b.curator, "POST", "/c/exchanges/api/sample", { credential_json: { x: "y" } });
    assert.equal(sample.statusCode, 400);
  });

  test("an exchange API's schema carries HMA's field descriptors beside rasd's JSON Schema", async () => {
    type Field = { name: string; type: string; required: boolean; default: unknown; help: string; choices: unknown };
    type Schema = {
      config_schema: { fields: Field[]; required: string[] };
      credentials_schema: { fields: Field[] } | null;
    };
    const tx = json<Schema>(await call(b.keys.a.reader, "GET", "/c/exchanges/api/fb_threatexchange/schema"));
    const group = tx.config_schema.fields.find((f) => f.name === "privacy_group");
    assert.deepEqual(group, {
      name: "privacy_group",
      type: "number",
      required: true,
      default: null,
      help: "The ThreatExchange privacy group (collaboration) id",
      choices: null,
    });
    assert.deepEqual(tx.config_schema.required, ["privacy_group"], "rasd's JSON Schema is still there");
    const token = tx.credentials_schema?.fields.find((f) => f.name === "api_token");
    assert.equal(token?.type, "string");
    assert.equal(token?.required, true);
    const sample = json<Schema>(await call(b.keys.a.reader, "GET", "/c/exchanges/api/sample/schema"));
    assert.deepEqual(sample.config_schema.fields, []);
    assert.equal(sample.credentials_schema, null);
  });
});

/** Hand-written threat_updates pages in the shapes of the Graph API (two pages, then a deletion). */
function teFixture(after: string | null, startTime: string | null): unknown {
  if (startTime === "1700000300")
    return {
      data: [
        {
          id: "9001",
          indicator: "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
          type: "HASH_PDQ",
          creation_time: 1700000000,
          last_updated: 1700000400,
          should_delete: true,
          tags: ["terrorism"],
        },
      ],
      paging: { cursors: { before: "b", after: "z" } },
    };
  if (after === null)
    return {
      data: [
        {
          id: "9001",
          indicator: "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
          type: "HASH_PDQ",
          creation_time: 1700000000,
          last_updated: 1700000100,
          should_delete: false,
          tags: ["terrorism"],
        },
        {
          id: "9002",
          indicator: "d41d8cd98f00b204e9800998ecf8427e",
          type: "HASH_MD5",
          creation_time: 1700000000,
          last_updated: 1700000200,
          should_delete: false,
          tags: [],
        },
      ],
      paging: {
        cursors: { before: "a", after: "page2" },
        next: "https://graph.facebook.com/v14.0/1234/threat_updates?after=page2",
      },
    };
  return {
    data: [
      {
        id: "9003",
        indicator: "https://threat.example/x",
        type: "URI",
        creation_time: 1700000000,
        last_updated: 1700000300,
        should_delete: false,
      },
      { id: "9004", indicator: "abcd", type: "HASH_TMK", creation_time: 1700000000, last_updated: 1700000250 },
    ],
    paging: { cursors: { before: "c", after: "end" } },
  };
}
