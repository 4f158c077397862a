/**
 * PDQ lookups on every core: the calling thread and worker threads search read-only
 * replicas of one index in shared memory (no copy: 10M hashes stay under 1 GB in total).
 * Build the index with `shared = true` (PdqIndex.bulk) so its arrays can be shared.
 */

import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import type { PdqIndex } from "../kernels/pdq-index/pdq-index.js";
import { WORDS } from "../kernels/pdq-index/words.js";
import type { SearchBatch } from "./pdq-search-worker.js";
import { siblingModule, startWorker } from "./worker-pool.js";

export class PdqSearchPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (m: Int32Array) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  /** `threads` counts the calling thread too (default: every core). */
  constructor(
    private readonly index: PdqIndex,
    threads: number = availableParallelism(),
  ) {
    const parts = index.parts();
    for (let i = 1; i < threads; i++) {
      const worker = startWorker(siblingModule(import.meta.url, "pdq-search-worker"), parts);
      worker.on("message", (reply: { id: number; matches: Int32Array }) => {
        this.pending.get(reply.id)?.resolve(reply.matches);
        this.pending.delete(reply.id);
      });
      worker.on("error", (error) => {
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
      });
      this.workers.push(worker);
    }
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Searches queries `0..count` of `queries` (8 words each; a SharedArrayBuffer-backed
   * array avoids copying), split evenly over the threads. Returns the number of matches
   * per query.
   */
  async searchAll(queries: Uint32Array, count: number, maxDistance: number): Promise<Uint32Array> {
    const perThread = Math.ceil(count / this.threads);
    const replies: Promise<Int32Array>[] = this.workers.map((worker, i) => {
      const from = Math.min(count, (i + 1) * perThread);
      const to = Math.min(count, from + perThread);
      const id = this.nextId++;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        worker.postMessage({ id, queries, from, to, maxDistance } satisfies SearchBatch);
      });
    });
    const counts = new Uint32Array(count);
    for (let q = 0; q < Math.min(count, perThread); q++)
      counts[q] = this.index.search(queries, q * WORDS, maxDistance).length;
    for (const matches of await Promise.all(replies))
      for (let i = 0; i < matches.length; i += 3) counts[matches[i]!]!++;
    return counts;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
