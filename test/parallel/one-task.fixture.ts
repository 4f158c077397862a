/**
 * Child process for worker-pool.test.ts: a pool of three frame workers runs one task and
 * the process must then end on its own (idle workers may not keep it alive).
 */
import { WorkerPool } from "../../src/parallel/worker-pool.js";
import type { FrameResult, FrameTask } from "../../src/parallel/frame-worker.js";

const pool = new WorkerPool<FrameTask, FrameResult>(new URL("../../src/parallel/frame-worker.ts", import.meta.url), {
  threads: 3,
});
const data = new Uint8Array(32 * 32 * 3).fill(128);
const r = await pool.run({ data, width: 32, height: 32 }, [data.buffer]);
process.stdout.write(`${r.hash} ${r.quality}\n`);
