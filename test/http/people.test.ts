/**
 * People of an organisation, for its admins (issue 18, the admin screen): listed with whether
 * they can sign in and how many keys they hold; added with a role and a password (they sign in
 * with it); disabled (password, sessions and keys end at once); a password set again
 * re-enables them. Bad input answers a precise error; another organisation's people are 404.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { json, startTestService, type TestService } from "../support/service.js";

interface PersonBody {
  id: number;
  name: string;
  role: string;
  password?: boolean;
  active_keys?: number;
}

const errorOf = (r: LightMyRequestResponse) => json<{ error: { code: string; message: string } }>(r).error;

describe("people: add, list, disable, re-enable", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ workers: false });
  });
  after(() => t.close());

  const signIn = (person: string, password: string) =>
    t.app.inject({
      method: "POST",
      url: "/v1/session",
      payload: { org: t.orgs.a.name, person, password },
    });
  const people = async () => {
    const r = await t.call(t.keys.a.admin, { method: "GET", url: "/v1/people" });
    assert.equal(r.statusCode, 200, r.body);
    return json<{ people: PersonBody[] }>(r).people;
  };

  it("adds a person who signs in with the password, lists them with their keys", async () => {
    const r = await t.call(t.keys.a.admin, {
      method: "POST",
      url: "/v1/people",
      payload: { name: "new-reviewer", role: "reviewer", password: "a long enough password" },
    });
    assert.equal(r.statusCode, 201, r.body);
    const made = json<PersonBody>(r);
    assert.equal(made.role, "reviewer");
    const session = await signIn("new-reviewer", "a long enough password");
    assert.equal(session.statusCode, 200, session.body);
    const listed = (await people()).find((p) => p.id === made.id)!;
    assert.deepEqual([listed.password, listed.active_keys], [true, 0]);
    // The demo-like people behind the test keys hold one key each and no password.
    const admin = (await people()).find((p) => p.id === t.people.a.admin)!;
    assert.deepEqual([admin.password, admin.active_keys], [false, 1]);
    const audit = await t.call(t.keys.a.admin, { method: "GET", url: `/v1/audit?target=person:${made.id}` });
    assert.deepEqual(
      json<{ entries: { action: string }[] }>(audit).entries.map((e) => e.action),
      ["person.create"],
    );
  });

  it("refuses a duplicate name, a short password, the operator role and non-admins", async () => {
    const dup = await t.call(t.keys.a.admin, {
      method: "POST",
      url: "/v1/people",
      payload: { name: "new-reviewer", role: "reader", password: "another long password" },
    });
    assert.equal(dup.statusCode, 409);
    assert.match(errorOf(dup).message, /already exists/);
    const short = await t.call(t.keys.a.admin, {
      method: "POST",
      url: "/v1/people",
      payload: { name: "short", role: "reader", password: "short" },
    });
    assert.equal(short.statusCode, 400);
    assert.match(errorOf(short).message, /password/);
    const operator = await t.call(t.keys.a.admin, {
      method: "POST",
      url: "/v1/people",
      payload: { name: "op", role: "operator", password: "a long enough password" },
    });
    assert.equal(operator.statusCode, 400);
    const reviewer = await t.call(t.keys.a.reviewer, {
      method: "POST",
      url: "/v1/people",
      payload: { name: "sneaky", role: "admin", password: "a long enough password" },
    });
    assert.equal(reviewer.statusCode, 403);
  });

  it("disables a person: sessions, password and keys end at once; a new password re-enables", async () => {
    const person = (await people()).find((p) => p.name === "new-reviewer")!;
    const session = json<{ token: string }>(await signIn("new-reviewer", "a long enough password")).token;
    const key = await t.call(t.keys.a.admin, {
      method: "POST",
      url: "/v1/keys",
      payload: { person: "holder", role: "submitter" },
    });
    const holderKey = json<{ key: string; person: { id: number } }>(key);
    assert.equal((await t.call(session, { method: "GET", url: "/v1/session" })).statusCode, 200);
    assert.equal((await t.call(holderKey.key, { method: "GET", url: "/v1/session" })).statusCode, 200);

    const off = await t.call(t.keys.a.admin, { method: "POST", url: `/v1/people/${person.id}/disable` });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(json<{ keys_revoked: number }>(off).keys_revoked, 0);
    assert.equal((await t.call(session, { method: "GET", url: "/v1/session" })).statusCode, 401);
    assert.equal((await signIn("new-reviewer", "a long enough password")).statusCode, 401);

    const offKey = await t.call(t.keys.a.admin, { method: "POST", url: `/v1/people/${holderKey.person.id}/disable` });
    assert.equal(json<{ keys_revoked: number }>(offKey).keys_revoked, 1);
    assert.equal((await t.call(holderKey.key, { method: "GET", url: "/v1/session" })).statusCode, 401);
    const listed = (await people()).find((p) => p.id === holderKey.person.id)!;
    assert.deepEqual([listed.password, listed.active_keys], [false, 0]);

    const again = await t.call(t.keys.a.admin, {
      method: "POST",
      url: `/v1/people/${person.id}/password`,
      payload: { password: "a brand new password" },
    });
    assert.equal(again.statusCode, 204, again.body);
    assert.equal((await signIn("new-reviewer", "a brand new password")).statusCode, 200);
  });

  it("refuses disabling oneself, and another organisation's person is not found", async () => {
    const self = await t.call(t.keys.a.admin, { method: "POST", url: `/v1/people/${t.people.a.admin}/disable` });
    assert.equal(self.statusCode, 400);
    assert.match(errorOf(self).message, /yourself/);
    const foreign = await t.call(t.keys.b.admin, { method: "POST", url: `/v1/people/${t.people.a.reviewer}/disable` });
    assert.equal(foreign.statusCode, 404);
    const bad = await t.call(t.keys.a.admin, { method: "POST", url: "/v1/people/abc/disable" });
    assert.equal(bad.statusCode, 404);
    // Still works: nothing was disabled by the refused calls.
    assert.equal((await t.call(t.keys.a.reviewer, { method: "GET", url: "/v1/session" })).statusCode, 200);
  });
});
