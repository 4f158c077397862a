/**
 * Worker-thread entry that PDQ-hashes raw RGB24 video frames (vPDQ: RGB luma, no grey path).
 */

import { parentPort } from "node:worker_threads";
import { pixelLuma } from "../kernels/pdq/luma.js";
import { PdqHasher, type PdqHash } from "../kernels/pdq/pdq.js";
import type { WorkerReply } from "./worker-pool.js";

export interface FrameTask {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

const hasher = new PdqHasher();

parentPort?.on("message", ({ id, task }: { id: number; task: FrameTask }) => {
  const value = hasher.hashLuma(
    pixelLuma({ width: task.width, height: task.height, channels: 3, data: task.data }, false),
  );
  parentPort?.postMessage({ id, ok: true, value } satisfies WorkerReply<PdqHash>);
});
