/** Re-uploads, who decided removals, and time-online bins: pure kernels with hand-worked cases. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  automatedAccuracy,
  decisionSplit,
  reuploadFigures,
  timeBins,
  TIME_ONLINE_BOUNDS_MS,
  type CopyRecord,
} from "../../src/kernels/quantify/index.js";

const H = 3_600_000;
const rec = (itemId: number, platform: string, receivedAt: number, keys: string[], extra: Partial<CopyRecord> = {}) =>
  ({ itemId, platform, receivedAt, keys, matchedKnown: false, actedAt: null, removedAt: null, ...extra }) as CopyRecord;

describe("re-uploads", () => {
  it("joins items through shared keys transitively; the earliest is the original", () => {
    const f = reuploadFigures([
      rec(3, "B", 2 * H, ["signal:7"], { matchedKnown: true }), // a re-encoded copy: matched the signal only
      rec(1, "A", 0, ["sha256:x"]),
      rec(2, "A", H, ["sha256:x", "signal:7"], { matchedKnown: true }),
      rec(4, "C", 3 * H, ["url:u"]),
      rec(5, "C", 4 * H, []),
      rec(6, "C", 5 * H, []),
    ]);
    assert.equal(f.items, 6);
    assert.equal(f.repeatedContents, 1, "items without keys never join; url:u appears once");
    assert.equal(f.reuploads, 2);
    assert.equal(f.acrossPlatforms, 1);
    assert.equal(f.matchedKnown, 2);
    assert.deepEqual(f.largest, [{ firstItemId: 1, copies: 3, platforms: 2 }]);
    assert.deepEqual([f.timeToReupload.p50, f.timeToReupload.max], [H, 2 * H]);
  });

  it("a copy is a reappearance only if an earlier copy was removed before it arrived", () => {
    const f = reuploadFigures([
      rec(1, "A", 0, ["k"], { removedAt: 2 * H }),
      rec(2, "B", H, ["k"], { removedAt: 1.5 * H }), // arrived before any removal
      rec(3, "B", 3 * H, ["k"], { actedAt: 3 * H + 5 }), // after both removals, acted on automatically
      rec(4, "A", 4 * H, ["k"]),
    ]);
    assert.equal(f.reuploads, 3);
    assert.equal(f.afterRemoval, 2);
    assert.equal(f.afterRemovalActedAutomatically, 1);
    const b = f.byPlatform.find((p) => p.platform === "B")!;
    assert.deepEqual([b.reuploads, b.fromOtherPlatforms, b.afterRemoval], [2, 2, 1]);
  });

  it("a later-received copy's removal does not make an earlier copy a reappearance", () => {
    const f = reuploadFigures([rec(1, "A", 0, ["k"]), rec(2, "A", H, ["k"], { removedAt: 1.1 * H })]);
    assert.equal(f.afterRemoval, 0);
  });
});

describe("who decided removals", () => {
  const base = { basis: "", matched: false, actedAt: null, humanDecidedAt: null };
  it("human before automated before the member's process; one row per item (its first removal)", () => {
    const split = decisionSplit([
      { ...base, itemId: 1, basis: "hash_match", removedAt: 10, humanDecidedAt: 5 }, // a person decided first
      { ...base, itemId: 2, basis: "hash_match", removedAt: 10 },
      { ...base, itemId: 3, basis: "terms_of_service", removedAt: 10, matched: true, actedAt: 4 }, // rule acted on a match
      { ...base, itemId: 4, basis: "removal_order", removedAt: 10, humanDecidedAt: 20 }, // decided after removal
      { ...base, itemId: 4, basis: "removal_order", removedAt: 30 },
      { ...base, itemId: 5, basis: "referral", removedAt: 10, matched: true, actedAt: 15 }, // acted after removal
    ]);
    assert.deepEqual(split, { items: 5, human: 1, automated: 2, memberProcess: 2 });
  });

  it("the matcher's precision on reviewed matches, with a Wilson interval; escalations and unmatched left out", () => {
    const a = automatedAccuracy([
      ...Array.from({ length: 18 }, () => ({ matched: true, decision: "violating" })),
      { matched: true, decision: "not_violating" },
      { matched: true, decision: "not_violating" },
      { matched: true, decision: "escalate" },
      { matched: false, decision: "not_violating" },
    ]);
    assert.equal(a.reviewed, 20);
    assert.equal(a.confirmed, 18);
    assert.equal(a.precision, 0.9);
    assert.ok(a.interval!.low > 0.69 && a.interval!.low < 0.71, String(a.interval!.low));
    assert.ok(a.interval!.high > 0.97 && a.interval!.high < 0.98, String(a.interval!.high));
    assert.deepEqual(automatedAccuracy([]), { reviewed: 0, confirmed: 0, precision: null, interval: null });
  });
});

describe("time-online bins", () => {
  it("each value in the first bin whose bound it does not exceed; the last bin open-ended", () => {
    const bins = timeBins([0, H, H + 1, 6 * H, 30 * H, 100 * 24 * H]);
    assert.deepEqual(
      bins.map((b) => b.items),
      [2, 2, 0, 1, 0, 1],
    );
    assert.equal(bins.length, TIME_ONLINE_BOUNDS_MS.length + 1);
    assert.equal(bins.at(-1)!.upToMs, null);
  });
});
