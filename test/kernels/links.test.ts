/**
 * The pure pieces of links that stay down: the liveness verdict (statuses and removed pages)
 * and the Kaplan–Meier median with its interval, checked against values worked by hand.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kaplanMeier, medianDuration } from "../../src/kernels/quantify/index.js";
import { hasRemovedPage, linkStatus, removedPage } from "../../src/kernels/url/index.js";

describe("link liveness verdict", () => {
  it("404, 410 and 451 are removed; 2xx online; 429, 5xx, 403 and no answer are errors", () => {
    for (const s of [404, 410, 451]) assert.equal(linkStatus({ status: s }), "removed");
    for (const s of [200, 204]) assert.equal(linkStatus({ status: s }), "online");
    for (const s of [429, 500, 503, 403, 401, 302]) assert.equal(linkStatus({ status: s }), "error");
    assert.equal(linkStatus({ status: null }), "error");
  });
  it("a platform's removed page is removed, on its host and subdomains only", () => {
    assert.equal(linkStatus({ status: 200, host: "pastebin.com", path: "/removed/x" }), "removed");
    assert.equal(linkStatus({ status: 200, host: "m.pastebin.com", body: "This paste has been removed" }), "removed");
    assert.equal(linkStatus({ status: 200, host: "example.com", body: "This paste has been removed" }), "online");
    assert.equal(removedPage({ status: 200, host: "notpastebin.com", path: "/removed/x" }), undefined);
    assert.equal(hasRemovedPage("archive.org"), true);
    assert.equal(hasRemovedPage("example.org"), false);
  });
});

describe("Kaplan–Meier median", () => {
  it("matches a hand computation with censoring", () => {
    // Times 1,2,3(censored),4,5: S(1)=4/5, S(2)=3/5, S(4)=3/5·1/2=0.3, S(5)=0.
    const d = [
      { ms: 1, event: true },
      { ms: 2, event: true },
      { ms: 3, event: false },
      { ms: 4, event: true },
      { ms: 5, event: true },
    ];
    const steps = kaplanMeier(d);
    assert.deepEqual(
      steps.map((s) => [s.t, Math.round(s.s * 1000) / 1000]),
      [
        [1, 0.8],
        [2, 0.6],
        [4, 0.3],
        [5, 0],
      ],
    );
    const m = medianDuration(d);
    assert.equal(m.median, 4, "the first time S falls to one half or below");
    assert.equal(m.events, 4);
    assert.ok(m.low !== null && m.low <= 4);
  });
  it("says nothing (null) until half are known removed; the interval is unbounded above", () => {
    const d = [{ ms: 10, event: true }, ...Array.from({ length: 9 }, () => ({ ms: 20, event: false }))];
    const m = medianDuration(d);
    assert.equal(m.median, null);
    assert.equal(m.high, null);
  });
  it("ignoring the links still up would bias the median early", () => {
    const d = [
      ...[1, 2, 3].map((ms) => ({ ms, event: true })),
      ...Array.from({ length: 3 }, () => ({ ms: 100, event: false })),
      { ms: 200, event: true },
    ];
    assert.equal(medianDuration(d).median, 200);
  });
});
