/** The review queue's filters as kept in the browser and sent to GET /v1/reviews (web/src/lib/review-filters.ts). */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  NO_QUEUE_FILTERS,
  loadQueueFilters,
  queueNarrowed,
  queueQuery,
  saveQueueFilters,
} from "../../web/src/lib/review-filters.js";

function memory(): { getItem(k: string): string | null; setItem(k: string, v: string): void } {
  const m = new Map<string, string>();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v) };
}

describe("review queue filters (web)", () => {
  it("are remembered, and anything unreadable or unknown is dropped", () => {
    const store = memory();
    assert.deepEqual(loadQueueFilters(store), NO_QUEUE_FILTERS);
    const f = { kind: "image", bank: "3", platform: "tube", language: "ar", reason: "stance" };
    saveQueueFilters(store, f);
    assert.deepEqual(loadQueueFilters(store), f);
    store.setItem("rasd.review.filters", JSON.stringify({ kind: "audio", bank: "x", language: "fr", reason: 3 }));
    assert.deepEqual(loadQueueFilters(store), NO_QUEUE_FILTERS);
    store.setItem("rasd.review.filters", "{not json");
    assert.deepEqual(loadQueueFilters(store), NO_QUEUE_FILTERS);
    assert.deepEqual(loadQueueFilters(undefined), NO_QUEUE_FILTERS);
  });

  it("make the page's query: only the filters set, the platform trimmed, the cursor", () => {
    assert.equal(queueQuery("open", NO_QUEUE_FILTERS, undefined), "status=open&limit=100");
    assert.equal(
      queueQuery("decided", { ...NO_QUEUE_FILTERS, kind: "text", bank: "7", platform: "  my tube " }, "12", 50),
      "status=decided&limit=50&kind=text&bank=7&platform=my+tube&before=12",
    );
    assert.equal(
      queueQuery("open", { ...NO_QUEUE_FILTERS, language: "und", reason: "link" }, "0.93:4"),
      "status=open&limit=100&language=und&reason=link&before=0.93%3A4",
    );
    assert.equal(queueNarrowed(NO_QUEUE_FILTERS), false);
    assert.equal(queueNarrowed({ ...NO_QUEUE_FILTERS, platform: " " }), false);
    assert.equal(queueNarrowed({ ...NO_QUEUE_FILTERS, reason: "match" }), true);
  });
});
