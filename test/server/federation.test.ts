/**
 * Federation between two real `rasd serve` processes on loopback, each on its own database —
 * SQLite, then PostgreSQL — and data folder (issue 17). Member B's rasd mirrors A's banks through a `rasd` exchange with a key A
 * gave Member B: A's TLP decides what leaves (GREEN yes; AMBER+STRICT and RED no), B's copy keeps
 * the marking and names its origin in matches, a retraction at A stops matches at B within 5 s
 * (B's worker fetches every second), and a link back from A to B brings nothing (no loop).
 * Needs dist/ (npx tsc -p tsconfig.build.json).
 */

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { closeServices, openServices } from "../../src/server/services.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const GREEN_MD5 = "11111111111111111111111111111111";
const GREEN_TEXT = "a recruitment verse shared green across the coalition for federation tests";
const STRICT_MD5 = "22222222222222222222222222222222";
const RED_MD5 = "33333333333333333333333333333333";
const HMA_MD5 = "44444444444444444444444444444444";
const NAMED_MD5 = "66666666666666666666666666666666";
const HMA_STRICT_MD5 = "55555555555555555555555555555555";

function startServer(dataDir: string, db: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "dist/cli/main.js"),
      "serve",
      "--data",
      dataDir,
      "--db",
      db,
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
    ],
    { env: { ...process.env, RASD_EXCHANGE_ALLOW_PRIVATE: "1" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes("workers running")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

function federation(name: string, makeDatabase: () => Promise<TestDatabase>, skip: string | false): void {
  describe(`federation on ${name}`, { skip }, () => {
    let dirA = "";
    let dirB = "";
    let serverA: ChildProcess | undefined;
    let serverB: ChildProcess | undefined;
    const keys = {
      aAdmin: "",
      aOther: "",
      linkAtA: "",
      bCurator: "",
      bSubmitter: "",
      bOther: "",
      linkAtB: "",
    };
    let greenSignal = 0;
    let dbA: TestDatabase;
    let dbB: TestDatabase;

    before(async () => {
      if (skip) return;
      dbA = await makeDatabase();
      dbB = await makeDatabase();
      dirA = mkdtempSync(join(tmpdir(), "rasd-fed-a-"));
      dirB = mkdtempSync(join(tmpdir(), "rasd-fed-b-"));
      const a = await openServices(loadConfig({ data: dirA, db: dbA.url }), { workers: false, defaultMetrics: false });
      const platform = await a.banks.createOrg("Platform A", "platform");
      const memberAtA = await a.banks.createOrg("Member B", "ngo");
      keys.aAdmin = (await a.access.createKey(platform, "admin", "a-admin")).token;
      keys.linkAtA = (await a.access.createKey(memberAtA, "reader", "federation-link")).token;
      const otherAtA = await a.banks.createOrg("Other A", "ngo");
      keys.aOther = (await a.access.createKey(otherAtA, "submitter", "a-other")).token;
      // AMBER+STRICT with Member B named as its recipient (decision 0029): the link's key is
      // Member B's at A, so the link receives it; at B it lands in Member B's own AMBER+STRICT bank.
      const named = await a.banks.createBank({ orgId: platform.id, name: "for-member-b", tlp: "AMBER+STRICT" });
      await a.access.store.setRecipients(named.id, [memberAtA.id]);
      await a.banks.addSignals(named.id, [{ line: 1, raw: { type: "md5", value: NAMED_MD5 } }]);
      const green = await a.banks.createBank({ orgId: platform.id, name: "shared", tlp: "GREEN" });
      const strict = await a.banks.createBank({ orgId: platform.id, name: "own", tlp: "AMBER+STRICT" });
      const red = await a.banks.createBank({ orgId: platform.id, name: "red", tlp: "RED" });
      await a.banks.addSignals(green.id, [
        { line: 1, raw: { type: "md5", value: GREEN_MD5 } },
        { line: 2, raw: { type: "text", value: GREEN_TEXT } },
      ]);
      await a.banks.addSignals(strict.id, [{ line: 1, raw: { type: "md5", value: STRICT_MD5 } }]);
      await a.banks.addSignals(red.id, [{ line: 1, raw: { type: "md5", value: RED_MD5 } }]);
      greenSignal = (await a.store.findSignals("md5", GREEN_MD5))[0]!.id;
      await closeServices(a);
      const b = await openServices(loadConfig({ data: dirB, db: dbB.url }), { workers: false, defaultMetrics: false });
      const member = await b.banks.createOrg("Member B", "ngo");
      keys.bCurator = (await b.access.createKey(member, "curator", "b-curator")).token;
      keys.bSubmitter = (await b.access.createKey(member, "submitter", "b-submitter")).token;
      keys.linkAtB = (await b.access.createKey(member, "reader", "link-back")).token;
      const otherAtB = await b.banks.createOrg("Other B", "ngo");
      keys.bOther = (await b.access.createKey(otherAtB, "submitter", "b-other")).token;
      await closeServices(b);
    });

    after(async () => {
      if (skip) return;
      await stop(serverA);
      await stop(serverB);
      await dbA.drop();
      await dbB.drop();
      rmSync(dirA, { recursive: true, force: true });
      rmSync(dirB, { recursive: true, force: true });
    });

    test(`two rasd processes on ${name}: TLP respected, origin named, retraction within 5 s, no loop`, async () => {
      const portA = 20_000 + Math.floor(Math.random() * 6_000);
      const portB = portA + 6_000;
      const a = `http://127.0.0.1:${portA}`;
      const b = `http://127.0.0.1:${portB}`;
      serverA = await startServer(dirA, dbA.url, portA);
      serverB = await startServer(dirB, dbB.url, portB);
      const call = async (base: string, key: string, method: string, path: string, body?: unknown) => {
        const r = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body !== undefined ? { "content-type": "application/json" } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        const text = await r.text();
        return { status: r.status, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
      };
      const matchAtB = async (type: string, value: string) =>
        (await call(b, keys.bSubmitter, "POST", "/v1/match", { type, value })).json.matches as {
          origin?: string;
        }[];

      const made = await call(b, keys.bCurator, "POST", "/c/exchanges", {
        bank: "FROM_A",
        api: "rasd",
        api_json: { url: a, interval_seconds: 1 },
        credential_json: { api_key: keys.linkAtA },
        tlp: "GREEN",
      });
      assert.equal(made.status, 201, JSON.stringify(made.json));

      // B's worker fetches in the background.
      let matches: { origin?: string }[] = [];
      for (let i = 0; i < 200 && matches.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        matches = await matchAtB("md5", GREEN_MD5);
      }
      assert.equal(matches.length, 1, "A's GREEN signal reached B");
      assert.match(
        matches[0]!.origin ?? "",
        new RegExp(`^exchange FROM_A: 127\\.0\\.0\\.1:${portA} bank shared signal \\d+ TLP:GREEN$`),
      );
      assert.equal((await matchAtB("text", GREEN_TEXT)).length, 1);
      assert.deepEqual(await matchAtB("md5", STRICT_MD5), [], "AMBER+STRICT never leaves A");
      assert.deepEqual(await matchAtB("md5", RED_MD5), [], "RED never leaves A");
      assert.deepEqual(await matchAtB("md5", NAMED_MD5), [], "AMBER+STRICT is withheld from B's GREEN copy");

      // AMBER+STRICT named to Member B: a link into an AMBER+STRICT bank of Member B's at B
      // brings it; Member B matches it at B, another organisation at B does not, nor one at A.
      const strictLink = await call(b, keys.bCurator, "POST", "/c/exchanges", {
        bank: "FROM_A_STRICT",
        api: "rasd",
        api_json: { url: a, interval_seconds: 1 },
        credential_json: { api_key: keys.linkAtA },
      });
      assert.equal(strictLink.status, 201, JSON.stringify(strictLink.json));
      let named: { origin?: string }[] = [];
      for (let i = 0; i < 200 && named.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        named = await matchAtB("md5", NAMED_MD5);
      }
      assert.equal(named.length, 1, "the AMBER+STRICT signal named to Member B reached Member B at B");
      assert.match(
        named[0]!.origin ?? "",
        /^exchange FROM_A_STRICT: .* bank for-member-b signal \d+ TLP:AMBER\+STRICT$/,
      );
      const otherAtB = await call(b, keys.bOther, "POST", "/v1/match", { type: "md5", value: NAMED_MD5 });
      assert.deepEqual(otherAtB.json.matches, [], "another organisation at B never sees it");
      const otherAtA = await call(a, keys.aOther, "POST", "/v1/match", { type: "md5", value: NAMED_MD5 });
      assert.deepEqual(otherAtA.json.matches, [], "an organisation at A not named never sees it");
      assert.deepEqual(await matchAtB("md5", STRICT_MD5), [], "AMBER+STRICT not named to Member B stays at A");

      const status = (await call(b, keys.bCurator, "GET", "/c/exchange/FROM_A/status")).json;
      assert.equal(status.up_to_date, true);
      assert.equal(status.last_fetch_succeeded, true);
      assert.ok(
        !JSON.stringify((await call(b, keys.bCurator, "GET", "/c/exchange/FROM_A")).json).includes(keys.linkAtA),
      );

      // A retracts: B stops matching within 5 s.
      const retracted = await call(a, keys.aAdmin, "DELETE", `/v1/signals/${greenSignal}`);
      assert.equal(retracted.status, 200, JSON.stringify(retracted.json));
      const t0 = Date.now();
      while (Date.now() - t0 < 10_000 && (await matchAtB("md5", GREEN_MD5)).length > 0)
        await new Promise((r) => setTimeout(r, 50));
      const latency = Date.now() - t0;
      console.log(`${name}: retraction at A stopped matches at B after ${latency} ms`);
      assert.equal((await matchAtB("md5", GREEN_MD5)).length, 0);
      assert.ok(latency < 5000, `retraction took ${latency} ms`);

      // A link back from A to B: B's feed holds only its mirror of A, which it never exports.
      const aPlatformKey = keys.aAdmin;
      const back = await call(a, aPlatformKey, "POST", "/c/exchanges", {
        bank: "FROM_B",
        api: "rasd",
        api_json: { url: b },
        credential_json: { api_key: keys.linkAtB },
      });
      assert.equal(back.status, 201, JSON.stringify(back.json));
      // A's worker fetches it at once (it is due when made): wait for that fetch's outcome.
      let linkBack: Record<string, unknown> = {};
      for (let i = 0; i < 200 && (linkBack.last_fetch_succeeded ?? null) === null; i++) {
        await new Promise((r) => setTimeout(r, 100));
        linkBack = (await call(a, aPlatformKey, "GET", "/c/exchange/FROM_B/status")).json;
      }
      assert.equal(linkBack.last_fetch_succeeded, true, JSON.stringify(linkBack));
      assert.equal(linkBack.up_to_date, true);
      assert.equal(linkBack.fetched_items, 0, "nothing of A's comes back from B");

      // B reads A's GREEN bank through A's HMA API (the `hma` exchange), content by content: A's
      // bank is Member B's foreign bank there, named PLATFORM_A__SHARED; A's AMBER+STRICT content
      // takes an id Member B's key cannot see (a gap).
      const added = await call(a, keys.aAdmin, "POST", "/c/bank/shared/signal", { md5: HMA_MD5 });
      assert.equal(added.status, 200, JSON.stringify(added.json));
      assert.equal((await call(a, keys.aAdmin, "POST", "/c/bank/own/signal", { md5: HMA_STRICT_MD5 })).status, 200);
      const hmaLink = await call(b, keys.bCurator, "POST", "/c/exchanges", {
        bank: "FROM_A_HMA",
        api: "hma",
        api_json: { url: a, bank: "PLATFORM_A__SHARED", interval_seconds: 1, max_gap: 20 },
        credential_json: { api_key: keys.linkAtA },
        tlp: "GREEN",
      });
      assert.equal(hmaLink.status, 201, JSON.stringify(hmaLink.json));
      const viaHma = async (value: string) =>
        (await matchAtB("md5", value)).filter((m) => (m.origin ?? "").startsWith("exchange FROM_A_HMA:"));
      let hmaMatches: { origin?: string }[] = [];
      for (let i = 0; i < 200 && hmaMatches.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        hmaMatches = await viaHma(HMA_MD5);
      }
      assert.equal(hmaMatches.length, 1, "A's HMA content reached B through the hma exchange");
      assert.match(hmaMatches[0]!.origin ?? "", /HMA bank PLATFORM_A__SHARED content \d+$/);
      assert.deepEqual(await matchAtB("md5", HMA_STRICT_MD5), [], "AMBER+STRICT content never leaves A");
      const contentId = (added.json as { id: number }).id;
      const deleted = await call(a, keys.aAdmin, "DELETE", `/c/bank/shared/content/${contentId}`);
      assert.equal(deleted.status, 200);
      assert.deepEqual(deleted.json, { deleted: 1 }, `content ${contentId} deleted at A`);
      const t1 = Date.now();
      while (Date.now() - t1 < 15_000 && (await viaHma(HMA_MD5)).length > 0)
        await new Promise((r) => setTimeout(r, 100));
      console.log(`${name}: HMA content deleted at A stopped matching at B after ${Date.now() - t1} ms`);
      assert.deepEqual(
        await viaHma(HMA_MD5),
        [],
        `a content deleted at A stops matching at B: ${JSON.stringify((await call(b, keys.bCurator, "GET", "/c/exchange/FROM_A_HMA/status")).json)}`,
      );
    });
  });
}

federation("SQLite", () => Promise.resolve(sqliteDatabase()), false);
federation("PostgreSQL", postgresDatabase, await postgresSkip());
