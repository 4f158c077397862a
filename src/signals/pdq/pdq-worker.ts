/**
 * Worker-thread entry that hashes image files with PDQ. One PdqHasher per thread, so
 * buffers are reused from file to file.
 */

import { parentPort } from "node:worker_threads";
import { describeError, isRasdError } from "../../core/errors.js";
import { PdqHasher } from "../../kernels/pdq/pdq.js";
import { pdqHashImageFile, type PdqImageOptions, type PdqImageResult } from "./hash-image.js";
import type { WorkerReply } from "../../parallel/worker-pool.js";

export interface PdqTask {
  readonly path: string;
  readonly options: PdqImageOptions;
}

const hasher = new PdqHasher();

parentPort?.on("message", ({ id, task }: { id: number; task: PdqTask }) => {
  pdqHashImageFile(task.path, task.options, hasher).then(
    (value) => parentPort?.postMessage({ id, ok: true, value } satisfies WorkerReply<PdqImageResult>),
    (error: unknown) =>
      parentPort?.postMessage({
        id,
        ok: false,
        error: { code: isRasdError(error) ? error.code : undefined, message: describeError(error) },
      } satisfies WorkerReply<PdqImageResult>),
  );
});
