/**
 * The index contract: for any data and any query, the multi-index returns exactly what a
 * linear scan returns — on uniform random hashes, on planted near neighbours, on clustered
 * families, and across adds, removes, flushes and merges.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MAX_INDEX_DISTANCE,
  PdqIndex,
  PdqIndexReplica,
  linearSearch,
  type RawMatch,
} from "../../src/kernels/pdq-index/pdq-index.js";
import { BUILD_SLICE, idAt, idBitsFor, idTableBytes, setIdAt } from "../../src/kernels/pdq-index/segment.js";
import { WORDS, hexToWords, popcount32, wordsToHex } from "../../src/kernels/pdq-index/words.js";
import { prng } from "../support/pdq-oracle.js";

function randomWords(n: number, rand: () => number): Uint32Array {
  const w = new Uint32Array(n * WORDS);
  for (let i = 0; i < w.length; i++) w[i] = Math.floor(rand() * 2 ** 32) >>> 0;
  return w;
}

/** A copy of hash `src` with `flips` distinct random bits flipped. */
function nearby(words: Uint32Array, src: number, flips: number, rand: () => number): Uint32Array {
  const out = words.slice(src * WORDS, src * WORDS + WORDS);
  const bits = new Set<number>();
  while (bits.size < flips) bits.add(Math.floor(rand() * 256));
  for (const b of bits) out[b >> 5] = (out[b >> 5]! ^ (1 << (b & 31))) >>> 0;
  return out;
}

const norm = (m: RawMatch[]): string[] => m.map((x) => `${x.key}:${x.tag}:${x.distance}`).sort();

describe("PDQ index: multi-index equals a linear scan", () => {
  it("words round-trip through hex in the reference's bit order", () => {
    const hex = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
    assert.equal(wordsToHex(hexToWords(hex)), hex);
    assert.equal(hexToWords(hex)[0]! & 0xffff, 0x9b22); // chunk 0 = the last 4 hex digits
    assert.equal(popcount32(0xffffffff), 32);
    assert.equal(popcount32(0x80000001), 2);
  });

  for (const [label, n, seed, layout] of [
    ["uniform random, 20k, 16x16-bit chunks", 20_000, 1, "narrow"],
    ["uniform random, 3k, 16x16-bit chunks", 3_000, 2, "narrow"],
    ["uniform random, 70k, 16x16-bit chunks (20-bit entry ids)", 70_000, 11, "narrow"],
    ["uniform random, 20k, 11 wide chunks", 20_000, 7, "wide"],
  ] as const) {
    it(`${label}: planted neighbours at every distance 0..40, thresholds 0..31`, () => {
      const rand = prng(seed);
      const words = randomWords(n, rand);
      const keys = Int32Array.from({ length: n }, (_, i) => i * 7 + 1);
      const tags = Uint16Array.from({ length: n }, (_, i) => i % 5);
      const index = PdqIndex.bulk(words, keys, tags, n, layout);
      for (let q = 0; q < 120; q++) {
        const query = nearby(words, Math.floor(rand() * n), q % 41, rand);
        for (const t of [0, 8, 16, 24, 31]) {
          assert.deepEqual(
            norm(index.search(query, 0, t)),
            norm(linearSearch(words, keys, tags, n, query, 0, t)),
            `query ${q} t ${t}`,
          );
        }
      }
    });
  }

  it("entry ids packed in 16, 20 or 24 bits read back as written", () => {
    assert.deepEqual([idBitsFor(3_000), idBitsFor(65_536), idBitsFor(65_537), idBitsFor(1 << 20)], [16, 16, 20, 20]);
    assert.equal(idBitsFor((1 << 20) + 1), 24);
    const rand = prng(12);
    for (const bits of [16, 20, 24]) {
      const n = 5_000;
      const ids = Array.from({ length: n }, (_, i) =>
        i < 3 ? [0, (1 << bits) - 1, 1][i]! : Math.floor(rand() * 2 ** bits),
      );
      const table = new Uint8Array(idTableBytes(n, bits));
      // Written in a shuffled order: a slot's neighbours may already share its bytes.
      const order = Array.from({ length: n }, (_, i) => i).sort(() => rand() - 0.5);
      for (const i of order) setIdAt(table, i, bits, ids[i]!);
      for (let i = 0; i < n; i++) assert.equal(idAt(table, i, bits), ids[i], `bits ${bits} slot ${i}`);
    }
  });

  it("a merge runs a slice at a time: between slices, lookups answer exactly and adds and removals show at once", () => {
    const rand = prng(13);
    const n = 40_000;
    const words = randomWords(n, rand);
    const keys = Int32Array.from({ length: n }, (_, i) => i + 1);
    const tags = new Uint16Array(n);
    const index = PdqIndex.bulk(words, keys, tags, n / 2, "narrow");
    const live = new Map<number, Uint32Array>();
    for (let i = 0; i < n / 2; i++) live.set(i + 1, words.slice(i * WORDS, i * WORDS + WORDS));
    for (let i = n / 2; i < n; i++) {
      index.add(words, i * WORDS, i + 1, 0);
      live.set(i + 1, words.slice(i * WORDS, i * WORDS + WORDS));
    }
    // Sealed write buffers waiting for their build, beside the bulk segment: `compact` has
    // them built, then everything merged into one segment.
    assert.ok(index.stats().buffers > 1);
    index.compact();
    const merges0 = index.stats().merges;
    let slices = 0;
    let nextKey = n + 1;
    const check = (): void => {
      const all = [...live.entries()];
      const w = new Uint32Array(all.length * WORDS);
      all.forEach(([, h], i) => w.set(h, i * WORDS));
      const k = Int32Array.from(all.map(([key]) => key));
      const t = new Uint16Array(all.length);
      for (let q = 0; q < 3; q++) {
        const query = nearby(w, Math.floor(rand() * all.length), Math.floor(rand() * 32), rand);
        assert.deepEqual(norm(index.search(query, 0, 31)), norm(linearSearch(w, k, t, all.length, query, 0, 31)));
      }
    };
    while (index.step(1)) {
      slices++;
      // Traffic between two slices of the merge: an add, a removal, lookups.
      const h = nearby(words, Math.floor(rand() * n), 5, rand);
      index.add(h, 0, nextKey, 0);
      const found = index.search(h, 0, 0).map((m) => m.key);
      assert.ok(found.includes(nextKey), "an add is found by the next search, mid-merge");
      live.set(nextKey++, h);
      const victim = [...live.keys()][Math.floor(rand() * live.size)]!;
      assert.equal(index.remove(live.get(victim)!, 0, victim), 1);
      live.delete(victim);
      if (slices % 25 === 0) check();
    }
    assert.ok(index.stats().merges >= merges0 + 2, "the build and the merge were installed");
    assert.equal(index.stats().segments, 1);
    // The merge was cut into many slices, each of at most BUILD_SLICE entries' work: no add
    // or lookup waits behind more than one (the CPU-independent bound on a stall).
    assert.ok(slices >= (2 * n) / BUILD_SLICE, `${slices} slices`);
    index.flush();
    assert.equal(index.size, live.size);
    check();
  });

  for (const layout of ["narrow", "wide"] as const)
    it(`clustered families (many candidates per query), ${layout}`, () => {
      const rand = prng(3);
      const centres = randomWords(50, rand);
      const n = 8_000;
      const words = new Uint32Array(n * WORDS);
      for (let i = 0; i < n; i++) words.set(nearby(centres, i % 50, Math.floor(rand() * 24), rand), i * WORDS);
      // Exact duplicates too, so that some buckets overflow the one-byte counts.
      for (let i = 0; i < 600; i++) words.set(centres.subarray(0, WORDS), i * WORDS);
      const keys = Int32Array.from({ length: n }, (_, i) => i);
      const tags = new Uint16Array(n);
      const index = PdqIndex.bulk(words, keys, tags, n, layout);
      for (let q = 0; q < 60; q++) {
        const query = nearby(centres, q % 50, Math.floor(rand() * 20), rand);
        const expected = linearSearch(words, keys, tags, n, query, 0, 31);
        assert.ok(expected.length > 10);
        assert.deepEqual(norm(index.search(query, 0, 31)), norm(expected));
      }
    });

  it("adds, removes, flushes and merges keep it equal to a scan of the live set", () => {
    const rand = prng(4);
    const index = new PdqIndex();
    const live = new Map<number, Uint32Array>();
    let nextKey = 1;
    const pool = randomWords(200, rand);
    for (let step = 0; step < 30_000; step++) {
      const r = rand();
      if (r < 0.8 || live.size === 0) {
        const h = nearby(pool, Math.floor(rand() * 200), Math.floor(rand() * 40), rand);
        const key = nextKey++;
        index.add(h, 0, key, key % 3);
        live.set(key, h);
      } else {
        const keysNow = [...live.keys()];
        const key = keysNow[Math.floor(rand() * keysNow.length)]!;
        assert.equal(index.remove(live.get(key)!, 0, key), 1);
        live.delete(key);
      }
      // Background work a slice at a time between operations, as the service runs it.
      if (rand() < 0.3) index.step(1);
      if (step % 2_500 === 0 || step === 29_999) {
        const all = [...live.entries()];
        const words = new Uint32Array(all.length * WORDS);
        all.forEach(([, h], i) => words.set(h, i * WORDS));
        const keys = Int32Array.from(all.map(([k]) => k));
        const tags = Uint16Array.from(all.map(([k]) => k % 3));
        assert.equal(index.size, live.size);
        for (let q = 0; q < 10; q++) {
          const query = nearby(pool, Math.floor(rand() * 200), Math.floor(rand() * 30), rand);
          assert.deepEqual(
            norm(index.search(query, 0, 31)),
            norm(linearSearch(words, keys, tags, all.length, query, 0, 31)),
          );
        }
      }
    }
    index.flush();
    assert.ok(index.stats().segments >= 1);
    assert.equal(index.stats().buffers, 1);
    assert.equal(index.size, live.size);
  });

  it("a new hash is found by the very next search, a removed one is not", () => {
    const index = PdqIndex.bulk(
      randomWords(1000, prng(5)),
      Int32Array.from({ length: 1000 }, (_, i) => i),
      new Uint16Array(1000),
    );
    const h = hexToWords("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22");
    assert.equal(index.search(h, 0, 31).filter((m) => m.key === 5000).length, 0);
    index.add(h, 0, 5000, 2);
    assert.deepEqual(
      index.search(h, 0, 31).filter((m) => m.key === 5000),
      [{ key: 5000, tag: 2, distance: 0 }],
    );
    index.remove(h, 0, 5000);
    assert.equal(index.search(h, 0, 31).filter((m) => m.key === 5000).length, 0);
  });

  it("the accept filter applies per-tag thresholds", () => {
    const rand = prng(6);
    const words = randomWords(2000, rand);
    const keys = Int32Array.from({ length: 2000 }, (_, i) => i);
    const tags = Uint16Array.from({ length: 2000 }, (_, i) => i % 2);
    const index = PdqIndex.bulk(words, keys, tags);
    const query = nearby(words, 10, 20, rand);
    const strict = index.search(query, 0, 31, (tag, d) => d <= (tag === 0 ? 10 : 31));
    const all = linearSearch(words, keys, tags, 2000, query, 0, 31).filter(
      (m) => m.distance <= (m.tag === 0 ? 10 : 31),
    );
    assert.deepEqual(norm(strict), norm(all));
  });

  it("refuses distances the index cannot answer exactly", () => {
    assert.throws(() => new PdqIndex().search(new Uint32Array(8), 0, MAX_INDEX_DISTANCE + 1), RangeError);
  });
});

describe("PDQ index replica over shared memory (one index for several threads)", () => {
  it("a replica given each new view answers as the index does, through adds, removes and merges", () => {
    const rand = prng(8);
    const index = PdqIndex.bulk(
      randomWords(3000, rand),
      Int32Array.from({ length: 3000 }, (_, i) => 100_000 + i),
      new Uint16Array(3000),
      3000,
      "narrow",
      true,
    );
    const replica = new PdqIndexReplica(index.view());
    let views = 0;
    index.onLayout = () => {
      views++;
      replica.setView(index.view());
    };
    const live = new Map<number, Uint32Array>();
    const pool = randomWords(100, rand);
    for (let step = 0; step < 12_000; step++) {
      if (rand() < 0.8 || live.size === 0) {
        const h = nearby(pool, Math.floor(rand() * 100), Math.floor(rand() * 40), rand);
        index.add(h, 0, step, step % 3);
        live.set(step, h);
      } else {
        const key = [...live.keys()][Math.floor(rand() * live.size)]!;
        index.remove(live.get(key)!, 0, key);
        live.delete(key);
      }
      if (rand() < 0.3) index.step(1);
      if (step % 1000 === 999) {
        for (let q = 0; q < 8; q++) {
          const query = nearby(pool, Math.floor(rand() * 100), Math.floor(rand() * 30), rand);
          assert.deepEqual(norm(replica.search(query, 0, 31)), norm(index.search(query, 0, 31)), `step ${step}`);
        }
      }
    }
    assert.ok(views > 2, `layouts changed ${views} times`);
    index.flush();
    const query = nearby(pool, 0, 5, rand);
    assert.deepEqual(norm(replica.search(query, 0, 31)), norm(index.search(query, 0, 31)));
  });

  it("sees appends and removals at once, and shares the index's memory", () => {
    const index = new PdqIndex({ shared: true });
    const replica = new PdqIndexReplica();
    index.onLayout = () => replica.setView(index.view());
    replica.setView(index.view());
    const h = hexToWords("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22");
    index.add(h, 0, 7, 1); // into the write buffer: no new layout
    assert.deepEqual(replica.search(h, 0, 0), [{ key: 7, tag: 1, distance: 0 }]);
    index.remove(h, 0, 7);
    assert.deepEqual(replica.search(h, 0, 0), []);
    for (const p of index.view().buffers) assert.ok(p.words.buffer instanceof SharedArrayBuffer);
    assert.throws(() => replica.search(h, 0, 32), RangeError);
  });
});
