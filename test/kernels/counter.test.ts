/**
 * The kernels under counter-messaging (issue 20): Student t and Newcombe's interval against
 * published values, Welch's test, the Arabic-normalised keyword automaton, and tracking tokens
 * (round trip, tampering, another key).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { signTrackingToken, trackingKey, verifyTrackingToken } from "../../src/kernels/crypto/tracking-token.js";
import { compareMeans, compareProportions, tQuantile, twoSidedTP } from "../../src/kernels/quantify/index.js";
import { KeywordAutomaton } from "../../src/kernels/text/index.js";

const near = (a: number, b: number, tol: number) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} is not within ${tol} of ${b}`);

describe("counter-messaging kernels", () => {
  it("Student t: tables' 97.5% quantiles and their two-sided p", () => {
    near(tQuantile(0.05, 1), 12.706, 1e-3);
    near(tQuantile(0.05, 10), 2.228, 1e-3);
    near(tQuantile(0.05, 30), 2.042, 1e-3);
    near(twoSidedTP(2.042, 30), 0.05, 1e-4);
  });

  it("Newcombe's hybrid score interval: Newcombe's 1998 examples 56/70 − 48/80 (0.0524 to 0.3339) and 9/10 − 3/10 (0.1705 to 0.8090)", () => {
    const d = compareProportions(56, 70, 48, 80);
    near(d.difference, 0.2, 1e-12);
    near(d.low, 0.0524, 1e-4);
    near(d.high, 0.3339, 1e-4);
    const small = compareProportions(9, 10, 3, 10);
    near(small.low, 0.1705, 1e-4);
    near(small.high, 0.809, 1e-4);
    assert.equal(d.significant, true);
    const same = compareProportions(50, 1000, 50, 1000);
    assert.equal(same.pValue, 1);
  });

  it("Welch's test: a known example, and equal samples are not different", () => {
    const d = compareMeans([1, 2, 3, 4], [5, 6, 7, 8]);
    near(d.statistic, -4.3818, 1e-4);
    near(d.pValue, 0.00466, 1e-5);
    assert.equal(compareMeans([1, 2, 3], [1, 2, 3]).significant, false);
  });

  it("keywords: Arabic variants and proclitics match at word starts, never inside a word", () => {
    const k = new KeywordAutomaton([
      { phrase: "الخلافة", tag: "caliphate-utopia" },
      { phrase: "state", tag: "x" },
      { phrase: "join the brothers", tag: "belonging" },
    ]);
    assert.deepEqual(
      k.find("عاشت والخلافهُ").map((h) => h.tag),
      ["caliphate-utopia"],
    );
    assert.deepEqual(
      k.find("بالخلافة").map((h) => h.tag),
      ["caliphate-utopia"],
    );
    assert.deepEqual(k.find("restate the obvious"), []);
    assert.deepEqual(
      k.find("JOIN   the brothers!!").map((h) => h.tag),
      ["belonging"],
    );
    assert.equal(new KeywordAutomaton([{ phrase: "!!!", tag: "x" }]).size, 0);
  });

  it("tracking tokens: round trip, tampering and another key refused", () => {
    const key = trackingKey(new Uint8Array(32).fill(1));
    const claims = { item: 7, org: 3, narrative: "victimhood", lang: "ar", at: 1_800_000_000, imp: "0123456789abcdef" };
    const token = signTrackingToken(key, claims);
    assert.ok(token.length <= 60, `${token.length} characters`);
    assert.deepEqual(verifyTrackingToken(key, token), claims);
    const [payload, mac] = token.split(".") as [string, string];
    const flipped = `${payload.slice(0, 5)}${payload[5] === "A" ? "B" : "A"}${payload.slice(6)}.${mac}`;
    assert.throws(() => verifyTrackingToken(key, flipped), /signature does not match/);
    assert.throws(
      () => verifyTrackingToken(trackingKey(new Uint8Array(32).fill(2)), token),
      /signature does not match/,
    );
    assert.throws(() => verifyTrackingToken(key, "nodot"), /not of the form/);
  });
});
