/**
 * The ban-evasion review view through the API (GET /v1/reviews/:id/accounts): an item whose
 * author matched a suspended account reaches the review queue through an action rule, like any
 * match; the view shows the submitted and the suspended account with the evidence the pipeline
 * found, the score and the threshold; a decision works as for any entry. A member's account
 * signal that becomes restricted (RED) after the match is never shown to another member, and
 * another organisation cannot open the entry at all.
 */

import { DEFAULT_ACCOUNT_MIN_SCORE } from "../../src/core/model.js";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { json, startTestService, type TestService } from "../support/service.js";

const AVATAR = "f".repeat(16) + "0".repeat(16) + "a5".repeat(16);
/** The same avatar with 8 bits flipped (ff → c0: 6, 00 → 03: 2). */
const NEAR_AVATAR = "f".repeat(14) + "c0" + "0".repeat(14) + "03" + "a5".repeat(16);

const SUSPENDED = {
  platform: "twitter",
  id: "1001",
  handle: "GunsandCoffee70",
  name: "GunsandCoffee",
  bio: "ترجمات إنجليزية لرسائل المشايخ كل يوم وأخبار الدولة من المصادر",
  avatar_pdq: AVATAR,
  links: ["justpaste.it/release1"],
  mentions: ["WarReporter1", "abutariq040", "Mosul_05"],
  created: "2014-03-02",
  suspended: "2015-06-11",
  reason: ["glorification"],
};

interface AccountsView {
  review_id: number;
  item_id: number;
  submitted: { handle: string; avatar_pdq?: string } | null;
  matches: {
    signal_id: number;
    bank: { id: number; name: string; org_name: string; tlp: string };
    score: number;
    threshold: number;
    evidence_source: string;
    evidence: { kind: string; variant?: string; distance?: number; shared?: string[]; strength: number }[];
    account: { handle: string; bio?: string };
  }[];
}

describe("GET /v1/reviews/:id/accounts (ban evasion beside a review entry)", () => {
  let t: TestService;
  let bank = 0;
  let signal = 0;
  let review = 0;
  const show = (r: LightMyRequestResponse) => `${r.statusCode} ${r.body.slice(0, 400)}`;
  const call = (key: string, method: "GET" | "POST" | "PATCH", url: string, payload?: unknown) =>
    t.call(key, { method, url, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });

  before(async () => {
    t = await startTestService();
    // B (a government) banks the suspended account, shared GREEN.
    const b = await call(t.keys.b.admin, "POST", "/v1/banks", { name: "suspended-accounts", tlp: "GREEN" });
    assert.equal(b.statusCode, 201, show(b));
    bank = json<{ id: number }>(b).id;
    const added = await call(t.keys.b.admin, "POST", `/v1/banks/${bank}/signals`, {
      signals: [{ type: "account", value: JSON.stringify(SUSPENDED) }],
    });
    assert.equal(added.statusCode, 200, show(added));
    // A (the platform) queues account matches for review, as for any match.
    const rule = await call(t.keys.a.admin, "POST", "/v1/rules", {
      name: "ban-evasion-to-review",
      conditions: { signal_types: ["account"] },
      actions: [{ type: "review" }],
    });
    assert.equal(rule.statusCode, 201, show(rule));
    const item = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      headers: { "idempotency-key": "returning-1" },
      payload: {
        text: "back again",
        author: {
          platform: "twitter",
          id: "2002",
          handle: "_GunsandCoffee_2",
          name: "GunsandCoffee",
          avatar_pdq: NEAR_AVATAR,
          mentions: ["WarReporter1", "abutariq040", "someone_else"],
        },
      },
    });
    assert.equal(item.statusCode, 202, show(item));
    await t.drain();
    const itemId = json<{ id: number }>(item).id;
    const queue = json<{ reviews: { id: number; item_id: number }[] }>(
      await call(t.keys.a.reviewer, "GET", "/v1/reviews?status=open&limit=100"),
    );
    const entry = queue.reviews.find((r) => r.item_id === itemId);
    assert.ok(entry, `the account match reached the review queue: ${JSON.stringify(queue)}`);
    review = entry.id;
  });
  after(async () => t.close());

  it("shows both accounts with the evidence per feature, the score and the threshold", async () => {
    const r = await call(t.keys.a.reviewer, "GET", `/v1/reviews/${review}/accounts`);
    assert.equal(r.statusCode, 200, show(r));
    const v = json<AccountsView>(r);
    assert.equal(v.submitted?.handle, "_GunsandCoffee_2");
    assert.equal(v.submitted?.avatar_pdq, NEAR_AVATAR);
    assert.equal(v.matches.length, 1, JSON.stringify(v));
    const m = v.matches[0]!;
    signal = m.signal_id;
    assert.equal(m.bank.id, bank);
    assert.equal(m.bank.tlp, "GREEN");
    assert.equal(m.account.handle, "GunsandCoffee70");
    assert.equal(m.account.bio, SUSPENDED.bio);
    assert.equal(m.threshold, DEFAULT_ACCOUNT_MIN_SCORE, "the bank's own threshold: the default");
    assert.ok(m.score >= m.threshold && m.score <= 1, String(m.score));
    assert.equal(m.evidence_source, "stored");
    const kinds = new Map(m.evidence.map((e) => [e.kind, e]));
    assert.equal(kinds.get("handle")?.variant, "digits");
    assert.ok(kinds.has("name"), JSON.stringify(m.evidence));
    assert.equal(kinds.get("avatar")?.distance, 8);
    assert.deepEqual(kinds.get("mentions")?.shared, ["abutariq040", "warreporter1"]); // folded
    for (const e of m.evidence) assert.ok(e.strength > 0, JSON.stringify(e));
    // The review entry itself lists the account signal among its matches.
    const detail = json<{ matched_signals: { signal: { id: number; type: string } }[] }>(
      await call(t.keys.a.reviewer, "GET", `/v1/reviews/${review}`),
    );
    assert.deepEqual(
      detail.matched_signals.map((x) => [x.signal.type, x.signal.id]),
      [["account", signal]],
    );
  });

  it("another organisation cannot open the entry; an unknown entry is a 404", async () => {
    const other = await call(t.keys.c.admin, "GET", `/v1/reviews/${review}/accounts`);
    assert.equal(other.statusCode, 404, show(other));
    const unknown = await call(t.keys.a.reviewer, "GET", `/v1/reviews/999999/accounts`);
    assert.equal(unknown.statusCode, 404, show(unknown));
    const noKey = await t.call(undefined, { method: "GET", url: `/v1/reviews/${review}/accounts` });
    assert.equal(noKey.statusCode, 401, show(noKey));
  });

  it("never shows another member's account signal once it is restricted (RED)", async () => {
    assert.ok(signal > 0, "the first test found the signal");
    const p = await call(t.keys.b.admin, "PATCH", `/v1/banks/${bank}`, { tlp: "RED" });
    assert.equal(p.statusCode, 200, show(p));
    const r = await call(t.keys.a.reviewer, "GET", `/v1/reviews/${review}/accounts`);
    assert.equal(r.statusCode, 200, show(r));
    const v = json<AccountsView>(r);
    assert.deepEqual(v.matches, []);
    assert.doesNotMatch(r.body, /GunsandCoffee70|ترجمات/);
    const detail = await call(t.keys.a.reviewer, "GET", `/v1/reviews/${review}`);
    assert.doesNotMatch(detail.body, /GunsandCoffee70/);
    // Nor in the banks screen's signal view.
    const card = await call(t.keys.a.reviewer, "GET", `/v1/signals/${signal}/opinions`);
    assert.equal(card.statusCode, 404, show(card));
    // The owner still sees it.
    const own = await call(t.keys.b.admin, "GET", `/v1/signals/${signal}/opinions`);
    assert.equal(own.statusCode, 200, show(own));
    const back = await call(t.keys.b.admin, "PATCH", `/v1/banks/${bank}`, { tlp: "GREEN" });
    assert.equal(back.statusCode, 200, show(back));
  });

  it("a decision on the entry works as for any other", async () => {
    const claim = await call(t.keys.a.reviewer, "POST", `/v1/reviews/${review}/claim`, {});
    assert.equal(claim.statusCode, 200, show(claim));
    const d = await call(t.keys.a.reviewer, "POST", `/v1/reviews/${review}/decision`, {
      decision: "violating",
      labels: { entity: ["isis"], behaviour: ["glorification"] },
      reasons: "The returning account of a suspended one: same handle skeleton, name, avatar and network.",
    });
    assert.equal(d.statusCode, 200, show(d));
    assert.equal(json<{ status: string }>(d).status, "decided");
  });
});
