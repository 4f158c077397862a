/**
 * The debrief from events (core/incidents.ts computeDebrief) against cases with known answers:
 * the 90% time is the ⌈0.9·n⌉-th copy's first action, repeated events count once, an action on
 * an item never matched does not count, members alerted but never acting are named, uploads
 * fall in the hour after the declaration they happened in.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeDebrief, timeline, type IncidentEvent, type IncidentEventKind } from "../../src/core/incidents.js";

const H = 3_600_000;
let id = 0;
function ev(kind: IncidentEventKind, at: number, extra: Partial<IncidentEvent> = {}): IncidentEvent {
  return {
    id: ++id,
    incidentId: 1,
    at,
    kind,
    orgId: null,
    itemId: null,
    signalId: null,
    variantId: null,
    detail: {},
    ...extra,
  };
}

describe("computeDebrief", () => {
  const declared = ev("declared", 1000, { orgId: 1, detail: { members: [1, 2, 3] } });
  const matches = Array.from({ length: 10 }, (_, i) => ev("match", 2000 + i * H, { orgId: 2, itemId: 100 + i }));

  it("90% of 10 copies: the 9th copy's first action", () => {
    const actions = matches.slice(0, 9).map((m, i) => ev("action", m.at + 500 + i, { orgId: 2, itemId: m.itemId }));
    // A second action on a copy and an action on an unmatched item change nothing.
    const noise = [ev("action", 99 * H, { orgId: 2, itemId: 100 }), ev("action", 5000, { orgId: 3, itemId: 999 })];
    const d = computeDebrief(1, false, [
      declared,
      ev("hash_shared", 1500),
      ...matches,
      matches[0]!,
      ...actions,
      ...noise,
    ]);
    assert.equal(d.matchedCopies, 10);
    assert.equal(d.actionedCopies, 9);
    assert.equal(d.ninetyActionedAt, actions[8]!.at);
    assert.equal(d.toNinetyActioned, actions[8]!.at - 1000);
    assert.equal(d.toFirstHash, 500);
    assert.equal(d.toFirstMatch, 1000);
    assert.deepEqual(d.neverActed, [1, 3]);
    assert.equal(d.members.find((m) => m.orgId === 2)!.firstActionAt, actions[0]!.at);
    // One matched copy in each hour after the declaration.
    assert.deepEqual(
      d.uploadsPerHour.map(([, n]) => n),
      Array(10).fill(1),
    );
    assert.equal(d.uploadsPerHour[0]![0], 1000);
  });

  it("8 of 10 actioned: 90% never reached", () => {
    const actions = matches.slice(0, 8).map((m) => ev("action", m.at + 1, { orgId: 2, itemId: m.itemId }));
    assert.equal(computeDebrief(1, false, [declared, ...matches, ...actions]).ninetyActionedAt, null);
  });

  it("no match: no figure, every member never acted; the timeline keeps firsts only", () => {
    const d = computeDebrief(1, true, [declared]);
    assert.equal(d.matchedCopies, 0);
    assert.equal(d.ninetyActionedAt, null);
    assert.deepEqual(d.neverActed, [1, 2, 3]);
    const t = timeline([declared, ...matches, ev("hash_shared", 1500), ev("hash_shared", 1600)]);
    assert.deepEqual(
      t.map((e) => e.kind),
      ["declared", "hash_shared", "match"],
    );
  });
});
