import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { textFingerprint } from "../../src/kernels/text/fingerprint.js";
import { jaccard } from "../../src/kernels/text/shingles.js";
import { DEFAULT_MIN_SIMILARITY, TextIndex } from "../../src/kernels/text/text-index.js";
import { prng } from "../support/pdq-oracle.js";

const CONVOY = "The convoy crossed the river at night and reached the northern villages by dawn";
const CONVOY_COPY =
  "RT @relay: the convoy crossed the river at night and reached the northern villages by dawn #breaking";
const CONVOY_EDITED = "The convoy crossed the river at night and reached the eastern villages by noon";
const MARKET = "Prices at the central market rose again this week as the harvest came in late";
const ARABIC = "عبرت القافلة النهر ليلاً ووصلت إلى القرى الشمالية مع الفجر";
const ARABIC_COPY = "عَبَرَتِ القافلـــة النهرَ ليلا ووصلت الى القرى الشمالية مع الفجر #عاجل";

/** Exact similarity of two texts, as the index computes it. */
const similarity = (a: string, b: string): number => jaccard(textFingerprint(a).shingles, textFingerprint(b).shingles);

describe("TextIndex: add, query, remove", () => {
  it("finds near-copies with their exact similarity, most similar first", () => {
    const index = new TextIndex();
    index.add(1, CONVOY);
    index.add(2, CONVOY_EDITED);
    index.add(3, MARKET);
    const found = index.query(CONVOY_COPY);
    assert.deepEqual(
      found.map((m) => m.id),
      [1, 2],
    );
    assert.equal(found[0]!.similarity, 1);
    assert.equal(found[1]!.similarity, similarity(CONVOY_COPY, CONVOY_EDITED));
    assert.ok(found[1]!.similarity >= DEFAULT_MIN_SIMILARITY && found[1]!.similarity < 1);
  });

  it("finds Arabic near-copies despite diacritics, tatweel, alef forms and hashtags", () => {
    const index = new TextIndex();
    index.add(10, ARABIC);
    index.add(11, MARKET);
    assert.deepEqual(index.query(ARABIC_COPY), [{ id: 10, similarity: 1 }]);
  });

  it("honours minSimilarity and validates it", () => {
    const index = new TextIndex();
    index.add(1, CONVOY);
    index.add(2, CONVOY_EDITED);
    assert.deepEqual(
      index.query(CONVOY, 1).map((m) => m.id),
      [1],
    );
    for (const bad of [-0.1, 1.1, Number.NaN]) assert.throws(() => index.query(CONVOY, bad), RangeError);
  });

  it("orders equal similarities by id", () => {
    const index = new TextIndex();
    for (const id of [30, 10, 20]) index.add(id, CONVOY);
    assert.deepEqual(
      index.query(CONVOY).map((m) => m.id),
      [10, 20, 30],
    );
  });

  it("removes live, without a rebuild, and ignores unknown ids", () => {
    const index = new TextIndex();
    index.add(1, CONVOY);
    index.add(2, CONVOY_EDITED);
    assert.equal(index.size, 2);
    index.remove(1);
    assert.equal(index.size, 1);
    assert.equal(index.has(1), false);
    assert.deepEqual(
      index.query(CONVOY).map((m) => m.id),
      [2],
    );
    index.remove(1);
    index.remove(99);
    assert.equal(index.size, 1);
    index.remove(2);
    assert.deepEqual(index.query(CONVOY), []);
    assert.equal(index.size, 0);
  });

  it("replaces the text when an id is added again", () => {
    const index = new TextIndex();
    index.add(1, CONVOY);
    index.add(1, MARKET);
    assert.equal(index.size, 1);
    assert.deepEqual(index.query(CONVOY), []);
    assert.deepEqual(index.query(MARKET), [{ id: 1, similarity: 1 }]);
  });

  it("refuses ids that are not safe integers", () => {
    const index = new TextIndex();
    for (const bad of [1.5, Number.NaN, 2 ** 53]) assert.throws(() => index.add(bad, CONVOY), RangeError);
  });
});

describe("TextIndex: short and empty texts", () => {
  it("matches short texts only when their normal forms are identical", () => {
    const index = new TextIndex();
    index.add(1, "Allahu akbar");
    index.add(2, "allahu akbar akhi");
    assert.deepEqual(index.query("ALLAHU AKBAR!!! 🔥 @someone"), [{ id: 1, similarity: 1 }]);
    assert.deepEqual(index.query("allahu akbar ya akhi"), []);
  });

  it("never matches a long text to a short one, even when one contains the other", () => {
    const index = new TextIndex();
    index.add(1, "the convoy crossed");
    assert.deepEqual(index.query(CONVOY), []);
  });

  it("counts texts that normalise to nothing but never matches them", () => {
    const index = new TextIndex();
    index.add(1, "🔥🔥🔥 https://t.co/x @someone");
    index.add(2, "!!!");
    assert.equal(index.size, 2);
    assert.deepEqual(index.query("🔥🔥🔥"), []);
    assert.deepEqual(index.query(""), []);
    index.remove(1);
    assert.equal(index.size, 1);
  });
});

describe("TextIndex: agrees with a linear scan", () => {
  // Texts built from a small invented vocabulary: families of edited copies plus unrelated texts.
  const WORDS = (
    "army city river dawn convoy village market border soldiers night bridge road north south east west " +
    "الجيش المدينة النهر الفجر القافلة القرية السوق الحدود الجنود الليل الجسر الطريق الشمال الجنوب"
  ).split(" ");

  function corpus(seed: number): string[] {
    const rand = prng(seed);
    const pick = (): string => WORDS[Math.floor(rand() * WORDS.length)]!;
    const texts: string[] = [];
    for (let f = 0; f < 60; f++) {
      const base = Array.from({ length: 10 + Math.floor(rand() * 10) }, pick);
      texts.push(base.join(" "));
      for (let c = 0; c < 3; c++) {
        const copy = [...base];
        for (let e = Math.floor(rand() * 4); e > 0; e--) copy[Math.floor(rand() * copy.length)] = pick();
        texts.push(copy.join(" "));
      }
    }
    return texts;
  }

  it("returns exactly the scan's matches at ≥ 0.6, never one below the threshold, and updates live", () => {
    const texts = corpus(42);
    const index = new TextIndex();
    texts.forEach((t, i) => index.add(i, t));
    for (let i = 0; i < texts.length; i += 40) index.remove(i);
    const live = texts.map((_, i) => i).filter((i) => i % 40 !== 0);
    const fps = texts.map((t) => textFingerprint(t));
    let pairs = 0;
    for (const q of live) {
      const got = index.query(texts[q]!);
      for (const m of got) {
        assert.ok(m.similarity >= DEFAULT_MIN_SIMILARITY);
        assert.ok(live.includes(m.id));
        assert.equal(m.similarity, jaccard(fps[q]!.shingles, fps[m.id]!.shingles));
      }
      const ids = new Set(got.map((m) => m.id));
      for (const j of live) {
        if (jaccard(fps[q]!.shingles, fps[j]!.shingles) >= 0.6) {
          pairs++;
          assert.ok(ids.has(j), `query ${q} misses ${j}`);
        }
      }
    }
    assert.ok(pairs > live.length, `only ${pairs} pairs`);
  });
});
