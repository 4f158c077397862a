/**
 * Hashing many image files with PDQ on every core, results in input order.
 */

import type { PdqImageOptions, PdqImageResult } from "./hash-image.js";
import type { PdqTask } from "./pdq-worker.js";
import { WorkerPool, siblingModule, type PoolOptions } from "../../parallel/worker-pool.js";

export type PdqFileOutcome =
  | { readonly path: string; readonly ok: true; readonly result: PdqImageResult }
  | { readonly path: string; readonly ok: false; readonly code: string | undefined; readonly message: string };

export class PdqPool {
  private readonly pool: WorkerPool<PdqTask, PdqImageResult>;

  constructor(options: PoolOptions = {}) {
    this.pool = new WorkerPool(siblingModule(import.meta.url, "pdq-worker"), options);
  }

  /** Worker threads in the pool. */
  get size(): number {
    return this.pool.size;
  }

  async hash(path: string, options: PdqImageOptions): Promise<PdqFileOutcome> {
    try {
      return { path, ok: true, result: await this.pool.run({ path, options }) };
    } catch (error) {
      const err = error as Error & { code?: string };
      return { path, ok: false, code: err.code, message: err.message };
    }
  }

  /**
   * Hashes `paths`, calling `onResult` for each in input order as soon as it and every
   * earlier one are done. At most `window` files are queued ahead of the output.
   */
  async hashInOrder(
    paths: readonly string[],
    options: PdqImageOptions,
    onResult: (outcome: PdqFileOutcome, index: number) => void,
    window = 64,
  ): Promise<void> {
    const inFlight: Promise<PdqFileOutcome>[] = [];
    let next = 0;
    for (let i = 0; i < paths.length; i++) {
      while (next < paths.length && next < i + window) inFlight.push(this.hash(paths[next++]!, options));
      onResult(await inFlight.shift()!, i);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
