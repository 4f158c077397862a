/**
 * Worker-thread entry for parallel PDQ lookups: a read-only replica of the index over the
 * same shared memory, answering batches of queries.
 */

import { parentPort, workerData } from "node:worker_threads";
import { PdqIndex, type SegmentParts } from "../kernels/pdq-index/pdq-index.js";
import { WORDS } from "../kernels/pdq-index/words.js";

export interface SearchBatch {
  readonly id: number;
  readonly queries: Uint32Array;
  readonly from: number;
  readonly to: number;
  readonly maxDistance: number;
}

const index = PdqIndex.fromParts(workerData as SegmentParts[]);

parentPort?.on("message", (batch: SearchBatch) => {
  // Matches as flat triples: query number, key, distance.
  const out: number[] = [];
  for (let q = batch.from; q < batch.to; q++) {
    for (const m of index.search(batch.queries, q * WORDS, batch.maxDistance)) out.push(q, m.key, m.distance);
  }
  parentPort?.postMessage({ id: batch.id, matches: Int32Array.from(out) });
});
