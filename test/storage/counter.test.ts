/**
 * The counter-messaging store (ports/counter.ts), on SQLite and PostgreSQL: items and the
 * conditional workflow (two approvers racing: one wins), keyword sets per member without
 * duplicates, the version that changes on every change, sealed secrets replaced, events
 * de-duplicated per member and event id, and impressions folded from them.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Org } from "../../src/core/model.js";
import { openStores } from "../../src/storage/open.js";
import type { CounterEvent, Stores } from "../../src/storage/ports/index.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";

const T0 = Date.UTC(2026, 5, 1);

function counterContract(name: string, makeDatabase: () => Promise<TestDatabase>, skip: string | false): void {
  describe(`counter-messaging store: ${name}`, { skip }, () => {
    let database: TestDatabase;
    let s: Stores;
    let a: Org;
    let b: Org;

    before(async () => {
      database = await makeDatabase();
      s = await openStores(database.url);
      a = await s.signals.createOrg("A", "platform");
      b = await s.signals.createOrg("B", "government");
    });
    after(async () => {
      await s.close();
      await database.drop();
    });

    const newItem = (orgId: number, title: string) =>
      s.counter.createItem({
        orgId,
        kind: "url",
        title,
        body: "",
        url: "https://example.org/x",
        mediaHash: null,
        narratives: ["victimhood", "belonging"],
        audience: "everyone",
        lang: "ar",
        tlp: "CLEAR",
        createdBy: null,
        createdAt: T0,
      });

    it("items: created as drafts, read back, listed newest first per member and status", async () => {
      const x = await newItem(a.id, "one");
      const y = await newItem(b.id, "two");
      assert.equal(x.status, "draft");
      assert.deepEqual(await s.counter.getItem(x.id), x);
      assert.deepEqual(x.narratives, ["victimhood", "belonging"]);
      assert.deepEqual(
        (await s.counter.listItems()).map((i) => i.id),
        [y.id, x.id],
      );
      assert.deepEqual(
        (await s.counter.listItems({ orgId: a.id })).map((i) => i.id),
        [x.id],
      );
      assert.equal((await s.counter.listItems({ status: "approved" })).length, 0);
    });

    it("workflow: a transition applies only from the expected status (one of two racing approvers wins)", async () => {
      const x = await newItem(a.id, "race");
      const [first, second] = await Promise.all([
        s.counter.setStatus(x.id, "draft", "approved", 1, T0 + 1),
        s.counter.setStatus(x.id, "draft", "approved", 2, T0 + 2),
      ]);
      assert.equal([first, second].filter((r) => r !== undefined).length, 1);
      const approved = (await s.counter.getItem(x.id))!;
      assert.equal(approved.status, "approved");
      assert.ok(approved.approvedAt === T0 + 1 || approved.approvedAt === T0 + 2);
      const retired = await s.counter.setStatus(x.id, "approved", "retired", 3, T0 + 3);
      assert.equal(retired?.status, "retired");
      assert.equal(retired?.retiredBy, 3);
      assert.equal(retired?.retiredAt, T0 + 3);
      assert.equal(await s.counter.setStatus(x.id, "approved", "retired", 3, T0 + 4), undefined);
    });

    it("keywords: added per member without duplicates, removed only by their member; the version moves", async () => {
      const v0 = await s.counter.version();
      const added = await s.counter.addKeywords(a.id, "caliphate-utopia", ["الخلافة", "hijra", "hijra"], null, T0);
      assert.deepEqual(
        added.map((k) => k.phrase),
        ["الخلافة", "hijra"],
      );
      assert.equal((await s.counter.addKeywords(a.id, "caliphate-utopia", ["hijra"], null, T0)).length, 0);
      assert.equal((await s.counter.addKeywords(b.id, "caliphate-utopia", ["hijra"], null, T0)).length, 1);
      const v1 = await s.counter.version();
      assert.notEqual(v1, v0);
      assert.equal(await s.counter.removeKeyword(b.id, added[0]!.id), false, "B cannot remove A's keyword");
      assert.equal(await s.counter.removeKeyword(a.id, added[0]!.id), true);
      assert.notEqual(await s.counter.version(), v1);
      assert.equal((await s.counter.listKeywords()).length, 2);
    });

    it("secrets: set and replaced per member", async () => {
      assert.equal(await s.counter.getSecret(a.id), undefined);
      await s.counter.setSecret(a.id, "sealed:v1:one", T0);
      await s.counter.setSecret(a.id, "sealed:v1:two", T0 + 1);
      assert.equal(await s.counter.getSecret(a.id), "sealed:v1:two");
      assert.equal(await s.counter.getSecret(b.id), undefined);
    });

    it("events: de-duplicated per member and id; impressions folded and scoped", async () => {
      const item = await newItem(a.id, "events");
      const ev = (
        orgId: number,
        eventId: string,
        kind: CounterEvent["kind"],
        imp: string,
        at: number,
        watchMs = 0,
      ) => ({
        orgId,
        eventId,
        kind,
        itemId: item.id,
        narrative: "victimhood",
        lang: "ar",
        impression: imp,
        servedAt: T0,
        at,
        watchMs,
        recordedAt: at,
      });
      const first = await s.counter.recordEvents([
        ev(a.id, "1", "impression", "i1", T0 + 10),
        ev(a.id, "2", "click", "i1", T0 + 20),
        ev(a.id, "3", "watch", "i1", T0 + 30, 5000),
        ev(a.id, "4", "watch", "i1", T0 + 40, 2500),
        ev(a.id, "5", "impression", "i2", T0 + 50),
        ev(a.id, "5", "impression", "i3", T0 + 60),
        ev(b.id, "1", "impression", "i4", T0 + 70),
      ]);
      assert.deepEqual(first, [true, true, true, true, true, false, true]);
      assert.deepEqual(await s.counter.recordEvents([ev(a.id, "1", "impression", "i1", T0 + 10)]), [false]);
      const rows = await s.counter.impressions({ from: T0, to: T0 + 1000 });
      const i1 = rows.find((r) => r.impression === "i1")!;
      assert.deepEqual(
        { at: i1.at, impressed: i1.impressed, clicked: i1.clicked, watched: i1.watched, watchMs: i1.watchMs },
        { at: T0 + 10, impressed: true, clicked: true, watched: true, watchMs: 7500 },
      );
      assert.deepEqual(rows.map((r) => r.impression).sort(), ["i1", "i2", "i4"]);
      // B served i4 of A's item: B sees its own; A (the owner) sees all three.
      assert.deepEqual(
        (await s.counter.impressions({ from: T0, to: T0 + 1000, orgId: b.id })).map((r) => r.impression),
        ["i4"],
      );
      assert.equal((await s.counter.impressions({ from: T0, to: T0 + 1000, orgId: a.id })).length, 3);
      assert.equal((await s.counter.impressions({ from: T0 + 45, to: T0 + 1000, itemIds: [item.id] })).length, 2);
      assert.equal((await s.counter.impressions({ from: T0, to: T0 + 1000, itemIds: [] })).length, 0);
    });
  });
}

counterContract("SQLite", () => Promise.resolve(sqliteDatabase()), false);
counterContract("PostgreSQL", postgresDatabase, await postgresSkip());
