/**
 * The `hma` and `tat` exchanges (issue 17). `hma`: a rasd service (A) on loopback speaks HMA's
 * curation API; another (B) reads one of A's banks content by content — additions, a content
 * disabled and enabled again, contents deleted (a signal two contents carry stays until both are
 * gone), ids of banks the key may not see skipped as gaps, a missing bank refused. `tat`: a
 * loopback server answering hand-written pages of Tech Against Terrorism's TCAP hash list in the
 * shapes python-threatexchange reads (TCAP cannot be reached from here and has no public API
 * document: these fixtures are ours, not TCAP's answers).
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { json, startTestService, type TestService } from "../support/service.js";

const M1 = "1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a";
const M2 = "2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b";
const M3 = "3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c";
const HIDDEN = "4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d";
const URL_1 = "https://bad.example/hma-peer";
const URL_1_CANONICAL = "bad.example/hma-peer";
const PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const TAT_MP4 = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";
const TAT_JPG = "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0";

type Fetched = {
  report: { added: number; retracted: number; withheld: number; skipped: number; error: string | null };
  status: { up_to_date: boolean; last_error: string | null; checkpoint: string | null; failures: number };
};

describe("the hma exchange: one of another HMA API's banks", () => {
  let a: TestService;
  let b: TestService;
  let aUrl: string;
  const ids: Record<string, number> = {};

  const addAtA = async (key: string, bank: string, signals: Record<string, string>) => {
    const r = await a.call(key, { method: "POST", url: `/c/bank/${bank}/signal`, payload: signals });
    assert.equal(r.statusCode, 200, r.body);
    return json<{ id: number }>(r).id;
  };
  const fetchAtB = async (name: string) =>
    json<Fetched>(await b.call(b.keys.a.curator, { method: "POST", url: `/c/exchange/${name}/fetch` }));
  const activeAtB = async (type: "md5" | "url", value: string) => {
    const bank = await b.s.banks.store.getBankByName(b.orgs.a.id, "FROM_HMA");
    return (await b.s.banks.store.findSignals(type, value)).filter(
      (s) => s.bankId === bank!.id && s.status === "active",
    );
  };

  before(async () => {
    a = await startTestService({ workers: false });
    b = await startTestService({ workers: false, env: { RASD_EXCHANGE_ALLOW_PRIVATE: "1" } });
    await a.app.listen({ host: "127.0.0.1", port: 0 });
    aUrl = `http://127.0.0.1:${(a.app.server.address() as AddressInfo).port}/`;
    await a.s.banks.createBank({ orgId: a.orgs.a.id, name: "HMA_SHARED", tlp: "GREEN" });
    await a.s.banks.createBank({ orgId: a.orgs.b.id, name: "THEIRS", tlp: "AMBER+STRICT" });
    ids.c1 = await addAtA(a.keys.a.curator, "HMA_SHARED", { md5: M1, url: URL_1 });
    // Government B's contents at A take ids that Platform A's key cannot see: gaps.
    for (let i = 0; i < 5; i++) await addAtA(a.keys.b.curator, "THEIRS", { md5: HIDDEN });
    ids.c2 = await addAtA(a.keys.a.curator, "HMA_SHARED", { md5: M2 });
    ids.c3 = await addAtA(a.keys.a.curator, "HMA_SHARED", { md5: M1 });
  });

  after(async () => {
    await b?.close();
    await a?.close();
  });

  test("configuration is checked", async () => {
    const bad = await b.call(b.keys.a.curator, {
      method: "POST",
      url: "/c/exchanges",
      payload: { bank: "BAD_HMA", api: "hma", api_json: { url: aUrl, bank: "A/B" } },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /api_json\.bank/);
    const missing = await b.call(b.keys.a.curator, {
      method: "POST",
      url: "/c/exchanges",
      payload: {
        bank: "NO_BANK",
        api: "hma",
        api_json: { url: aUrl, bank: "NOT_THERE" },
        credential_json: { api_key: a.keys.a.reader },
      },
    });
    assert.equal(missing.statusCode, 201, missing.body);
    const f = await fetchAtB("NO_BANK");
    assert.match(f.report.error ?? "", /no bank NOT_THERE/);
    assert.equal(f.status.failures, 1);
  });

  test("contents arrive; disabling, enabling and deleting them at A follow at B", async () => {
    const made = await b.call(b.keys.a.curator, {
      method: "POST",
      url: "/c/exchanges",
      payload: {
        bank: "FROM_HMA",
        api: "hma",
        api_json: { url: aUrl, bank: "HMA_SHARED", max_gap: 8 },
        credential_json: { api_key: a.keys.a.reader },
        tlp: "GREEN",
      },
    });
    assert.equal(made.statusCode, 201, made.body);
    let f = await fetchAtB("FROM_HMA");
    assert.equal(f.report.error, null, JSON.stringify(f));
    assert.equal(f.status.up_to_date, true);
    assert.equal((await activeAtB("md5", M1)).length, 1);
    assert.equal((await activeAtB("url", URL_1_CANONICAL)).length, 1);
    assert.equal((await activeAtB("md5", M2)).length, 1);
    assert.equal((await activeAtB("md5", HIDDEN)).length, 0, "another member's bank never arrives");
    assert.match((await activeAtB("md5", M2))[0]!.source, /HMA bank HMA_SHARED content \d+/);
    assert.ok(!String(f.status.checkpoint).includes(a.keys.a.reader), "no key in the checkpoint");

    // Disabled at A: retracted at B; enabled again: back.
    const put = (id: number, body: Record<string, unknown>) =>
      a.call(a.keys.a.curator, { method: "PUT", url: `/c/bank/HMA_SHARED/content/${id}`, payload: body });
    assert.equal((await put(ids.c2!, { disable_until_ts: 0 })).statusCode, 200);
    f = await fetchAtB("FROM_HMA");
    assert.equal(f.report.retracted, 1, JSON.stringify(f.report));
    assert.equal((await activeAtB("md5", M2)).length, 0);
    assert.equal((await put(ids.c2!, { disable_until_ts: 1 })).statusCode, 200);
    f = await fetchAtB("FROM_HMA");
    assert.equal(f.report.added, 1, JSON.stringify(f.report));
    assert.equal((await activeAtB("md5", M2)).length, 1);

    // Content 1 deleted: its URL goes; M1 stays, content 3 still carries it.
    const del = (id: number) => a.call(a.keys.a.curator, { method: "DELETE", url: `/c/bank/HMA_SHARED/content/${id}` });
    assert.equal((await del(ids.c1!)).statusCode, 200);
    f = await fetchAtB("FROM_HMA");
    assert.equal(f.report.retracted, 1, "the URL only: content 3 still carries M1");
    assert.equal((await activeAtB("url", URL_1_CANONICAL)).length, 0);
    assert.equal((await activeAtB("md5", M1)).length, 1);
    assert.equal((await del(ids.c3!)).statusCode, 200);
    f = await fetchAtB("FROM_HMA");
    assert.equal(f.report.retracted, 1);
    assert.equal((await activeAtB("md5", M1)).length, 0);

    // A later content, past a few gaps, is found by the next fetch.
    for (let i = 0; i < 3; i++) await addAtA(a.keys.b.curator, "THEIRS", { md5: HIDDEN });
    await addAtA(a.keys.a.curator, "HMA_SHARED", { md5: M3 });
    f = await fetchAtB("FROM_HMA");
    assert.equal(f.report.error, null);
    assert.equal((await activeAtB("md5", M3)).length, 1);
    assert.equal((await activeAtB("md5", M2)).length, 1);
  });
});

/** Hand-written TCAP hash list entries (python-threatexchange's field names), ordered by (updated_on, id). */
const TAT_ENTRIES = [
  {
    id: 101,
    hash_digest: PDQ,
    algorithm: "PDQ",
    ideology: "islamist",
    file_type: "jpg",
    deleted: false,
    updated_on: 1704901040.1,
    created_on: "2025-03-03T23:05:22.587000",
  },
  {
    id: 102,
    hash_digest: TAT_MP4,
    algorithm: "MD5",
    ideology: "far-right",
    file_type: "mp4",
    deleted: false,
    updated_on: 1704901040.2,
    created_on: "2025-03-03T23:05:22.587000",
  },
  {
    id: 103,
    hash_digest: TAT_JPG,
    algorithm: "MD5",
    ideology: "islamist",
    file_type: "jpg",
    deleted: false,
    updated_on: 1704901040.3,
    created_on: "2025-03-03T23:05:22.587000",
  },
  {
    id: 104,
    hash_digest: "ab".repeat(20),
    algorithm: "SHA1",
    ideology: "islamist",
    file_type: "mp4",
    deleted: false,
    updated_on: 1704901040.4,
    created_on: "2025-03-03T23:05:22.587000",
  },
];

describe("the tat exchange: Tech Against Terrorism's TCAP hash list (loopback fixtures)", () => {
  let b: TestService;
  let server: Server;
  let url: string;
  const entries = TAT_ENTRIES.map((e) => ({ ...e }));
  const seen: { method: string; path: string; auth: string | undefined }[] = [];

  before(async () => {
    b = await startTestService({ workers: false, env: { RASD_EXCHANGE_ALLOW_PRIVATE: "1" } });
    server = createServer((req: IncomingMessage, res) => {
      const u = new URL(req.url ?? "/", "http://x");
      seen.push({ method: req.method ?? "", path: u.pathname + u.search, auth: req.headers.authorization });
      res.setHeader("content-type", "application/json");
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        if (req.method === "POST" && u.pathname === "/token-auth/tcap/") {
          const form = new URLSearchParams(body);
          if (form.get("username") !== "analyst" || form.get("password") !== "s3cret") {
            res.statusCode = 400;
            res.end(JSON.stringify({ non_field_errors: ["Unable to log in with provided credentials."] }));
            return;
          }
          res.end(JSON.stringify({ user: { username: "analyst" }, token: "jwt-token-1" }));
          return;
        }
        if (req.method === "GET" && u.pathname === "/api/hash-list/v2/all") {
          if (req.headers.authorization !== "Bearer jwt-token-1") {
            res.statusCode = 401;
            res.end(JSON.stringify({ detail: "Authentication credentials were not provided." }));
            return;
          }
          const after = u.searchParams.get("after") ?? "";
          const [t, id] = after === "" ? [-1, -1] : after.split(",").map(Number);
          const rest = entries
            .filter((e) => e.updated_on > t! || (e.updated_on === t && e.id > id!))
            .sort((x, y) => x.updated_on - y.updated_on || x.id - y.id);
          const page = rest.slice(0, 2);
          const last = page[page.length - 1];
          res.end(
            JSON.stringify({
              count: rest.length,
              next: rest.length > 2 ? `http://elsewhere.example/api/hash-list/v2/all?limit=2&offset=2` : null,
              previous: null,
              checkpoint: last ? `${last.updated_on},${last.id}` : after,
              results: page,
            }),
          );
          return;
        }
        res.statusCode = 404;
        res.end("{}");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  after(async () => {
    await new Promise((r) => server.close(r));
    await b?.close();
  });

  const fetchNow = async (name: string) =>
    json<Fetched>(await b.call(b.keys.a.curator, { method: "POST", url: `/c/exchange/${name}/fetch` }));

  test("pages by checkpoint, maps types and ideology, retracts deleted entries; a wrong password fails", async () => {
    const made = await b.call(b.keys.a.curator, {
      method: "POST",
      url: "/c/exchanges",
      payload: {
        bank: "TCAP",
        api: "tat",
        api_json: { url },
        credential_json: { username: "analyst", password: "s3cret" },
      },
    });
    assert.equal(made.statusCode, 201, made.body);
    let f = await fetchNow("TCAP");
    assert.equal(f.report.error, null);
    assert.equal(f.report.added, 3);
    assert.equal(f.report.skipped, 1, "SHA1 is not held");
    assert.equal(f.status.up_to_date, true);
    assert.equal(f.status.checkpoint, "1704901040.4,104");
    assert.ok(!seen.some((r) => r.path.includes("elsewhere")), "the token never goes where `next` points");
    const bank = (await b.s.banks.store.getBankByName(b.orgs.a.id, "TCAP"))!;
    const held = async (type: "pdq" | "md5" | "video_md5", value: string) =>
      (await b.s.banks.store.findSignals(type, value)).filter((s) => s.bankId === bank.id && s.status === "active");
    assert.equal((await held("pdq", PDQ)).length, 1);
    assert.deepEqual((await held("pdq", PDQ))[0]!.labels.entity, ["islamist"]);
    assert.equal((await held("video_md5", TAT_MP4)).length, 1, "an MP4's MD5 is a video_md5");
    assert.deepEqual((await held("video_md5", TAT_MP4))[0]!.labels.entity, ["far-right"]);
    assert.equal((await held("md5", TAT_JPG)).length, 1, "a JPEG's MD5 is an md5");
    assert.match((await held("md5", TAT_JPG))[0]!.source, /TCAP hash list entry 103 \(jpg\)/);

    // TCAP marks an entry deleted: it moves past the checkpoint and is retracted.
    entries[1]!.deleted = true;
    entries[1]!.updated_on = 1704901050;
    f = await fetchNow("TCAP");
    assert.equal(f.report.retracted, 1);
    assert.equal((await held("video_md5", TAT_MP4)).length, 0);
    assert.equal((await held("pdq", PDQ)).length, 1);

    const wrong = await b.call(b.keys.a.curator, {
      method: "POST",
      url: "/c/exchanges",
      payload: {
        bank: "TCAP_WRONG",
        api: "tat",
        api_json: { url },
        credential_json: { username: "analyst", password: "no" },
      },
    });
    assert.equal(wrong.statusCode, 201);
    f = await fetchNow("TCAP_WRONG");
    assert.match(f.report.error ?? "", /HTTP 400/);
    assert.ok(!JSON.stringify(f).includes('no"'), "the password is not in the answer");
    const noCreds = await b.call(b.keys.a.curator, {
      method: "POST",
      url: "/c/exchanges",
      payload: { bank: "TCAP_HALF", api: "tat", api_json: { url }, credential_json: { username: "analyst" } },
    });
    assert.equal(noCreds.statusCode, 400);
    assert.match(noCreds.body, /credentials\.password: required/);
  });
});
