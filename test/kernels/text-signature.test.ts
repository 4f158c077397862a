import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fmix32, hashCodePoints, seeds32 } from "../../src/kernels/text/hash.js";
import { LSH_BANDS, LSH_ROWS, bandKeys, candidateProbability } from "../../src/kernels/text/lsh.js";
import { MINHASH_SIZE, estimateJaccard, minhashSignature } from "../../src/kernels/text/minhash.js";
import { normalizeText } from "../../src/kernels/text/normalize.js";
import { SHINGLE_SIZE, jaccard, shingleHashes, sortedDistinct } from "../../src/kernels/text/shingles.js";
import { MIN_SHINGLES, textFingerprint } from "../../src/kernels/text/fingerprint.js";

const SENTENCE = "The caravan leaves at dawn; join it before the gates close.";

describe("shingles", () => {
  it("are the distinct 4-character windows of the normal form, hashed and sorted", () => {
    assert.equal(SHINGLE_SIZE, 4);
    const s = shingleHashes("the army");
    assert.equal(s.length, 5); // "the ", "he a", "e ar", " arm", "army"
    for (let i = 1; i < s.length; i++) assert.ok(s[i - 1]! < s[i]!);
    assert.equal(shingleHashes("abababab").length, 2); // "abab", "baba"
    assert.equal(shingleHashes("").length, 0);
    assert.equal(shingleHashes("ab").length, 1); // shorter than a shingle: one shingle
  });

  it("count code points, not UTF-16 units", () => {
    assert.equal(shingleHashes("𝒳𝒴𝒵𝒲𝒱").length, 2);
  });

  it("hash the same on every run (golden value)", () => {
    assert.deepEqual(Array.from(shingleHashes("abcd")), [3902797134]);
    assert.equal(hashCodePoints([0x61, 0x62, 0x63, 0x64], 0, 4), 3902797134);
  });

  it("sortedDistinct sorts and removes repeats", () => {
    assert.deepEqual(Array.from(sortedDistinct(Uint32Array.of(5, 1, 5, 3, 1))), [1, 3, 5]);
  });

  it("jaccard is |A ∩ B| / |A ∪ B|, and 0 for two empty sets", () => {
    assert.equal(jaccard(Uint32Array.of(1, 2, 3), Uint32Array.of(2, 3, 4)), 0.5);
    assert.equal(jaccard(Uint32Array.of(1, 2), Uint32Array.of(1, 2)), 1);
    assert.equal(jaccard(Uint32Array.of(1), Uint32Array.of(2)), 0);
    assert.equal(jaccard(new Uint32Array(0), new Uint32Array(0)), 0);
  });
});

describe("MinHash signatures", () => {
  const shingles = shingleHashes(normalizeText(SENTENCE));

  it("are deterministic: fixed seeds, golden values", () => {
    const sig = minhashSignature(shingles);
    assert.equal(sig.length, MINHASH_SIZE);
    assert.deepEqual(Array.from(sig.slice(0, 4)), [16098847, 61905721, 152592053, 18919802]);
    assert.deepEqual(Array.from(bandKeys(sig).slice(0, 2)), [1463758746, 2830714292]);
    assert.deepEqual(minhashSignature(shingles), sig);
    assert.deepEqual(seeds32(3, 7), seeds32(3, 7));
  });

  it("do not depend on the order of the shingles", () => {
    const reversed = Uint32Array.from(shingles).reverse();
    assert.deepEqual(minhashSignature(reversed), minhashSignature(shingles));
  });

  it("agree slot by slot about as often as the sets' Jaccard similarity", () => {
    // Sets of 600 with 400 in common: Jaccard 0.5. One standard deviation of the estimate is 0.045.
    const a = new Uint32Array(600);
    const b = new Uint32Array(600);
    for (let i = 0; i < 600; i++) {
      a[i] = fmix32(i);
      b[i] = fmix32(i < 400 ? i : 1_000_000 + i);
    }
    const exact = jaccard(sortedDistinct(a.slice()), sortedDistinct(b.slice()));
    assert.equal(exact, 0.5);
    const estimate = estimateJaccard(minhashSignature(a), minhashSignature(b));
    assert.ok(Math.abs(estimate - exact) < 0.15, `estimate ${estimate}`);
  });

  it("of an empty set are all 0xffffffff", () => {
    assert.ok(minhashSignature(new Uint32Array(0)).every((v) => v === 0xffffffff));
  });
});

describe("LSH banding", () => {
  it("uses 42 bands of 3 rows, one band per 3 signature slots", () => {
    assert.equal(LSH_BANDS * LSH_ROWS, MINHASH_SIZE);
  });

  it("finds a pair at the 0.5 threshold with probability ≥ 0.95 (S-curve)", () => {
    assert.ok(candidateProbability(0.5) > 0.996);
    assert.ok(candidateProbability(0.41) >= 0.95);
    assert.ok(candidateProbability(0.4) < 0.95);
    assert.ok(candidateProbability(0.1) < 0.05);
    for (let s = 0; s < 1; s += 0.05) assert.ok(candidateProbability(s) <= candidateProbability(s + 0.05));
  });

  it("gives equal keys for equal bands and different keys for different bands", () => {
    const sig = new Uint32Array(MINHASH_SIZE).fill(7);
    const keys = bandKeys(sig);
    assert.equal(new Set(keys).size, LSH_BANDS); // same slot values, different bands
    const other = sig.slice();
    other[0] = 8; // changes band 0 only
    const changed = bandKeys(other);
    assert.notEqual(changed[0], keys[0]);
    assert.deepEqual(changed.slice(1), keys.slice(1));
  });
});

describe("text fingerprints", () => {
  it("carry band keys for long texts and none for short ones", () => {
    const long = textFingerprint(SENTENCE);
    assert.ok(long.shingles.length >= MIN_SHINGLES);
    assert.equal(long.bandKeys?.length, LSH_BANDS);
    const short = textFingerprint("Allahu akbar!");
    assert.equal(short.normalized, "allahu akbar");
    assert.ok(short.shingles.length < MIN_SHINGLES);
    assert.equal(short.bandKeys, null);
  });

  it("are the same for a text and its evaded copy", () => {
    const a = textFingerprint("قافلة الفجر تنطلق قبل أن تُغلق الأبواب، فالحقوا بها");
    const b = textFingerprint("RT @x: قافلــة الفَجْر تنطلق قبل ان تغلق الابواب فالحقوا بها #عاجل");
    assert.equal(a.normalized, "قافله الفجر تنطلق قبل ان تغلق الابواب فالحقوا بها");
    assert.deepEqual(b, a);
  });
});
