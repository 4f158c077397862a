/**
 * The review wellness store (ports/wellness.ts, migration 0021) on SQLite and PostgreSQL:
 * preferences saved and replaced per person, an organisation's daily limit set and lifted,
 * exposures counted once per entry and day, per person.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Org } from "../../src/core/model.js";
import { EXPOSURE_KEEP_DAYS, WellnessService, dayOf } from "../../src/services/wellness.js";
import { openStores } from "../../src/storage/open.js";
import type { Stores } from "../../src/storage/ports/index.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";

const T0 = Date.UTC(2026, 11, 7, 9);
const DAY = 86_400_000;

function wellnessContract(name: string, makeDatabase: () => Promise<TestDatabase>, skip: string | false): void {
  describe(`review wellness store: ${name}`, { skip }, () => {
    let database: TestDatabase;
    let s: Stores;
    let org: Org;
    let alice = 0;
    let bob = 0;

    before(async () => {
      if (skip) return;
      database = await makeDatabase();
      s = await openStores(database.url);
      org = await s.signals.createOrg("Platform", "platform");
      alice = (await s.access.createPerson(org.id, "alice", "reviewer")).id;
      bob = (await s.access.createPerson(org.id, "bob", "reviewer")).id;
    });
    after(async () => {
      if (skip) return;
      await s.close();
      await database.drop();
    });

    it("saves and replaces each person's preferences", async () => {
      assert.equal(await s.wellness.getPreferences(alice), undefined);
      const p = { blur: 12, greyscale: false, breakMinutes: 20, breakItems: 0, audio: true };
      await s.wellness.setPreferences(alice, p, T0);
      assert.deepEqual(await s.wellness.getPreferences(alice), p);
      await s.wellness.setPreferences(alice, { ...p, blur: 0 }, T0 + 1);
      assert.deepEqual(await s.wellness.getPreferences(alice), { ...p, blur: 0 });
      assert.equal(await s.wellness.getPreferences(bob), undefined);
    });

    it("sets and lifts an organisation's daily limit", async () => {
      assert.equal((await s.wellness.getDailyLimit(org.id)).dailyLimit, null);
      await s.wellness.setDailyLimit(org.id, 30, alice, T0);
      assert.deepEqual(await s.wellness.getDailyLimit(org.id), { dailyLimit: 30, updatedBy: alice, updatedAt: T0 });
      await s.wellness.setDailyLimit(org.id, null, bob, T0 + 5);
      assert.deepEqual(await s.wellness.getDailyLimit(org.id), { dailyLimit: null, updatedBy: bob, updatedAt: T0 + 5 });
    });

    it("counts exposures once per entry, person and UTC day; the service refuses past the limit", async () => {
      const day = dayOf(T0);
      await s.wellness.recordExposure(alice, 1, day, T0);
      await s.wellness.recordExposure(alice, 1, day, T0 + 1000);
      await s.wellness.recordExposure(alice, 2, day, T0 + 2000);
      await s.wellness.recordExposure(bob, 1, day, T0);
      await s.wellness.recordExposure(alice, 3, day + DAY, T0 + DAY);
      assert.deepEqual(await s.wellness.exposures(alice, day, 2), { count: 2, includes: true });
      assert.deepEqual(await s.wellness.exposures(alice, day, 3), { count: 2, includes: false });
      assert.deepEqual(await s.wellness.exposures(bob, day), { count: 1, includes: false });
      const w = new WellnessService(s.wellness);
      await w.setLimit(org.id, 2, alice, T0);
      await w.admit(alice, org.id, 2, T0 + 3000); // seen today already: allowed
      await assert.rejects(() => w.admit(alice, org.id, 4, T0 + 4000), /opened 2 of 2 items today/);
      await w.admit(bob, org.id, 4, T0 + 4000);
      assert.equal((await w.exposure(bob, org.id, T0 + 5000)).remaining, 0);
      // The next UTC day starts again.
      assert.equal((await w.exposure(alice, org.id, T0 + DAY)).seenToday, 1);
      await assert.rejects(() => w.setLimit(org.id, 0, alice), /dailyLimit: must be a whole number from 1/);
    });

    it("deletes exposures older than the days kept, once a day, and keeps the rest", async () => {
      const day = dayOf(T0 + 10 * DAY);
      const old = day - (EXPOSURE_KEEP_DAYS + 1) * DAY;
      await s.wellness.recordExposure(alice, 90, old, old);
      await s.wellness.recordExposure(alice, 91, day - EXPOSURE_KEEP_DAYS * DAY, old + DAY);
      const w = new WellnessService(s.wellness);
      await w.admit(alice, org.id, 92, day + 1000);
      assert.deepEqual(await s.wellness.exposures(alice, old), { count: 0, includes: false }, "older: deleted");
      assert.equal((await s.wellness.exposures(alice, day - EXPOSURE_KEEP_DAYS * DAY)).count, 1, "kept");
      assert.equal(await s.wellness.pruneExposures(old), 0);
    });
  });
}

wellnessContract("SQLite", () => Promise.resolve(sqliteDatabase()), false);
wellnessContract("PostgreSQL", postgresDatabase, await postgresSkip());
