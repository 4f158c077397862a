/**
 * Concurrency gates for the expensive media work: at most `limit` image decodes (or video
 * hashes) at once in this thread. Requests wait in a short queue for at most `waitMs`; when
 * the queue is full, or the wait runs out, they are refused with `busy.decode` /
 * `busy.video` (HTTP 503 with Retry-After) rather than piling up decoded images in memory.
 * Jobs the pipeline has already accepted wait their turn instead: they are never refused.
 */

import { RasdError } from "../core/errors.js";
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from "./limits.js";

export interface GateSettings {
  /** Image decodes (with their PDQ hash) at once. */
  readonly decodes: number;
  /** Video hashes (FFmpeg and vPDQ) at once. */
  readonly videos: number;
  /** Requests that may wait for a slot, per gate; more are refused at once. */
  readonly queue: number;
  /** How long a request waits for a slot before it is refused. */
  readonly waitMs: number;
}

export const DEFAULT_GATE_SETTINGS: GateSettings = Object.freeze({ decodes: 2, videos: 2, queue: 4, waitMs: 2000 });

/** `request`: bounded wait, then `busy.*`; `job`: waits as long as it takes. */
export type WaitMode = "request" | "job";

interface Waiter {
  readonly start: () => void;
  readonly request: boolean;
  timer?: NodeJS.Timeout;
}

export class Gate {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly code: "busy.decode" | "busy.video",
    private readonly what: string,
    private limit: number,
    private queue: number,
    private waitMs: number,
  ) {}

  configure(limit: number, queue: number, waitMs: number): void {
    this.limit = limit;
    this.queue = queue;
    this.waitMs = waitMs;
    this.drain();
  }

  /** Slots taken and requests or jobs waiting now. */
  get state(): { readonly running: number; readonly waiting: number; readonly limit: number } {
    return { running: this.running, waiting: this.waiting.length, limit: this.limit };
  }

  /** Runs `fn` when a slot is free (see {@link WaitMode}). */
  async run<T>(fn: () => Promise<T>, mode: WaitMode): Promise<T> {
    await this.acquire(mode);
    try {
      return await fn();
    } finally {
      this.running--;
      this.drain();
    }
  }

  private acquire(mode: WaitMode): Promise<void> {
    if (this.running < this.limit && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    const request = mode === "request";
    if (request && this.waiting.filter((w) => w.request).length >= this.queue) return Promise.reject(this.busy());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { start: resolve, request };
      if (request)
        waiter.timer = setTimeout(() => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(this.busy());
        }, this.waitMs);
      this.waiting.push(waiter);
    });
  }

  private drain(): void {
    while (this.running < this.limit && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      clearTimeout(next.timer);
      this.running++;
      next.start();
    }
  }

  private busy(): RasdError {
    return new RasdError(
      this.code,
      `busy: ${this.limit} ${this.what} already running and ${this.queue} waiting in this process; try again shortly`,
    );
  }
}

/** This thread's gates, configured once from the service's settings (see configureGates). */
export const gates = {
  image: new Gate(
    "busy.decode",
    "image decodes",
    DEFAULT_GATE_SETTINGS.decodes,
    DEFAULT_GATE_SETTINGS.queue,
    DEFAULT_GATE_SETTINGS.waitMs,
  ),
  video: new Gate(
    "busy.video",
    "video hashes",
    DEFAULT_GATE_SETTINGS.videos,
    DEFAULT_GATE_SETTINGS.queue,
    DEFAULT_GATE_SETTINGS.waitMs,
  ),
};

let limits: ImageLimits = DEFAULT_IMAGE_LIMITS;

/** This thread's gates and decoding budget, from the service's settings (called by openServices). */
export function configureGates(settings: GateSettings & { readonly maxDecodedBytes?: number }): void {
  gates.image.configure(settings.decodes, settings.queue, settings.waitMs);
  gates.video.configure(settings.videos, settings.queue, settings.waitMs);
  limits = Object.freeze({
    ...DEFAULT_IMAGE_LIMITS,
    maxDecodedBytes: settings.maxDecodedBytes ?? DEFAULT_IMAGE_LIMITS.maxDecodedBytes,
  });
}

/** The image limits the service decodes with (the decoding budget as configured). */
export function serviceImageLimits(): ImageLimits {
  return limits;
}

/** Seconds a refused client should wait before trying again (the Retry-After header). */
export const BUSY_RETRY_AFTER_SECONDS = 2;
