/**
 * The labelling queue over HTTP: a reviewer draws the month's sample, lists it (the model's
 * label hidden unless asked), labels items, and /v1/measure/stance then rests on those labels;
 * another member cannot label them; an outcome dated before its item is a 400.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadDemoHistory } from "../../src/server/demo-history.js";
import { sqliteDatabase } from "../support/databases.js";
import { json, startTestService, type TestService } from "../support/service.js";

describe("labelling queue over HTTP", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ db: sqliteDatabase(), workers: false });
    await loadDemoHistory(t.s, t.orgs.a.id, t.people.a.submitter, 10, 20);
  });
  after(async () => {
    await t.close();
  });

  test("draw, list, label; the estimate counts the labels; other members are refused", async () => {
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const from = new Date(Date.now() - 20 * 86_400_000).toISOString();
    const drawn = await t.call(t.keys.a.reviewer, {
      method: "POST",
      url: "/v1/labels/draw",
      payload: { from, to, interval: "month", perPeriod: 250 },
    });
    assert.equal(drawn.statusCode, 200, drawn.body);
    const list = await t.call(t.keys.a.reviewer, { method: "GET", url: "/v1/labels?status=labelled&limit=500" });
    const labelled = json<{ tasks: { id: number; stance: string; predicted: string | null }[] }>(list).tasks;
    assert.ok(labelled.length > 0, "the demo labelled its sample");
    assert.ok(
      labelled.every((x) => x.predicted === null),
      "the model's label is hidden by default",
    );
    const open = json<{ tasks: { id: number; text: string | null }[] }>(
      await t.call(t.keys.a.reviewer, { method: "GET", url: "/v1/labels?status=open&show_predicted=true" }),
    ).tasks;
    const task = open[0] ?? labelled[0]!;
    const r = await t.call(t.keys.a.reviewer, {
      method: "POST",
      url: `/v1/labels/${task.id}`,
      payload: { stance: "cant_tell" },
    });
    assert.equal(r.statusCode, 200, r.body);
    const bad = await t.call(t.keys.a.reviewer, {
      method: "POST",
      url: `/v1/labels/${task.id}`,
      payload: { stance: "maybe" },
    });
    assert.equal(bad.statusCode, 400);
    const other = await t.call(t.keys.b.admin, {
      method: "POST",
      url: `/v1/labels/${task.id}`,
      payload: { stance: "pro" },
    });
    assert.equal(other.statusCode, 404);
    const m = json<{ overall: { labelled: number; items: number; cantTell: { estimate: number } | null } }>(
      await t.call(t.keys.a.reader, { method: "GET", url: `/v1/measure/stance?from=${from}&to=${to}&interval=week` }),
    );
    assert.ok(m.overall.labelled > 0 && m.overall.labelled <= m.overall.items);
    assert.ok(m.overall.cantTell && m.overall.cantTell.estimate > 0, "the can't-tell label counts");
  });

  test("an outcome dated before the item was posted, or a removal before receipt, is a 400 with the reason", async () => {
    const posted = Date.now() - 3_600_000;
    const sent = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      payload: { text: "a post", posted_at: new Date(posted).toISOString() },
      headers: { "idempotency-key": "order-1" },
    });
    assert.ok(sent.statusCode < 300, sent.body);
    const id = json<{ id: number }>(sent).id;
    const early = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: `/v1/content/${id}/outcomes`,
      payload: { kind: "removal_order", authority: "IRU", at: posted - 60_000 },
    });
    assert.equal(early.statusCode, 400);
    assert.match(early.body, /before the item was posted/);
    const removed = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: `/v1/content/${id}/outcomes`,
      payload: { kind: "removed", basis: "terms_of_service", at: posted + 60_000 },
    });
    assert.equal(removed.statusCode, 400);
    assert.match(removed.body, /before rasd received the item/);
  });
});
