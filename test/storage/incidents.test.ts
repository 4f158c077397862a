/**
 * The incidents port (ports/incidents.ts) on SQLite and PostgreSQL: an incident with its first
 * events, updates, events in time order, variants proposed once per value and decided once,
 * alerts queued with their "incident" jobs, and their delivery recorded with an
 * `alert_delivered` event (a failure retried, then dead after its attempts).
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isRasdError } from "../../src/core/errors.js";
import { computeDebrief } from "../../src/core/incidents.js";
import type { Bank, Org } from "../../src/core/model.js";
import { openStores } from "../../src/storage/open.js";
import type { Stores } from "../../src/storage/ports/index.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";

function incidentsContract(name: string, makeDatabase: () => Promise<TestDatabase>, skip: string | false): void {
  describe(`incident store: ${name}`, { skip }, () => {
    let database: TestDatabase;
    let s: Stores;
    let gov: Org;
    let platform: Org;
    let bank: Bank;

    before(async () => {
      database = await makeDatabase();
      s = await openStores(database.url);
      gov = await s.signals.createOrg("Gov", "government");
      platform = await s.signals.createOrg("Platform", "platform");
      bank = await s.signals.createBank({ orgId: gov.id, name: "incident-1", tlp: "GREEN" });
    });

    after(async () => {
      await s?.close();
      await database?.drop();
    });

    it("creates an incident with its events, updates it and lists it", async () => {
      const inc = await s.incidents.create(
        {
          orgId: gov.id,
          declaredBy: null,
          tier: 2,
          title: "T",
          description: "D",
          drill: true,
          bankId: bank.id,
          declaredAt: 1000,
        },
        [{ at: 1000, kind: "declared", orgId: gov.id, detail: { members: [gov.id, platform.id] } }],
      );
      assert.equal(inc.tier, 2);
      assert.equal(inc.drill, true);
      assert.equal(inc.status, "active");
      assert.equal((await s.incidents.get(inc.id))?.title, "T");
      const closed = await s.incidents.update(inc.id, { status: "closed", closedAt: 5000, improve: "faster" }, 5000);
      assert.equal(closed.status, "closed");
      assert.equal(closed.closedAt, 5000);
      assert.equal(closed.improve, "faster");
      assert.deepEqual(
        (await s.incidents.list({ status: "closed" })).map((i) => i.id),
        [inc.id],
      );
      assert.deepEqual(await s.incidents.list({ status: "active" }), []);
      await assert.rejects(
        s.incidents.update(99_999, { tier: 1 }, 1),
        (e: unknown) => isRasdError(e) && e.code === "not_found",
      );
      // Events in time order, whatever order they were written in.
      await s.incidents.addEvents([
        { incidentId: inc.id, at: 3000, kind: "action", orgId: platform.id, itemId: 7 },
        {
          incidentId: inc.id,
          at: 2000,
          kind: "match",
          orgId: platform.id,
          itemId: 7,
          signalId: 1,
          detail: { type: "pdq" },
        },
        { incidentId: inc.id, at: 1500, kind: "hash_shared", orgId: gov.id, signalId: 1 },
      ]);
      const events = await s.incidents.events(inc.id);
      assert.deepEqual(
        events.map((e) => e.kind),
        ["declared", "hash_shared", "match", "action"],
      );
      assert.deepEqual(events[0]!.detail, { members: [gov.id, platform.id] });
      const d = computeDebrief(inc.id, true, events);
      assert.equal(d.toFirstHash, 500);
      assert.equal(d.toFirstMatch, 1000);
      assert.equal(d.toNinetyActioned, 2000);
      assert.deepEqual(d.neverActed, [gov.id]);
      assert.deepEqual([...(await s.incidents.itemsWithEvent(inc.id, "match", [7, 8]))], [7]);
      // Drill: its matched items are excluded from real figures.
      assert.deepEqual([...(await s.incidents.drillItems([7, 8]))], [7]);
    });

    it("proposes a variant once per value, counts sightings, decides it once", async () => {
      const inc = (await s.incidents.list())[0]!;
      const v = {
        incidentId: inc.id,
        type: "pdq" as const,
        value: "ab".repeat(32),
        itemId: 7,
        orgId: platform.id,
        nearSignalId: 1,
        distance: 6,
        similarity: null,
        proposedAt: 2000,
      };
      const first = await s.incidents.proposeVariant(v);
      assert.equal(first.created, true);
      const again = await s.incidents.proposeVariant(v);
      assert.equal(again.created, false);
      assert.equal(again.variant.id, first.variant.id);
      await s.incidents.sawVariant(first.variant.id);
      assert.equal((await s.incidents.getVariant(first.variant.id))?.seen, 2);
      const accepted = await s.incidents.decideVariant(first.variant.id, {
        status: "accepted",
        by: null,
        at: 3000,
        signalId: 42,
      });
      assert.equal(accepted.status, "accepted");
      assert.equal(accepted.signalId, 42);
      await assert.rejects(
        s.incidents.decideVariant(first.variant.id, { status: "rejected", by: null, at: 4000, signalId: null }),
        (e: unknown) => isRasdError(e) && e.code === "conflict",
      );
      assert.deepEqual((await s.incidents.variants(inc.id, "proposed")).length, 0);
      assert.deepEqual((await s.incidents.variants(inc.id, "accepted")).length, 1);
    });

    it("queues alerts with their jobs and records deliveries, retries and dead letters", async () => {
      const inc = (await s.incidents.list())[0]!;
      const alert = (n: number) => ({
        incidentId: inc.id,
        orgId: platform.id,
        event: "incident.declared",
        deliveryId: `inc_test_${n}`,
        target: `https://hooks.example.org/${n}`,
        ruleId: 1,
        actionIndex: 0,
        payload: "{}",
        createdAt: 1000,
      });
      await s.incidents.queueAlerts([alert(1), alert(2)]);
      const jobs = await s.jobs.lease({ kind: "incident", owner: "t", limit: 10, leaseMs: 60_000 });
      assert.equal(jobs.length, 2);
      const [a1, a2] = await s.incidents.alerts(inc.id);
      assert.equal(a1!.status, "pending");
      const byRef = new Map(jobs.map((j) => [j.refId, j]));
      await s.incidents.recordAlerts(
        [
          { job: byRef.get(a1!.id)!, alert: a1!, httpStatus: 204, retryAt: 0, at: 1234 },
          { job: byRef.get(a2!.id)!, alert: a2!, httpStatus: 500, error: "HTTP 500", retryAt: 0, at: 1300 },
        ],
        [],
      );
      const after1 = await s.incidents.alerts(inc.id);
      assert.equal(after1[0]!.status, "delivered");
      assert.equal(after1[0]!.deliveredAt, 1234);
      assert.equal(after1[1]!.status, "pending");
      assert.equal(after1[1]!.lastError, "HTTP 500");
      const delivered = (await s.incidents.events(inc.id)).filter((e) => e.kind === "alert_delivered");
      assert.deepEqual(
        delivered.map((e) => [e.at, e.orgId]),
        [[1234, platform.id]],
      );
      // The failed one is queued again; with its attempts spent it is dead.
      const counts = await s.jobs.counts();
      assert.equal(counts["incident.queued"], 1);
      const [retry] = await s.jobs.lease({ kind: "incident", owner: "t", limit: 10, leaseMs: 60_000 });
      assert.ok(retry);
      await s.incidents.recordAlerts(
        [
          {
            job: { ...retry, attempts: retry.maxAttempts },
            alert: after1[1]!,
            httpStatus: null,
            error: "refused",
            retryAt: 0,
            at: 1400,
          },
        ],
        [],
      );
      assert.equal((await s.incidents.getAlert(a2!.id))?.status, "dead");
    });
  });
}

incidentsContract("SQLite", () => Promise.resolve(sqliteDatabase()), false);
incidentsContract("PostgreSQL", postgresDatabase, await postgresSkip());
