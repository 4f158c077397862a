/**
 * The demo's stance figures are honest about the demo itself: with the labelling sample the
 * demo draws and labels, every month's pro and anti intervals cover the true shares of the
 * texts the demo generated, and the platform removed only what people judged pro.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { intendedStance, loadDemoHistory } from "../../src/server/demo-history.js";
import { sqliteDatabase } from "../support/databases.js";
import { startTestService, type TestService } from "../support/service.js";

const DAY = 86_400_000;

describe("demo history figures", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ db: sqliteDatabase(), workers: false });
    await loadDemoHistory(t.s, t.orgs.a.id, t.people.a.submitter, 60, 24);
  });
  after(async () => {
    await t.close();
  });

  it("each month's intervals cover the demo's true shares; labels exist; removals follow people's labels", async () => {
    const to = Date.now() + DAY;
    const from = to - 70 * DAY;
    const m = (await t.s.measurement.stance({ from, to, orgId: t.orgs.a.id }, "month"))!;
    const items = [];
    for (let page = await t.s.content.listItems(t.orgs.a.id, { limit: 500 }); page.length;) {
      items.push(...page);
      page = await t.s.content.listItems(t.orgs.a.id, { limit: 500, beforeId: page[page.length - 1]!.id });
    }
    const demo = items.filter((i) => i.text && intendedStance(i.text) && i.contentId.startsWith("hist-"));
    assert.equal(demo.length, 60 * 24);
    let checked = 0;
    for (const p of m.periods) {
      const start = Date.parse(p.start);
      const end = Date.parse(p.end);
      const inside = demo.filter((i) => {
        const at = i.postedAt ?? i.receivedAt;
        return at >= start && at < end;
      });
      if (inside.length === 0) continue;
      assert.ok(p.labelled > 0, `labels in ${p.start}`);
      for (const c of ["pro", "anti"] as const) {
        const share = inside.filter((i) => intendedStance(i.text!) === c).length / inside.length;
        const e = p[c]!;
        assert.ok(
          e.low - 1e-9 <= share && share <= e.high + 1e-9,
          `${p.start} ${c}: ${JSON.stringify(e)} vs truth ${share}`,
        );
      }
      checked++;
    }
    assert.ok(checked >= 2);
    const outcomes = await t.s.content.outcomesOf(demo.map((i) => i.id));
    const removed = new Set(outcomes.filter((o) => o.kind === "removed").map((o) => o.itemId));
    assert.ok(removed.size > 0);
    for (const i of demo) if (removed.has(i.id)) assert.equal(intendedStance(i.text!), "pro");
  });
});
