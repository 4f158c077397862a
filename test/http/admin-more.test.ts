/**
 * Issue 18's remaining admin and review gaps (decision 0036), through the API as the web app
 * uses it: a person's role changed (keys act with it at once, sessions end; not one's own, not
 * the operator's); a member organisation added by the operator only, with its first admin who
 * signs in; the organisation's default TLP for new banks; the audit log filtered by action on
 * the server (across pages); and undoing one's own review decision within the window, back to
 * the queue it came from — never someone else's, never one that added to a bank.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { UNDO_WINDOW_MS } from "../../src/services/reviews.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { json, startTestService, type TestService } from "../support/service.js";
import { rawDb } from "../support/raw-db.js";

const TEXT = "the caravan of the faithful leaves at dawn from the old market square join them before the gates close";
const errorOf = (r: LightMyRequestResponse) => json<{ error: { code: string; message: string } }>(r).error;

const skipPostgres = await postgresSkip();

for (const [store, skip, open] of [
  ["SQLite", false, async () => sqliteDatabase()],
  ["PostgreSQL", skipPostgres, postgresDatabase],
] as const)
  describe(`admin: roles, organisations, sharing defaults, audit by action; review undo (${store})`, { skip }, () => {
    let t: TestService;
    let db: TestDatabase;
    before(async () => {
      db = await open();
      t = await startTestService({ db });
    });
    after(async () => {
      await t?.close();
      await db?.drop();
    });

    const post = async (key: string, url: string, payload: unknown, headers: Record<string, string> = {}) => {
      const r = await t.call(key, { method: "POST", url, payload: payload as Record<string, unknown>, headers });
      assert.ok(r.statusCode < 300, `${url}: ${r.statusCode} ${r.body}`);
      return r.statusCode === 204 ? { id: 0 } : json<{ id: number }>(r);
    };

    it("changes a person's role: their key acts with it at once and their sessions end", async () => {
      const key = (await post(t.keys.a.admin, "/v1/keys", { person: "role-changer", role: "reader" })) as unknown as {
        key: string;
        person: { id: number };
      };
      const person = key.person;
      await post(t.keys.a.admin, `/v1/people/${person.id}/password`, { password: "a long enough password" });
      const session = await t.app.inject({
        method: "POST",
        url: "/v1/session",
        payload: { org: t.orgs.a.name, person: "role-changer", password: "a long enough password" },
      });
      const token = json<{ token: string }>(session).token;
      // A reader may not decide reviews or create rules.
      const before = await t.call(key.key, { method: "GET", url: "/v1/rules" });
      assert.equal(before.statusCode, 200);
      assert.equal(
        (await t.call(key.key, { method: "POST", url: "/v1/rules", payload: { name: "x", actions: [] } })).statusCode,
        403,
      );
      const r = await t.call(t.keys.a.admin, {
        method: "PATCH",
        url: `/v1/people/${person.id}`,
        payload: { role: "admin" },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(json<{ role: string }>(r).role, "admin");
      const rule = await t.call(key.key, {
        method: "POST",
        url: "/v1/rules",
        payload: { name: "made-by-new-admin", conditions: {}, actions: [{ type: "review" }] },
      });
      assert.equal(rule.statusCode, 201, rule.body);
      assert.equal((await t.call(token, { method: "GET", url: "/v1/session" })).statusCode, 401, "the session ended");
      const audit = await t.call(t.keys.a.admin, { method: "GET", url: `/v1/audit?target=person:${person.id}` });
      const entries = json<{ entries: { action: string; detail: Record<string, unknown> }[] }>(audit).entries;
      assert.deepEqual(entries.at(-1), { ...entries.at(-1), action: "person.role" });
      assert.deepEqual([entries.at(-1)!.detail.from, entries.at(-1)!.detail.to], ["reader", "admin"]);
    });

    it("refuses one's own role, the operator's, a role that is none, another organisation's person and non-admins", async () => {
      const own = await t.call(t.keys.a.admin, {
        method: "PATCH",
        url: `/v1/people/${t.people.a.admin}`,
        payload: { role: "reader" },
      });
      assert.equal(own.statusCode, 400);
      assert.match(errorOf(own).message, /your own role/);
      const op = await t.call(t.keys.a.admin, {
        method: "PATCH",
        url: `/v1/people/${t.people.a.operator}`,
        payload: { role: "reader" },
      });
      assert.equal(op.statusCode, 403);
      assert.match(errorOf(op).message, /operator/);
      const toOperator = await t.call(t.keys.a.admin, {
        method: "PATCH",
        url: `/v1/people/${t.people.a.reader}`,
        payload: { role: "operator" },
      });
      assert.equal(toOperator.statusCode, 400);
      assert.match(errorOf(toOperator).message, /role/);
      const foreign = await t.call(t.keys.b.admin, {
        method: "PATCH",
        url: `/v1/people/${t.people.a.reader}`,
        payload: { role: "admin" },
      });
      assert.equal(foreign.statusCode, 404);
      const curator = await t.call(t.keys.a.curator, {
        method: "PATCH",
        url: `/v1/people/${t.people.a.reader}`,
        payload: { role: "admin" },
      });
      assert.equal(curator.statusCode, 403);
    });

    it("adds a member organisation (the operator only) whose first admin signs in", async () => {
      for (const key of [t.keys.a.admin, t.keys.b.admin]) {
        const r = await t.call(key, { method: "POST", url: "/v1/orgs", payload: { name: "Newcomer", kind: "ngo" } });
        assert.equal(r.statusCode, 403, "an organisation's admin does not add members");
      }
      const r = await t.call(t.keys.a.operator, {
        method: "POST",
        url: "/v1/orgs",
        payload: {
          name: "Newcomer NGO",
          kind: "ngo",
          admin: { name: "first-admin", password: "a long enough password" },
        },
      });
      assert.equal(r.statusCode, 201, r.body);
      const made = json<{ org: { id: number; name: string; kind: string }; admin: { role: string } }>(r);
      assert.deepEqual([made.org.name, made.org.kind, made.admin.role], ["Newcomer NGO", "ngo", "admin"]);
      const orgs = json<{ orgs: { name: string }[] }>(
        await t.call(t.keys.c.reader, { method: "GET", url: "/v1/orgs" }),
      );
      assert.ok(orgs.orgs.some((o) => o.name === "Newcomer NGO"));
      const session = await t.app.inject({
        method: "POST",
        url: "/v1/session",
        payload: { org: "Newcomer NGO", person: "first-admin", password: "a long enough password" },
      });
      assert.equal(session.statusCode, 200, session.body);
      const dup = await t.call(t.keys.a.operator, {
        method: "POST",
        url: "/v1/orgs",
        payload: { name: "Newcomer NGO", kind: "ngo" },
      });
      assert.equal(dup.statusCode, 409);
      assert.match(errorOf(dup).message, /already exists/);
      const badKind = await t.call(t.keys.a.operator, {
        method: "POST",
        url: "/v1/orgs",
        payload: { name: "Odd", kind: "club" },
      });
      assert.equal(badKind.statusCode, 400);
      assert.match(errorOf(badKind).message, /kind/);
    });

    it("marks new banks with the organisation's default TLP; an explicit marking wins; null goes back", async () => {
      const get = async () =>
        json<{ tlp: string | null; effective_tlp: string }>(
          await t.call(t.keys.b.curator, { method: "GET", url: "/v1/sharing-defaults" }),
        );
      assert.deepEqual(await get(), { ...(await get()), tlp: null, effective_tlp: "AMBER+STRICT" });
      const refused = await t.call(t.keys.b.curator, {
        method: "PUT",
        url: "/v1/sharing-defaults",
        payload: { tlp: "GREEN" },
      });
      assert.equal(refused.statusCode, 403, "a curator reads the default; an admin sets it");
      const bad = await t.call(t.keys.b.admin, {
        method: "PUT",
        url: "/v1/sharing-defaults",
        payload: { tlp: "PINK" },
      });
      assert.equal(bad.statusCode, 400);
      const set = await t.call(t.keys.b.admin, {
        method: "PUT",
        url: "/v1/sharing-defaults",
        payload: { tlp: "GREEN" },
      });
      assert.equal(set.statusCode, 200, set.body);
      assert.equal((await get()).effective_tlp, "GREEN");
      const bankOf = async (payload: Record<string, unknown>) =>
        json<{ tlp: string }>(await t.call(t.keys.b.curator, { method: "POST", url: "/v1/banks", payload }));
      assert.equal((await bankOf({ name: "b-default-marked" })).tlp, "GREEN");
      assert.equal((await bankOf({ name: "b-explicit-red", tlp: "RED" })).tlp, "RED");
      // Another organisation's default is its own.
      const a = await t.call(t.keys.a.admin, { method: "POST", url: "/v1/banks", payload: { name: "a-unmarked" } });
      assert.equal(json<{ tlp: string }>(a).tlp, "AMBER+STRICT");
      await t.call(t.keys.b.admin, { method: "PUT", url: "/v1/sharing-defaults", payload: { tlp: null } });
      assert.equal((await bankOf({ name: "b-after-reset" })).tlp, "AMBER+STRICT");
    });

    it("filters the audit log by action on the server, across pages", async () => {
      for (let i = 0; i < 6; i++)
        await post(t.keys.c.admin, "/v1/keys", { person: `audit-person-${i}`, role: "reader" });
      await post(t.keys.c.admin, "/v1/banks", { name: "c-bank" });
      const page = async (q: string) =>
        json<{ entries: { id: number; action: string }[] }>(
          await t.call(t.keys.c.admin, { method: "GET", url: `/v1/audit?${q}` }),
        ).entries;
      const first = await page("action=key.&limit=4");
      assert.equal(first.length, 4);
      assert.ok(first.every((e) => e.action.startsWith("key.")));
      const second = await page(`action=key.&limit=4&before=${first.at(-1)!.id}`);
      assert.ok(second.length >= 2 && second.every((e) => e.action.startsWith("key.")));
      assert.deepEqual(
        (await page("action=bank.create")).map((e) => e.action),
        ["bank.create"],
      );
      const bad = await t.call(t.keys.c.admin, { method: "GET", url: "/v1/audit?action=KEY%25" });
      assert.equal(bad.statusCode, 400);
      assert.match(errorOf(bad).message, /action/);
    });

    it("undoes one's own decision within the window, back to its queue; never another's, never past the window", async () => {
      await post(t.keys.a.admin, "/v1/rules", { name: "review-all", conditions: {}, actions: [{ type: "review" }] });
      const bank = await post(t.keys.b.admin, "/v1/banks", { name: "b-green", tlp: "GREEN" });
      await post(t.keys.b.curator, `/v1/banks/${bank.id}/signals`, { signals: [{ type: "text", value: TEXT }] });
      for (let i = 0; i < 3; i++)
        await post(t.keys.a.submitter, "/v1/content", { text: `${TEXT} ${i}` }, { "idempotency-key": `u${i}` });
      await t.drain();
      const queue = async (key: string, status: string) =>
        json<{ reviews: { id: number; decided_by: number | null; undo_until?: string }[]; total: number }>(
          await t.call(key, { method: "GET", url: `/v1/reviews?status=${status}` }),
        );
      const open = (await queue(t.keys.a.reviewer, "open")).reviews;
      assert.equal(open.length, 3);
      const [one, two, three] = open.map((r) => r.id) as [number, number, number];
      const decide = (key: string, id: number, decision: string) =>
        t.call(key, { method: "POST", url: `/v1/reviews/${id}/decision`, payload: { decision, reasons: "because" } });
      const undo = (key: string, id: number) => t.call(key, { method: "POST", url: `/v1/reviews/${id}/undo` });

      // Decided, then undone: open again, claimed by the undoer, out of the decided history.
      const d = await decide(t.keys.a.reviewer, one, "not_violating");
      assert.ok(json<{ undo_until?: string }>(d).undo_until, d.body);
      const mine = (await queue(t.keys.a.reviewer, "decided")).reviews.find((r) => r.id === one)!;
      assert.ok(mine.undo_until && Date.parse(mine.undo_until) > Date.now());
      const theirs = (await queue(t.keys.a.admin, "decided")).reviews.find((r) => r.id === one)!;
      assert.equal(theirs.undo_until, undefined, "only the person who decided is offered the undo");
      const other = await undo(t.keys.a.admin, one);
      assert.equal(other.statusCode, 409);
      assert.match(errorOf(other).message, /someone else/);
      const u = await undo(t.keys.a.reviewer, one);
      assert.equal(u.statusCode, 200, u.body);
      assert.deepEqual(json(u), { id: one, status: "open" });
      const detail = json<{ review: { status: string; decision: string | null; claimed_by: number | null } }>(
        await t.call(t.keys.a.reviewer, { method: "GET", url: `/v1/reviews/${one}` }),
      ).review;
      assert.deepEqual([detail.status, detail.decision, detail.claimed_by], ["open", null, t.people.a.reviewer]);
      const again = await undo(t.keys.a.reviewer, one);
      assert.equal(again.statusCode, 409);
      assert.match(errorOf(again).message, /no decision to undo/);

      // Escalated, then decided by the senior, then undone: back to the escalated queue.
      assert.equal((await decide(t.keys.a.reviewer, two, "escalate")).statusCode, 200);
      assert.equal((await decide(t.keys.a.admin, two, "violating_no")).statusCode, 400);
      const senior = await t.call(t.keys.a.admin, {
        method: "POST",
        url: `/v1/reviews/${two}/decision`,
        payload: { decision: "violating", labels: { entity: ["isis"] }, reasons: "confirmed" },
      });
      assert.equal(senior.statusCode, 200, senior.body);
      const back = await undo(t.keys.a.admin, two);
      assert.deepEqual(json(back), { id: two, status: "escalated" });
      assert.ok((await queue(t.keys.a.admin, "escalated")).reviews.some((r) => r.id === two));

      // Past the window: refused.
      assert.equal((await decide(t.keys.a.reviewer, three, "not_violating")).statusCode, 200);
      await rawDb(t.s)
        .updateTable("review_items")
        .set({ decided_at: Date.now() - UNDO_WINDOW_MS - 1000 })
        .where("id", "=", three)
        .execute();
      const late = await undo(t.keys.a.reviewer, three);
      assert.equal(late.statusCode, 409);
      assert.match(errorOf(late).message, /no longer be undone/);
      // A reader may not undo at all; another organisation's admin does not see the entry.
      assert.equal((await undo(t.keys.a.reader, three)).statusCode, 403);
      assert.equal((await undo(t.keys.b.admin, three)).statusCode, 404);
    });
  });
