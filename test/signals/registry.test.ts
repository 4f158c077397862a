/**
 * The signal-type registry: every stored type has a plug-in, and what the rest of rasd asks
 * of a type (canonical values, lookups, scores, HMA's strings) comes from it.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SIGNAL_TYPES } from "../../src/core/model.js";
import {
  HMA_SIGNAL_TYPES,
  SIGNAL_TYPE_DEFS,
  canonicalSignalValue,
  hmaDef,
  hmaDistance,
  hmaMediaSignalTypes,
  matchScore,
  matchScoreText,
  nearQueryType,
} from "../../src/signals/registry.js";

const PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

describe("signal-type registry", () => {
  it("has one plug-in per stored type, under its own name", () => {
    assert.deepEqual(Object.keys(SIGNAL_TYPE_DEFS).sort(), [...SIGNAL_TYPES].sort());
    for (const t of SIGNAL_TYPES) assert.equal(SIGNAL_TYPE_DEFS[t].type, t);
    for (const t of HMA_SIGNAL_TYPES) assert.ok(SIGNAL_TYPE_DEFS[t].hma, `${t} has an HMA part`);
  });

  it("canonicalises values through the type's plug-in", () => {
    assert.equal(canonicalSignalValue("pdq", ` ${PDQ.toUpperCase()} `).value, PDQ);
    assert.equal(
      canonicalSignalValue("md5", "D41D8CD98F00B204E9800998ECF8427E").value,
      "d41d8cd98f00b204e9800998ecf8427e",
    );
    assert.equal(canonicalSignalValue("domain", "https://Example.COM/path").value, "example.com");
    assert.throws(() => canonicalSignalValue("sha256", "abc"), /not a SHA-256 \(64 hex digits\)/);
    assert.throws(() => canonicalSignalValue("text", "  "), /empty text value/);
  });

  it("shows each kind of score its own way", () => {
    const pdq = { signalId: 1, bankId: 2, type: "pdq", distance: 4, transform: "rot90" } as const;
    const video = { signalId: 3, bankId: 2, type: "vpdq", queryMatchPercent: 100, comparedMatchPercent: 62.5 } as const;
    const text = { signalId: 4, bankId: 2, type: "text", similarity: 0.875 } as const;
    const domain = { signalId: 5, bankId: 2, type: "domain", matched: "example.com" } as const;
    assert.deepEqual(matchScore(pdq), { distance: 4 });
    assert.deepEqual(matchScore(video), { queryMatchPercent: 100, comparedMatchPercent: 62.5 });
    assert.equal(matchScoreText(pdq), "distance=4 transform=rot90");
    assert.equal(matchScoreText(video), "query%=100.00 compared%=62.50");
    assert.equal(matchScoreText(text), "similarity=0.875");
    assert.equal(matchScoreText(domain), "matched=example.com");
    assert.deepEqual([pdq, video, text, domain].map(hmaDistance), ["4", "100%[62%]", "0.88", "-"]);
  });

  it("knows which types a near-copy search and HMA's content types take", () => {
    assert.equal(nearQueryType(PDQ), "pdq");
    assert.equal(nearQueryType(PDQ, "text"), "text");
    assert.equal(nearQueryType("short"), undefined);
    assert.deepEqual(hmaMediaSignalTypes("image"), ["pdq"]);
    assert.deepEqual(hmaMediaSignalTypes("video"), ["video_md5", "vpdq"]);
    assert.deepEqual(hmaDef("pdq").compare?.(PDQ, PDQ), [true, { distance: 0 }]);
    assert.equal(hmaDef("text").compare, undefined);
  });
});
