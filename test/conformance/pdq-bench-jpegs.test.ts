/**
 * The 200 bench JPEGs (../shared/testdata/bench-jpegs) against the reference's hashes in
 * both flavours. Reports the share identical and the largest distance, and requires all
 * identical: sharp's libjpeg-turbo decode gives the reference's pixels on all of them.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hammingDistanceHex } from "../../src/kernels/pdq/hash256.js";
import { PdqHasher, type PdqFlavour } from "../../src/kernels/pdq/pdq.js";
import { pdqHashImageFile } from "../../src/signals/pdq/hash-image.js";
import { BENCH_JPEGS, needsShared, readCsv } from "../support/shared.js";

describe("PDQ conformance: 200 bench JPEGs, both flavours", { skip: needsShared }, () => {
  const rows = needsShared ? [] : readCsv(join(BENCH_JPEGS, "expected-pdq.csv"));
  for (const flavour of ["full", "512"] as PdqFlavour[]) {
    it(`${flavour}: every hash identical to the reference`, async (t) => {
      const expected = rows.filter((r) => r.flavour === (flavour === "512" ? "cli512" : "full"));
      assert.equal(expected.length, 200);
      const hasher = new PdqHasher();
      let identical = 0;
      let maxDistance = 0;
      const mismatches: string[] = [];
      for (const row of expected) {
        const got = await pdqHashImageFile(join(BENCH_JPEGS, row.file!), { flavour }, hasher);
        const d = hammingDistanceHex(got.hash, row.hash!);
        if (d === 0 && got.quality === Number(row.quality)) identical++;
        else mismatches.push(`${row.file}: ${d} bits, quality ${got.quality} vs ${row.quality}`);
        maxDistance = Math.max(maxDistance, d);
      }
      t.diagnostic(`${flavour}: ${identical}/200 identical (${(identical / 2) | 0}%), largest distance ${maxDistance}`);
      assert.deepEqual(mismatches, []);
    });
  }
});
