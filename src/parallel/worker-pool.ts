/**
 * A small pool of worker threads that run one kind of task. Each worker may hold several
 * tasks in flight, so that while one waits on I/O or a decoder thread, another hashes.
 * Results come back as promises; a crashed worker fails its tasks and is replaced.
 */

import { availableParallelism } from "node:os";
import { Worker, type TransferListItem } from "node:worker_threads";

export interface PoolOptions {
  /** Worker threads; default: the machine's available parallelism. */
  readonly threads?: number;
  /** Tasks in flight per worker; default 2. */
  readonly perWorker?: number;
  /** Data passed to every worker as `workerData`. */
  readonly workerData?: unknown;
}

interface Pending<R> {
  readonly resolve: (value: R) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Set<number>;
}

/** Message a worker posts back for task `id`. */
export type WorkerReply<R> =
  { id: number; ok: true; value: R } | { id: number; ok: false; error: { code?: string; message: string } };

/** Error carried back from a worker, keeping the domain error code. */
class WorkerTaskError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export class WorkerPool<T, R> {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending<R>>();
  private readonly queue: { id: number; task: T; transfer: ArrayBuffer[] }[] = [];
  private readonly perWorker: number;
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly script: URL,
    options: PoolOptions = {},
  ) {
    const threads = Math.max(1, options.threads ?? availableParallelism());
    this.perWorker = Math.max(1, options.perWorker ?? 2);
    for (let i = 0; i < threads; i++) this.slots.push(this.spawn(options.workerData));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Runs a task; `transfer` lists buffers to move to the worker rather than copy. */
  run(task: T, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.closed) return Promise.reject(new Error("worker pool is closed"));
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.queue.push({ id, task, transfer });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(workerData: unknown): Slot {
    const worker = startWorker(this.script, workerData);
    const slot: Slot = { worker, inFlight: new Set() };
    worker.on("message", (reply: WorkerReply<R>) => {
      slot.inFlight.delete(reply.id);
      // An idle pool does not keep the process alive; a busy one does.
      if (slot.inFlight.size === 0) worker.unref();
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (pending) {
        if (reply.ok) pending.resolve(reply.value);
        else pending.reject(new WorkerTaskError(reply.error.message, reply.error.code));
      }
      this.dispatch();
    });
    worker.on("error", (error) => this.fail(slot, error, workerData));
    worker.on("exit", (code) => {
      if (!this.closed && code !== 0) this.fail(slot, new Error(`worker exited with code ${code}`), workerData);
    });
    // After the listeners: Node refs a worker again when its first "message" listener is
    // added, and a worker that never got a task would then keep the process alive.
    worker.unref();
    return slot;
  }

  private fail(slot: Slot, error: Error, workerData: unknown): void {
    for (const id of slot.inFlight) {
      this.pending.get(id)?.reject(error);
      this.pending.delete(id);
    }
    slot.inFlight.clear();
    const index = this.slots.indexOf(slot);
    if (index >= 0 && !this.closed) {
      void slot.worker.terminate();
      this.slots[index] = this.spawn(workerData);
      this.dispatch();
    }
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const slot of this.slots) {
        if (slot.inFlight.size < this.perWorker && (!best || slot.inFlight.size < best.inFlight.size)) best = slot;
      }
      if (!best) return;
      const next = this.queue.shift()!;
      best.inFlight.add(next.id);
      best.worker.ref();
      best.worker.postMessage({ id: next.id, task: next.task }, next.transfer);
    }
  }
}

/**
 * Starts a worker on `script`. Built code (.js) loads directly; TypeScript sources (tests,
 * benchmarks run with tsx) first register tsx inside the worker, which does not inherit the
 * parent's loader hooks on Node 20.
 */
export function startWorker(script: URL, workerData: unknown, transferList: readonly TransferListItem[] = []): Worker {
  const options = { workerData, transferList: [...transferList] };
  if (!script.pathname.endsWith(".ts")) return new Worker(script, options);
  const boot = `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(script.href)}); });`;
  return new Worker(boot, { eval: true, ...options });
}

/** The URL of a sibling module, as .ts under tsx or .js once built. */
export function siblingModule(base: string | URL, name: string): URL {
  const ext = String(base).endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./${name}${ext}`, base);
}
