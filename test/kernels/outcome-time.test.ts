import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkOutcomeOrder } from "../../src/core/outcome-order.js";
import { itemDurations, takedownFigures, type TakedownRecord } from "../../src/kernels/quantify/index.js";

const H = 3_600_000;

describe("outcomes in time order", () => {
  const item = { postedAt: 1000 * H, receivedAt: 1002 * H };
  it("refuses an event before the item was posted, a removal before receipt, a restoration before its removal", () => {
    assert.throws(
      () => checkOutcomeOrder(item, [], { kind: "removal_order", at: 999 * H }),
      /before the item was posted/,
    );
    assert.throws(
      () => checkOutcomeOrder(item, [], { kind: "removed", basis: "terms_of_service", at: 1001 * H }),
      /before rasd received the item/,
    );
    assert.throws(
      () => checkOutcomeOrder(item, [{ kind: "removed", at: 1005 * H }], { kind: "restored", at: 1004 * H }),
      /before the removed or disabled it follows/,
    );
    assert.throws(
      () =>
        checkOutcomeOrder(item, [{ kind: "removal_order", at: 1006 * H }], {
          kind: "removed",
          basis: "removal_order",
          at: 1005 * H,
        }),
      /before the removal_order/,
    );
  });
  it("accepts events in order; an order may precede receipt", () => {
    checkOutcomeOrder(item, [], { kind: "removal_order", at: 1001 * H });
    checkOutcomeOrder(item, [{ kind: "removal_order", at: 1001 * H }], {
      kind: "removed",
      basis: "removal_order",
      at: 1003 * H,
    });
    checkOutcomeOrder({ postedAt: null, receivedAt: 5 }, [{ kind: "removed", at: 10 }], { kind: "restored", at: 10 });
  });
});

describe("time online and time to removal per item", () => {
  const base: TakedownRecord = {
    itemId: 1,
    platform: "p",
    bankIds: [],
    receivedAt: 10 * H,
    postedAt: 4 * H,
    actedAt: null,
    orderAt: 11 * H,
    removedAt: 11.5 * H,
    restoredAt: null,
  };
  it("time online is posted → removed; time to removal is order (or receipt) → removed", () => {
    assert.deepEqual(itemDurations(base), { timeToRemoval: 0.5 * H, timeOnline: 7.5 * H });
    assert.deepEqual(itemDurations({ ...base, orderAt: null, postedAt: null }), {
      timeToRemoval: 1.5 * H,
      timeOnline: null,
    });
    assert.deepEqual(itemDurations({ ...base, removedAt: null }), { timeToRemoval: null, timeOnline: null });
  });
  it("figures: time-online percentiles over items with a posting time; still online counts unremoved and restored", () => {
    const f = takedownFigures([
      base,
      { ...base, itemId: 2, postedAt: 9 * H },
      { ...base, itemId: 3, removedAt: null },
      { ...base, itemId: 4, restoredAt: 20 * H },
      { ...base, itemId: 5, postedAt: null },
    ]);
    assert.equal(f.timeOnline.count, 3);
    assert.equal(f.timeOnline.max, 7.5 * H);
    assert.equal(f.timeOnline.p50, 7.5 * H);
    assert.equal(f.stillOnline, 2);
  });
});
