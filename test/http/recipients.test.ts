/**
 * AMBER+STRICT with named recipients (issue 17, decision 0029): the owner names organisations
 * (`recipient_org_ids`) that may see an AMBER+STRICT bank; nobody else does, the AMBER sharing
 * group included; unknown ids are refused and change nothing; the list is shown to the owner only.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { json, startTestService, type TestService } from "../support/service.js";

const TEXT = "a named recipient verse for the amber strict recipients test";

describe("AMBER+STRICT named recipients", () => {
  let t: TestService;
  let bankId = 0;

  before(async () => {
    t = await startTestService({ workers: false });
  });
  after(async () => {
    await t?.close();
  });

  const match = async (key: string) =>
    json<{ matches: unknown[] }>(
      await t.call(key, { method: "POST", url: "/v1/match", payload: { type: "text", value: TEXT } }),
    ).matches.length;

  test("a named organisation sees it, the sharing group does not, unknown ids are refused", async () => {
    const made = await t.call(t.keys.a.curator, {
      method: "POST",
      url: "/v1/banks",
      payload: { name: "strict-named", tlp: "AMBER+STRICT", share_with_org_ids: [t.orgs.c.id] },
    });
    assert.equal(made.statusCode, 201, made.body);
    bankId = json<{ id: number }>(made).id;
    const added = await t.call(t.keys.a.curator, {
      method: "POST",
      url: `/v1/banks/${bankId}/signals`,
      payload: { signals: [{ type: "text", value: TEXT }] },
    });
    assert.ok(added.statusCode < 300, added.body);
    assert.equal(await match(t.keys.b.submitter), 0);
    assert.equal(await match(t.keys.c.submitter), 0, "the AMBER sharing group does not see AMBER+STRICT");

    const refused = await t.call(t.keys.a.curator, {
      method: "PATCH",
      url: `/v1/banks/${bankId}`,
      payload: { recipient_org_ids: [t.orgs.b.id, 999_999] },
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /recipient_org_ids: no organisation with id 999999/);
    assert.equal(await match(t.keys.b.submitter), 0, "a refused PATCH names nobody");

    const named = await t.call(t.keys.a.curator, {
      method: "PATCH",
      url: `/v1/banks/${bankId}`,
      payload: { recipient_org_ids: [t.orgs.b.id] },
    });
    assert.equal(named.statusCode, 200, named.body);
    assert.deepEqual(json<{ recipient_org_ids: number[] }>(named).recipient_org_ids, [t.orgs.b.id]);
    assert.equal(await match(t.keys.b.submitter), 1, "the named organisation matches it");
    assert.equal(await match(t.keys.c.submitter), 0, "nobody else does");
    const seenByB = json<Record<string, unknown>>(
      await t.call(t.keys.b.reader, { method: "GET", url: `/v1/banks/${bankId}` }),
    );
    assert.equal(seenByB.recipient_org_ids, undefined, "the list is the owner's business");
    // B may see it, not change it.
    const changed = await t.call(t.keys.b.admin, {
      method: "PATCH",
      url: `/v1/banks/${bankId}`,
      payload: { tlp: "GREEN" },
    });
    assert.equal(changed.statusCode, 403);

    // Marked AMBER: the recipients no longer apply (AMBER is the sharing group's).
    await t.call(t.keys.a.curator, { method: "PATCH", url: `/v1/banks/${bankId}`, payload: { tlp: "AMBER" } });
    assert.equal(await match(t.keys.b.submitter), 0);
    assert.equal(await match(t.keys.c.submitter), 1);
    const cleared = await t.call(t.keys.a.curator, {
      method: "PATCH",
      url: `/v1/banks/${bankId}`,
      payload: { tlp: "AMBER+STRICT", recipient_org_ids: [] },
    });
    assert.equal(cleared.statusCode, 200);
    assert.equal(await match(t.keys.b.submitter), 0);
    assert.equal(await match(t.keys.c.submitter), 0);
  });
});
