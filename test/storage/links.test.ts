/**
 * The links store (ports/links.ts) on SQLite and PostgreSQL: enrolment without duplicates,
 * visibility through the banks' URL signals, leases that take one link per host and pace the
 * host for every worker, checks recorded only by the lease's owner (first online and first
 * offline kept), members' domains, one alert per link and member with the removal seen after
 * it, a link's state at a past moment, and expansions.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Bank, Org } from "../../src/core/model.js";
import { openStores } from "../../src/storage/open.js";
import type { CheckResult, Stores } from "../../src/storage/ports/index.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";

const T0 = Date.UTC(2026, 5, 1);

function check(status: CheckResult["status"], at: number, extra: Partial<CheckResult> = {}): CheckResult {
  return {
    checkedAt: at,
    status,
    httpStatus: status === "online" ? 200 : status === "removed" ? 404 : null,
    detail: status,
    hops: [{ url: "https://x.example/a", method: "HEAD", status: 200, ms: 3 }],
    finalUrl: "https://x.example/a",
    nextCheckAt: at + 1000,
    ...extra,
  };
}

function linksContract(name: string, makeDatabase: () => Promise<TestDatabase>, skip: string | false): void {
  describe(`links store: ${name}`, { skip }, () => {
    let database: TestDatabase;
    let mediaDir: string;
    let s: Stores;
    let org: Org;
    let host: Org;
    let bank: Bank;
    let hidden: Bank;
    /** The link the tests check again and again (the a.example link first recorded online). */
    let checkedId: number;

    before(async () => {
      if (skip) return;
      database = await makeDatabase();
      mediaDir = mkdtempSync(join(tmpdir(), "rasd-media-"));
      s = await openStores(database.url, { mediaDir });
      org = await s.signals.createOrg("Curators", "ngo");
      host = await s.signals.createOrg("FileHost", "platform");
      bank = await s.signals.createBank({ orgId: org.id, name: "LINKS" });
      hidden = await s.signals.createBank({ orgId: org.id, name: "HIDDEN" });
      await s.signals.upsertSignals(bank.id, [
        { type: "url", value: "a.example/1" },
        { type: "url", value: "a.example/2" },
        { type: "url", value: "b.example/1" },
      ]);
      await s.signals.upsertSignals(hidden.id, [{ type: "url", value: "c.example/1" }]);
    });
    after(async () => {
      if (skip) return;
      await s.close();
      await database.drop();
      rmSync(mediaDir, { recursive: true, force: true });
    });

    it("enrols each URL once and lists only those banked where the caller may see", async () => {
      const urls = [
        { url: "a.example/1", host: "a.example" },
        { url: "a.example/2", host: "a.example" },
        { url: "b.example/1", host: "b.example" },
        { url: "c.example/1", host: "c.example" },
      ];
      assert.equal(await s.links.enrol(urls, T0), 4);
      assert.equal(await s.links.enrol(urls, T0 + 1), 0, "enrolling again adds nothing");
      const visible = await s.links.list({ bankIds: [bank.id] });
      assert.deepEqual(visible.map((l) => l.url).sort(), ["a.example/1", "a.example/2", "b.example/1"]);
      assert.equal((await s.links.list({ bankIds: [] })).length, 0);
      assert.equal(await s.links.visible("c.example/1", [bank.id]), false);
      assert.equal(await s.links.visible("c.example/1", [hidden.id]), true);
      const byHost = await s.links.list({ bankIds: [bank.id, hidden.id], host: "a.example" });
      assert.equal(byHost.length, 2);
      assert.equal(byHost[0]!.status, "unchecked");
    });

    it("leases one link per host, paces the host for every worker, and honours leases", async () => {
      const first = await s.links.leaseDue({ owner: "w1", now: T0 + 10, leaseMs: 5000, limit: 10, hostGapMs: 2000 });
      assert.deepEqual(first.map((l) => l.host).sort(), ["a.example", "b.example", "c.example"]);
      // Another worker: the remaining a.example link is due, but its host is paced.
      const second = await s.links.leaseDue({ owner: "w2", now: T0 + 20, leaseMs: 5000, limit: 10, hostGapMs: 2000 });
      assert.equal(second.length, 0);
      const later = await s.links.leaseDue({ owner: "w2", now: T0 + 2010, leaseMs: 5000, limit: 10, hostGapMs: 2000 });
      assert.equal(later.length, 1);
      assert.equal(later[0]!.host, "a.example");
      assert.ok(!first.some((l) => l.id === later[0]!.id), "the leased link is not leased again");
      // Only the owner records; a lost lease writes nothing.
      const a = first.find((l) => l.host === "a.example")!;
      assert.equal(await s.links.recordCheck(a.id, "w2", check("online", T0 + 30)), false);
      assert.equal(await s.links.recordCheck(a.id, "w1", check("online", T0 + 30)), true);
      checkedId = a.id;
      assert.equal(await s.links.recordCheck(a.id, "w1", check("online", T0 + 40)), false, "the lease is released");
    });

    it("keeps the first online and first offline times; errors count failures; 429 paces the host", async () => {
      const a = (await s.links.get(checkedId))!;
      const own = async (at: number) => (await s.links.leaseOne(a.id, "w9", at, 5000))!;
      let l = await s.links.get(a.id);
      const firstOnline = l!.firstOnlineAt;
      await own(T0 + 100);
      assert.equal(await s.links.leaseOne(a.id, "w9", T0 + 101, 5000), undefined, "not twice, even by its holder");
      await s.links.recordCheck(a.id, "w9", check("error", T0 + 100, { hostNotBefore: T0 + 60_000 }));
      await own(T0 + 200);
      await s.links.recordCheck(a.id, "w9", check("error", T0 + 200));
      l = await s.links.get(a.id);
      assert.equal(l!.failures, 2);
      assert.equal(l!.lastError, "error");
      assert.equal(l!.firstOnlineAt, firstOnline);
      await own(T0 + 300);
      await s.links.recordCheck(a.id, "w9", check("removed", T0 + 300));
      await own(T0 + 400);
      await s.links.recordCheck(a.id, "w9", check("removed", T0 + 400));
      l = await s.links.get(a.id);
      assert.equal(l!.status, "removed");
      assert.equal(l!.firstOfflineAt, T0 + 300);
      assert.equal(l!.failures, 0);
      assert.equal(l!.checks, 5);
      const history = await s.links.checks(a.id);
      assert.deepEqual(
        history.map((c) => c.status),
        ["removed", "removed", "error", "error", "online"],
      );
      assert.equal(history[0]!.hops[0]!.method, "HEAD");
      // The 429's Retry-After keeps every worker off the host.
      const due = await s.links.leaseDue({ owner: "w3", now: T0 + 50_000, leaseMs: 5000, limit: 10, hostGapMs: 1 });
      assert.ok(!due.some((x) => x.host === "a.example"), JSON.stringify(due));
      // The state at a past moment is the latest check before it.
      const before = await s.links.statesAt(T0 + 250, [bank.id]);
      const at = before.find((x) => x.id === a.id)!;
      assert.equal(at.status, "error");
      assert.equal(at.firstOfflineAt, null);
      const now = (await s.links.statesAt(T0 + 1000, [bank.id])).find((x) => x.id === a.id)!;
      assert.equal(now.status, "removed");
      assert.equal(now.firstOfflineAt, T0 + 300);
      assert.equal(now.firstOnlineAt, T0 + 30);
    });

    it("lists members' domains; a domain belongs to one member", async () => {
      await s.links.addDomain(host.id, "a.example", T0);
      await s.links.addDomain(host.id, "a.example", T0 + 1);
      await assert.rejects(s.links.addDomain(org.id, "a.example", T0), /already listed/);
      assert.deepEqual(
        (await s.links.listDomains(host.id)).map((d) => d.domain),
        ["a.example"],
      );
      assert.equal((await s.links.listDomains()).length, 1);
      assert.equal(await s.links.removeDomain(org.id, "a.example"), false);
      await s.links.addDomain(host.id, "z.example", T0);
      assert.equal(await s.links.removeDomain(host.id, "z.example"), true);
    });

    it("records one alert per link and member, with the first removal seen after it", async () => {
      const a = (await s.links.get(checkedId))!;
      const b = (await s.links.getByUrl("b.example/1"))!;
      const alert = await s.links.recordAlert({ linkId: a.id, orgId: host.id, itemId: null, alertedAt: T0 + 250 });
      assert.ok(alert);
      assert.equal(
        await s.links.recordAlert({ linkId: a.id, orgId: host.id, itemId: null, alertedAt: T0 + 260 }),
        undefined,
      );
      await s.links.setAlertItem(alert.id, 77);
      await s.links.recordAlert({ linkId: b.id, orgId: host.id, itemId: null, alertedAt: T0 + 270 });
      const outcomes = await s.links.alertOutcomes(T0, T0 + 1000, [bank.id]);
      assert.equal(outcomes.length, 2);
      const oa = outcomes.find((o) => o.linkId === a.id)!;
      assert.equal(oa.removedAt, T0 + 300, "the removal after the alert");
      assert.equal(oa.itemId, 77);
      assert.equal(outcomes.find((o) => o.linkId === b.id)!.removedAt, null);
      assert.equal((await s.links.alertOutcomes(T0, T0 + 1000, [])).length, 0);
      assert.equal((await s.links.alertsOf(a.id)).length, 1);
    });

    it("records expansions by URL and by item", async () => {
      const hops = [
        { url: "https://bit.ly/x", method: "HEAD" as const, status: 301, location: "https://a.example/1", ms: 4 },
        { url: "https://a.example/1", method: "HEAD" as const, status: 200, ms: 5 },
      ];
      await s.links.recordExpansion({
        orgId: org.id,
        itemId: 5,
        url: "bit.ly/x",
        finalUrl: "https://a.example/1",
        hops,
        error: null,
        expandedAt: T0,
      });
      const [e] = await s.links.expansions({ url: "bit.ly/x" });
      assert.deepEqual(e!.hops, hops);
      assert.equal((await s.links.expansions({ itemId: 5 })).length, 1);
      assert.equal((await s.links.expansions({ itemId: 6 })).length, 0);
    });
  });
}

linksContract("SQLite", () => Promise.resolve(sqliteDatabase()), false);
linksContract("PostgreSQL", postgresDatabase, await postgresSkip());
