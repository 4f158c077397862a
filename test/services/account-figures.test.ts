/**
 * The account figures' arithmetic (services/account-figures.ts), the order-statistic median
 * (kernels/quantify/order-median.ts) and the links' offline share interval, on records whose
 * answer is known by hand.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { observedMedian, orderRank } from "../../src/kernels/quantify/index.js";
import {
  accountFigures,
  firstSightings,
  returnDelay,
  sightingOf,
  suspendedOf,
  type ReturnSighting,
  type SuspendedAccount,
} from "../../src/services/account-figures.js";
import { offlineShare } from "../../src/services/links/measure.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 2, 2); // a Monday

const suspended = (
  id: number,
  bankedAt: number,
  suspendedAt: number | null,
  platform = "twitter",
): SuspendedAccount => ({
  signalId: id,
  platform,
  reporter: id % 2 ? "Platform A" : "Platform B",
  bankedAt,
  suspendedAt,
});

const sighting = (key: string, at: number, signalId: number, score = 0.9): ReturnSighting => ({
  key,
  platform: "twitter",
  at,
  signalId,
  score,
});

describe("observedMedian", () => {
  it("is the sample median with the order-statistic interval", () => {
    const ten = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    assert.deepEqual(observedMedian(ten), { n: 10, events: 10, median: 5.5, low: 2, high: 9, level: 0.95 });
    assert.equal(observedMedian([3, 1, 2]).median, 2);
    // Five values cannot hold the median with 95% (P = 1 − 2/32 < 0.95): no bounds.
    const five = observedMedian([1, 2, 3, 4, 5]);
    assert.equal(five.low, null);
    assert.equal(five.high, null);
    assert.deepEqual(observedMedian([]), { n: 0, events: 0, median: null, low: null, high: null, level: 0.95 });
  });

  it("ranks: exact binomial tails, and the normal approximation agrees for large n", () => {
    assert.equal(orderRank(6, 0.025), 1);
    assert.equal(orderRank(10, 0.025), 2);
    assert.equal(orderRank(100, 0.025), 40); // the textbook [x(40), x(61)]
    const exact = orderRank(1000, 0.025);
    const approx = orderRank(1001, 0.025);
    assert.ok(Math.abs(exact - approx) <= 1, `${exact} ${approx}`);
  });
});

describe("account figures", () => {
  it("reads a suspended account's dates, and skips a value that is not an account", () => {
    const a = suspendedOf(
      {
        id: 7,
        bankId: 1,
        value: JSON.stringify({ platform: "telegram", handle: "x", suspended: "2026-03-01" }),
        createdAt: T0,
      },
      "Platform A",
    );
    assert.deepEqual(a, {
      signalId: 7,
      platform: "telegram",
      reporter: "Platform A",
      bankedAt: T0,
      suspendedAt: Date.UTC(2026, 2, 1),
    });
    assert.equal(suspendedOf({ id: 8, bankId: 1, value: "{not json", createdAt: T0 }, "A"), undefined);
  });

  it("a sighting takes the best visible unsuppressed account match; none without one", () => {
    const item = (matches: unknown[], author: unknown = { platform: "twitter", handle: "Abc_2" }) => ({
      id: 1,
      orgName: "Platform A",
      author: JSON.stringify(author),
      receivedAt: T0,
      matchedAt: T0 + 5,
      matches: JSON.stringify(matches),
    });
    const visible = new Set([1, 2]);
    const s = sightingOf(
      item([
        { signalId: 10, bankId: 1, type: "account", similarity: 0.75 },
        { signalId: 11, bankId: 2, type: "account", similarity: 0.9 },
        { signalId: 12, bankId: 3, type: "account", similarity: 0.99 }, // not visible
        { signalId: 13, bankId: 1, type: "account", similarity: 0.95, suppressed: true },
        { signalId: 14, bankId: 1, type: "text", similarity: 1 },
      ]),
      visible,
    );
    assert.deepEqual(s, {
      key: "twitter:@abc_2",
      platform: "twitter",
      at: T0 + 5,
      signalId: 11,
      score: 0.9,
      itemId: 1,
    });
    assert.equal(sightingOf(item([{ signalId: 12, bankId: 3, type: "account", similarity: 1 }]), visible), undefined);
    const byId = sightingOf(
      item([{ signalId: 10, bankId: 1, type: "account", similarity: 0.8 }], { platform: "x", id: "42", handle: "a" }),
      visible,
    );
    assert.equal(byId?.key, "x:42");
  });

  it("counts each returning account once, at its first sighting, timed from suspension or banking", () => {
    const accounts = [
      suspended(1, T0 - 10 * DAY, T0 - 12 * DAY), // dated: time from its suspension
      suspended(2, T0 + DAY, null), // undated: time from banking
      suspended(3, T0 + 2 * DAY, T0 + 9 * DAY), // suspended after the match below: not timed
      suspended(4, T0 + 8 * DAY, null, "telegram"),
    ];
    const matched = new Map(accounts.map((a) => [a.signalId, a]));
    const returns = firstSightings([
      sighting("twitter:1", T0 + 3 * DAY, 1),
      sighting("twitter:1", T0 + 2 * DAY, 1), // earlier: this one counts
      sighting("twitter:2", T0 + 4 * DAY, 2),
      sighting("twitter:3", T0 + 8 * DAY, 3),
    ]);
    assert.deepEqual(
      returns.map((r) => [r.key, r.at]),
      [
        ["twitter:1", T0 + 2 * DAY],
        ["twitter:2", T0 + 4 * DAY],
        ["twitter:3", T0 + 8 * DAY],
      ],
    );
    assert.equal(returnDelay(returns[0]!, matched), 14 * DAY);
    assert.equal(returnDelay(returns[1]!, matched), 3 * DAY);
    assert.equal(returnDelay(returns[2]!, matched), undefined);
    const f = accountFigures({
      from: T0,
      to: T0 + 14 * DAY,
      interval: "week",
      suspended: accounts.filter((a) => a.bankedAt >= T0),
      returns,
      matched,
    })!;
    assert.equal(f.overall.suspended, 3);
    assert.equal(f.overall.returns, 3);
    assert.equal(f.overall.timed, 2);
    assert.equal(f.overall.timeToReturn.median, 8.5 * DAY);
    assert.deepEqual(f.returnRecords, [
      { itemId: null, ms: 14 * DAY },
      { itemId: null, ms: 3 * DAY },
      { itemId: null, ms: null },
    ]);
    assert.deepEqual(
      f.periods.map((p) => [p.start.slice(0, 10), p.suspended, p.returns, p.timed]),
      [
        ["2026-03-02", 2, 2, 2],
        ["2026-03-09", 1, 1, 0],
      ],
    );
    assert.deepEqual(
      f.byPlatform.map((p) => [p.platform, p.suspended, p.returns]),
      [
        ["twitter", 2, 3],
        ["telegram", 1, 0],
      ],
    );
    assert.deepEqual(f.byReporter, [
      { reporter: "Platform B", suspended: 2 },
      { reporter: "Platform A", suspended: 1 },
    ]);
    assert.equal(
      accountFigures({ from: 0, to: 1000 * DAY, interval: "day", suspended: [], returns: [], matched }),
      undefined,
    );
  });
});

describe("links' offline share", () => {
  it("has a Wilson interval; errors and unchecked links are apart; none checked is null", () => {
    const s = offlineShare([
      ...Array.from({ length: 8 }, () => ({ status: "removed" as const })),
      ...Array.from({ length: 2 }, () => ({ status: "online" as const })),
      { status: "error" as const },
      { status: "unchecked" as const },
    ]);
    assert.equal(s.checked, 10);
    assert.equal(s.share, 0.8);
    // Wilson 95% for 8/10: 0.490 – 0.943.
    assert.ok(
      Math.abs(s.shareLow! - 0.49) < 0.001 && Math.abs(s.shareHigh! - 0.943) < 0.001,
      `${s.shareLow} ${s.shareHigh}`,
    );
    assert.equal(s.errors, 1);
    assert.equal(s.unchecked, 1);
    const none = offlineShare([{ status: "error" as const }]);
    assert.deepEqual([none.share, none.shareLow, none.shareHigh], [null, null, null]);
  });
});
