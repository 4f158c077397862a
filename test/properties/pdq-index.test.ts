/**
 * Properties of the mutable PDQ index (src/kernels/pdq-index): under any interleaving of
 * additions, removals, re-additions, slices of background work (buffer builds, merges, a
 * full compaction) and searches, every search returns exactly what a linear scan of the
 * live set returns — removals made while a merge copies its inputs included — and the size
 * is the live count. And by structure: `add` never builds, one `step` is one slice.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { PdqIndex, linearSearch, type RawMatch } from "../../src/kernels/pdq-index/pdq-index.js";
import { WORDS } from "../../src/kernels/pdq-index/words.js";
import { prng } from "../support/pdq-oracle.js";
import { params } from "./arbitraries.js";

type Op =
  | { kind: "add"; base: number; flips: number }
  | { kind: "remove"; pick: number }
  | { kind: "readd"; pick: number }
  | { kind: "step"; slices: number }
  | { kind: "compact" }
  | { kind: "search"; base: number; flips: number; max: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("add" as const), base: fc.nat(15), flips: fc.nat(40) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("readd" as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("step" as const), slices: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("compact" as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("search" as const),
      base: fc.nat(15),
      flips: fc.nat(40),
      max: fc.constantFrom(0, 8, 16, 24, 31),
    }),
  },
);

/** A copy of `pool` hash `base` with bits flipped by a seeded generator. */
function near(pool: Uint32Array, base: number, flips: number, rand: () => number): Uint32Array {
  const out = pool.slice(base * WORDS, base * WORDS + WORDS);
  for (let f = 0; f < flips; f++) {
    const b = Math.floor(rand() * 256);
    out[b >> 5] = (out[b >> 5]! ^ (1 << (b & 31))) >>> 0;
  }
  return out;
}

const norm = (m: RawMatch[]): string[] => m.map((x) => `${x.key}:${x.tag}:${x.distance}`).sort();

describe("PDQ index properties", () => {
  it("any interleaving of adds, removals, merges and searches equals a linear scan of the live set", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1 << 30 }),
        fc.integer({ min: 2, max: 12 }),
        fc.array(op, { minLength: 1, maxLength: 400 }),
        (seed, bufferEntries, ops) => {
          const rand = prng(seed);
          const pool = new Uint32Array(16 * WORDS);
          for (let i = 0; i < pool.length; i++) pool[i] = Math.floor(rand() * 2 ** 32) >>> 0;
          const index = new PdqIndex({ bufferEntries });
          const live = new Map<number, Uint32Array>();
          const removed = new Map<number, Uint32Array>();
          let nextKey = 1;
          const check = (query: Uint32Array, max: number): void => {
            const all = [...live.entries()];
            const words = new Uint32Array(all.length * WORDS);
            all.forEach(([, h], i) => words.set(h, i * WORDS));
            const keys = Int32Array.from(all.map(([k]) => k));
            const tags = Uint16Array.from(all.map(([k]) => k % 7));
            assert.deepEqual(
              norm(index.search(query, 0, max)),
              norm(linearSearch(words, keys, tags, all.length, query, 0, max)),
            );
          };
          for (const o of ops) {
            if (o.kind === "add") {
              const key = nextKey++;
              const h = near(pool, o.base, o.flips, rand);
              index.add(h, 0, key, key % 7);
              live.set(key, h);
            } else if (o.kind === "remove") {
              if (live.size === 0) continue;
              const key = [...live.keys()][o.pick % live.size]!;
              assert.equal(index.remove(live.get(key)!, 0, key), 1);
              removed.set(key, live.get(key)!);
              live.delete(key);
            } else if (o.kind === "readd") {
              // A retracted signal made active again: same key, same hash.
              if (removed.size === 0) continue;
              const key = [...removed.keys()][o.pick % removed.size]!;
              index.add(removed.get(key)!, 0, key, key % 7);
              live.set(key, removed.get(key)!);
              removed.delete(key);
            } else if (o.kind === "step") {
              index.step(o.slices);
            } else if (o.kind === "compact") {
              index.compact();
            } else {
              check(near(pool, o.base, o.flips, rand), o.max);
            }
            assert.equal(index.size, live.size);
          }
          index.flush();
          assert.equal(index.stats().pending, false);
          assert.equal(index.size, live.size);
          for (let b = 0; b < 16; b++) check(near(pool, b, 10, rand), 31);
        },
      ),
      params(60),
    );
  });

  it("add never builds or merges; each step is one slice of work, and searches run between slices", () => {
    const rand = prng(11);
    const index = new PdqIndex({ bufferEntries: 64 });
    const hashes = new Uint32Array(1000 * WORDS);
    for (let i = 0; i < hashes.length; i++) hashes[i] = Math.floor(rand() * 2 ** 32) >>> 0;
    for (let k = 0; k < 1000; k++) index.add(hashes, k * WORDS, k + 1, 0);
    let s = index.stats();
    // 1000 adds filled 15 buffers of 64: sealed, still searched, none built.
    assert.equal(s.segments, 0);
    assert.equal(s.buffers, 16);
    assert.equal(s.merges, 0);
    assert.equal(s.slices, 0);
    assert.equal(s.pending, true);
    let steps = 0;
    while (index.step(1)) {
      steps++;
      assert.equal(index.stats().slices, steps); // one call, one slice: never a whole merge
      // Every hash is found between any two slices.
      const k = Math.floor(rand() * 1000);
      assert.ok(index.search(hashes, k * WORDS, 0).some((m) => m.key === k + 1));
    }
    s = index.stats();
    // Copying 15 buffers alone is 15 slices; the build is more.
    assert.ok(steps > 15, `${steps} steps`);
    assert.ok(s.segments >= 1 && s.merges >= 1);
    assert.equal(s.added, 1000);
    assert.equal(s.bulkLoaded, 0);
  });
});
