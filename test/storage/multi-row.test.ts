import assert from "node:assert/strict";
import { test } from "node:test";
import { chunksOf } from "../../src/storage/multi-row.js";

test("chunksOf: chunks of the most, then the rest in powers of two, every row once and in order", () => {
  for (const n of [0, 1, 7, 150, 200, 201, 499, 500, 1000, 1337]) {
    const rows = Array.from({ length: n }, (_, i) => i);
    const chunks = [...chunksOf(rows, 200)];
    assert.deepEqual(
      chunks.flatMap((c) => c.rows),
      rows,
    );
    for (const c of chunks) {
      assert.equal(c.rows[0], c.from);
      assert.ok(c.rows.length === 200 || (c.rows.length & (c.rows.length - 1)) === 0, `${c.rows.length} rows`);
    }
  }
  assert.deepEqual(
    [
      ...chunksOf(
        Array.from({ length: 150 }, (_, i) => i),
        200,
      ),
    ].map((c) => c.rows.length),
    [128, 16, 4, 2],
  );
});
