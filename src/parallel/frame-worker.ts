/**
 * Worker-thread entry that PDQ-hashes raw RGB24 video frames (vPDQ: RGB luma, no grey path).
 * The frame's buffer is moved back with the result, so the reader can fill it again
 * instead of allocating a new one for every frame.
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

/** The hash, and the frame's buffer handed back for reuse. */
export interface FrameResult extends PdqHash {
  readonly data: Uint8Array;
}

const hasher = new PdqHasher();

parentPort?.on("message", ({ id, task }: { id: number; task: FrameTask }) => {
  const { hash, quality } = hasher.hashLuma(
    pixelLuma({ width: task.width, height: task.height, channels: 3, data: task.data }, false),
  );
  const value: FrameResult = { hash, quality, data: task.data };
  parentPort?.postMessage({ id, ok: true, value } satisfies WorkerReply<FrameResult>, [
    task.data.buffer as ArrayBuffer,
  ]);
});
