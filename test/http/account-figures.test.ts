/**
 * Thresholds per bank for ban-evasion matches, and the account figures (issue 19, decision
 * 0031): a bank's `account_min_score` decides what matches it — in POST /v1/accounts and for
 * an item's author, where action rules act on the match — and is refused out of (0, 1];
 * GET /v1/measure/accounts counts accounts suspended in banks the caller may see and the
 * returning accounts found among the caller's (or every member's) items, with the time from
 * suspension to return, and is refused to roles without measure.read.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { reportCsv } from "../../src/report/csv.js";
import { reportHtml } from "../../src/report/html.js";
import { buildReport } from "../../src/services/report.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { json, startTestService, type TestService } from "../support/service.js";

const BACKENDS: [string, string | false, () => Promise<TestDatabase>][] = [
  ["SQLite", false, () => Promise.resolve(sqliteDatabase())],
  ["PostgreSQL", await postgresSkip(), postgresDatabase],
];

const DAY = 86_400_000;
const SUSPENDED = new Date(Date.now() - 3 * DAY).toISOString().slice(0, 10);
const ACCOUNT = {
  platform: "twitter",
  id: "2001",
  handle: "GunsandCoffee70",
  name: "GunsandCoffee",
  suspended: SUSPENDED,
};
/** Scores about 0.99: the handle's long skeleton, which no other banked account shares (docs/accounts.md). */
const RETURNING = { platform: "twitter", handle: "_GunsandCoffee_2" };

interface Figures {
  scope: string;
  overall: {
    suspended: number;
    returns: number;
    timed: number;
    time_to_return: { n: number; median_seconds: number | null; low_seconds: number | null };
  };
  periods: { suspended: number; returns: number }[];
  by_platform: { platform: string; suspended: number; returns: number }[];
  by_reporter: { reporter: string; suspended: number }[];
}

for (const [backend, skip, makeDb] of BACKENDS)
  describe(`account thresholds per bank and GET /v1/measure/accounts (${backend})`, { skip }, () => {
    let t: TestService;
    let db: TestDatabase;
    let bank = 0;
    const show = (r: LightMyRequestResponse) => `${r.statusCode} ${r.body.slice(0, 300)}`;
    const call = (key: string, method: "GET" | "POST" | "PATCH", url: string, payload?: unknown) =>
      t.call(key, { method, url, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
    const matchesOf = async (key: string) =>
      json<{ matches: { bank_id: number; score: number }[] }>(await call(key, "POST", "/v1/accounts", RETURNING))
        .matches;

    before(async () => {
      db = await makeDb();
      t = await startTestService({ db });
      const r = await call(t.keys.b.admin, "POST", "/v1/banks", {
        name: "suspended-accounts",
        tlp: "GREEN",
        account_min_score: 0.999,
      });
      assert.equal(r.statusCode, 201, show(r));
      const created = json<{ id: number; account_min_score: number }>(r);
      assert.equal(created.account_min_score, 0.999);
      bank = created.id;
      const added = await call(t.keys.b.admin, "POST", `/v1/banks/${bank}/signals`, {
        signals: [{ type: "account", value: JSON.stringify(ACCOUNT) }],
      });
      assert.equal(added.statusCode, 200, show(added));
    });
    after(async () => {
      await t.close();
      await db.drop();
    });

    it("a bank's threshold decides what matches it, and only its owner changes it", async () => {
      assert.deepEqual(await matchesOf(t.keys.a.submitter), []); // about 0.99 (a skeleton only this bank holds, decision 0033) < 0.999
      const other = await call(t.keys.a.admin, "PATCH", `/v1/banks/${bank}`, { account_min_score: 0.5 });
      assert.ok(other.statusCode === 403 || other.statusCode === 404, show(other));
      const r = await call(t.keys.b.admin, "PATCH", `/v1/banks/${bank}`, { account_min_score: 0.8 });
      assert.equal(r.statusCode, 200, show(r));
      assert.equal(json<{ account_min_score: number }>(r).account_min_score, 0.8);
      const found = await matchesOf(t.keys.a.submitter);
      assert.deepEqual(
        found.map((m) => m.bank_id),
        [bank],
      );
      assert.ok(found[0]!.score >= 0.8 && found[0]!.score < 0.999, String(found[0]!.score));
      for (const bad of [0, 1.5, -1]) {
        const refused = await call(t.keys.b.admin, "PATCH", `/v1/banks/${bank}`, { account_min_score: bad });
        assert.equal(refused.statusCode, 400, show(refused));
        assert.match(refused.body, /account_min_score/, show(refused));
      }
    });

    it("an item's author matches only over the bank's threshold, and rules act only then", async () => {
      const rule = await call(t.keys.a.admin, "POST", "/v1/rules", {
        name: "ban-evasion-review",
        conditions: { signal_types: ["account"] },
        actions: [{ type: "review" }],
      });
      assert.equal(rule.statusCode, 201, show(rule));
      const submit = async (key: string, handle: string) => {
        const r = await t.call(t.keys.a.submitter, {
          method: "POST",
          url: "/v1/content",
          payload: { text: "a post", author: { platform: "twitter", handle } },
          headers: { "idempotency-key": key },
        });
        assert.equal(r.statusCode, 202, show(r));
        await t.drain();
        return json<{ matches: { type: string }[]; actions: { type: string }[] }>(
          await call(t.keys.a.reader, "GET", `/v1/content/${json<{ id: number }>(r).id}`),
        );
      };
      assert.equal(
        (await call(t.keys.b.admin, "PATCH", `/v1/banks/${bank}`, { account_min_score: 0.999 })).statusCode,
        200,
      );
      const strict = await submit("fig-strict", "GunsandCoffee_3");
      assert.deepEqual(strict.matches, []);
      assert.deepEqual(strict.actions, []);
      assert.equal(
        (await call(t.keys.b.admin, "PATCH", `/v1/banks/${bank}`, { account_min_score: 0.7 })).statusCode,
        200,
      );
      const lenient = await submit("fig-lenient", "GunsandCoffee_4");
      assert.ok(
        lenient.matches.some((m) => m.type === "account"),
        JSON.stringify(lenient.matches),
      );
      assert.ok(
        lenient.actions.some((a) => a.type === "review"),
        JSON.stringify(lenient.actions),
      );
    });

    it("counts accounts suspended and returns found, with the time since suspension", async () => {
      const r = await call(t.keys.a.reader, "GET", "/v1/measure/accounts?interval=day");
      assert.equal(r.statusCode, 200, show(r));
      const f = json<Figures>(r);
      assert.equal(f.scope, "org");
      assert.equal(f.overall.suspended, 1);
      assert.equal(f.overall.returns, 1); // twitter:@gunsandcoffee_4, its first sighting
      assert.equal(f.overall.timed, 1);
      const m = f.overall.time_to_return;
      assert.equal(m.n, 1);
      // Suspended three days ago (midnight UTC): the return came between 2 and 4 days later.
      assert.ok(m.median_seconds! > 2 * 86_400 && m.median_seconds! < 4 * 86_400, String(m.median_seconds));
      assert.equal(
        f.periods.reduce((n, p) => n + p.suspended, 0),
        1,
      );
      assert.deepEqual(f.by_platform, [
        { platform: "twitter", suspended: 1, returns: 1, time_to_return: f.overall.time_to_return },
      ]);
      assert.deepEqual(f.by_reporter, [{ reporter: "Government B", suspended: 1 }]);

      // Organisation B submitted no items: no returns of its own, one in the coalition's.
      const own = json<Figures>(await call(t.keys.b.reader, "GET", "/v1/measure/accounts"));
      assert.equal(own.overall.returns, 0);
      assert.equal(own.overall.suspended, 1);
      const all = json<Figures>(await call(t.keys.b.reader, "GET", "/v1/measure/accounts?scope=coalition"));
      assert.equal(all.overall.returns, 1);
    });

    it("hides banks the caller may not see, refuses roles without measure.read and bad ranges", async () => {
      assert.equal((await call(t.keys.b.admin, "PATCH", `/v1/banks/${bank}`, { tlp: "RED" })).statusCode, 200);
      const hidden = json<Figures>(await call(t.keys.a.reader, "GET", "/v1/measure/accounts"));
      assert.equal(hidden.overall.suspended, 0);
      assert.equal(hidden.overall.returns, 0);
      // RED: the owner's admin (and named readers) only.
      const owner = json<Figures>(await call(t.keys.b.admin, "GET", "/v1/measure/accounts?scope=coalition"));
      assert.equal(owner.overall.suspended, 1);
      const submitter = await call(t.keys.a.submitter, "GET", "/v1/measure/accounts");
      assert.equal(submitter.statusCode, 403, show(submitter));
      const backwards = await call(
        t.keys.a.reader,
        "GET",
        "/v1/measure/accounts?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
      );
      assert.equal(backwards.statusCode, 400, show(backwards));
      const tooMany = await call(
        t.keys.a.reader,
        "GET",
        "/v1/measure/accounts?from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&interval=day",
      );
      assert.equal(tooMany.statusCode, 400, show(tooMany));
      assert.match(tooMany.body, /too many day periods/);
    });

    it("the transparency report carries the account figures in Art. 7(3)(b), report.csv and the page", async () => {
      const now = Date.now();
      const scope = { from: now - 7 * DAY, to: now + 1000 };
      const coalition = await buildReport(t.s.stores, t.s.measurement, scope);
      assert.equal(coalition.accounts?.overall.suspended, 1);
      assert.equal(coalition.accounts?.overall.returns, 1);
      const b = coalition.art7.find((r) => r.point === "7(3)(b)")!;
      assert.equal(b.figures.accountsSuspendedReported, 1);
      assert.equal(b.figures.returningAccountsFound, 1);
      const hours = b.figures.medianHoursSuspensionToReturn as number;
      assert.ok(hours > 48 && hours < 96, String(hours));
      assert.match(reportCsv(coalition).summary, /art7\[7\(3\)\(b\)\]\.returningAccountsFound,1\r\n/);
      assert.match(reportHtml(coalition), /Returning accounts found/);
      // items.csv: the returns recompute from their rows (one per item first seen returning, with its time).
      const [header, ...rows] = reportCsv(coalition).items.trim().split("\r\n");
      const cols = header!.split(",");
      const returns = rows
        .map((line) => line.split(","))
        .filter((cells) => cells[cols.indexOf("account_return")] === "1");
      assert.equal(returns.length, 1);
      assert.equal(Number(returns[0]![cols.indexOf("time_to_return_ms")]) / 3_600_000, hours);
      // Government B's own report: it banked the account; its own items found no return.
      const own = await buildReport(t.s.stores, t.s.measurement, {
        ...scope,
        org: { id: t.orgs.b.id, name: t.orgs.b.name },
      });
      const ownB = own.art7.find((r) => r.point === "7(3)(b)")!;
      assert.equal(ownB.figures.accountsSuspendedReportedByThisMember, 1);
      assert.equal(ownB.figures.returningAccountsFound, 0);
    });
  });
