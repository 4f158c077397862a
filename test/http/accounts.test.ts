/**
 * POST /v1/accounts (ban evasion) through the API: an account banked as a signal is found
 * again under a variant handle, with its evidence, only by callers whose organisation may see
 * the bank (TLP), only with match.lookup, and bad accounts get a precise 400.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { json, startTestService, type TestService } from "../support/service.js";

const GREEN_ACCOUNT = {
  platform: "twitter",
  id: "1001",
  handle: "GunsandCoffee70",
  name: "GunsandCoffee",
  bio: "ENGLISH TRANSLATIONS of the messages of the sheikhs, every day",
  reason: ["glorification"],
};
const RED_ACCOUNT = { platform: "twitter", id: "1002", handle: "WarReporter1", name: "Conflict Reporter" };

interface AccountMatchBody {
  matches: {
    bank_id: number;
    score: number;
    evidence: { kind: string; variant?: string }[];
    account: { handle: string };
  }[];
}

describe("POST /v1/accounts", () => {
  let t: TestService;
  let green = 0;
  let red = 0;
  const show = (r: LightMyRequestResponse) => `${r.statusCode} ${r.body.slice(0, 300)}`;
  const post = (key: string, url: string, payload: unknown) =>
    t.call(key, { method: "POST", url, payload: payload as Record<string, unknown> });

  before(async () => {
    t = await startTestService();
    for (const [tlp, account] of [
      ["GREEN", GREEN_ACCOUNT],
      ["RED", RED_ACCOUNT],
    ] as const) {
      const r = await post(t.keys.b.admin, "/v1/banks", { name: `b-accounts-${tlp}`, tlp });
      assert.equal(r.statusCode, 201, show(r));
      const id = json<{ id: number }>(r).id;
      const added = await post(t.keys.b.admin, `/v1/banks/${id}/signals`, {
        signals: [{ type: "account", value: JSON.stringify(account) }],
      });
      assert.equal(added.statusCode, 200, show(added));
      assert.equal(json<{ created: number }>(added).created, 1);
      if (tlp === "GREEN") green = id;
      else red = id;
    }
  });
  after(async () => t.close());

  it("finds a banked account under a variant handle, with the evidence", async () => {
    const r = await post(t.keys.a.submitter, "/v1/accounts", { platform: "twitter", handle: "_GunsandCoffee_2" });
    assert.equal(r.statusCode, 200, show(r));
    const { matches } = json<AccountMatchBody>(r);
    assert.equal(matches.length, 1);
    assert.equal(matches[0]!.bank_id, green);
    assert.equal(matches[0]!.account.handle, "GunsandCoffee70");
    assert.ok(matches[0]!.score >= 0.8, String(matches[0]!.score));
    assert.deepEqual(
      matches[0]!.evidence.map((e) => [e.kind, e.variant]),
      [["handle", "digits"]],
    );
  });

  it("does not answer from a bank the caller may not see (RED), but does for its owner", async () => {
    const q = { platform: "twitter", handle: "WarReporter_2", name: "Conflict Reporter" };
    const a = await post(t.keys.a.submitter, "/v1/accounts", q);
    assert.equal(a.statusCode, 200, show(a));
    assert.deepEqual(json<AccountMatchBody>(a).matches, []);
    const b = await post(t.keys.b.admin, "/v1/accounts", q);
    assert.deepEqual(
      json<AccountMatchBody>(b).matches.map((m) => m.bank_id),
      [red],
    );
  });

  it("refuses callers without match.lookup and bad accounts", async () => {
    const reader = await post(t.keys.a.reader, "/v1/accounts", { platform: "twitter", handle: "x_GunsandCoffee" });
    assert.equal(reader.statusCode, 403, show(reader));
    const badReason = await post(t.keys.a.submitter, "/v1/accounts", {
      platform: "twitter",
      handle: "abc",
      reason: ["shouting"],
    });
    assert.equal(badReason.statusCode, 400, show(badReason));
    assert.match(json<{ error: { message: string } }>(badReason).error.message, /reason "shouting" is not one of/);
    const badBank = await post(t.keys.b.admin, `/v1/banks/${green}/signals`, {
      signals: [{ type: "account", value: "{not json" }],
    });
    assert.match(badBank.body, /account: value is not JSON/, show(badBank));
  });

  it("an item's author account is matched in the pipeline, and rules act on the account match", async () => {
    const rule = await post(t.keys.a.admin, "/v1/rules", {
      name: "ban-evasion-to-review",
      conditions: { signal_types: ["account"] },
      actions: [{ type: "review" }],
    });
    assert.equal(rule.statusCode, 201, show(rule));
    const submit = (key: string, author: unknown) =>
      t.call(t.keys.a.submitter, {
        method: "POST",
        url: "/v1/content",
        payload: { text: "a post by someone", author } as Record<string, unknown>,
        headers: { "idempotency-key": key },
      });
    const r = await submit("author-1", { platform: "twitter", handle: "_GunsandCoffee_2", name: "GunsandCoffee" });
    assert.equal(r.statusCode, 202, show(r));
    const other = await submit("author-2", { platform: "twitter", handle: "someone_unrelated" });
    assert.equal(other.statusCode, 202, show(other));
    await t.drain();
    const item = async (id: number) =>
      json<{ status: string; matches: { type: string; bankId: number }[]; actions: { type: string }[] }>(
        await t.call(t.keys.a.reader, { method: "GET", url: `/v1/content/${id}` }),
      );
    const got = await item(json<{ id: number }>(r).id);
    assert.equal(got.status, "done", JSON.stringify(got));
    const m = got.matches.find((x) => x.type === "account");
    assert.ok(m, JSON.stringify(got.matches));
    assert.equal(m.bankId, green); // the RED bank of another member is not consulted
    assert.ok(
      got.actions.some((a) => a.type === "review"),
      JSON.stringify(got.actions),
    );
    const unrelated = await item(json<{ id: number }>(other).id);
    assert.deepEqual(unrelated.matches, []);
    assert.deepEqual(unrelated.actions, []);
  });

  it("a bad author account is refused with a precise 400", async () => {
    const r = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      payload: { text: "x", author: { platform: "twitter" } },
      headers: { "idempotency-key": "author-bad" },
    });
    assert.equal(r.statusCode, 400, show(r));
    assert.match(r.body, /author: account: handle is required/, show(r));
  });
});
