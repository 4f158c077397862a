/**
 * Backpressure: submissions are refused (503 busy.backlog, with Retry-After) while more
 * than `limit` content jobs wait or run, so that a backlog the workers cannot drain stops
 * growing instead of pushing every item's latency up for everyone.
 *
 * The depth is counted in the database (the record of what is owed, whichever process
 * accepted the work), at most once every `refreshMs`, and only while submissions arrive;
 * a burst may overshoot the limit by what arrives in that time. A count costs in proportion
 * to the backlog (38 ms a count under 100,000 jobs on a loaded machine, on the thread that
 * answers HTTP), so the next one waits at least `COUNT_SHARE` times as long as the last took:
 * the guard spends at most about 1/COUNT_SHARE of the thread however deep the backlog.
 */

/** The count waits at least this many times its own last duration. */
const COUNT_SHARE = 20;

import { RasdError } from "../core/errors.js";

export class BacklogGuard {
  private depth = 0;
  private checkedAt = -Infinity;
  /** How long the last count took (ms). */
  private tookMs = 0;
  private counting: Promise<void> | undefined;

  constructor(
    /** Pending content jobs (queued or running). */
    private readonly count: () => Promise<number>,
    /** Beyond this many, submissions are refused; 0: never. */
    readonly limit: number,
    private readonly refreshMs = 250,
  ) {}

  /** The depth last counted. */
  get lastDepth(): number {
    return this.depth;
  }

  /** When the next submission will count again (ms since the epoch). */
  get nextCountAt(): number {
    return this.checkedAt + Math.max(this.refreshMs, COUNT_SHARE * this.tookMs);
  }

  /** Throws busy.backlog when the last count (at most `refreshMs` old) is over the limit. */
  async check(): Promise<void> {
    if (this.limit <= 0) return;
    if (Date.now() >= this.nextCountAt) {
      const started = performance.now();
      this.counting ??= this.count()
        .then((n) => {
          this.depth = n;
          this.checkedAt = Date.now();
          this.tookMs = performance.now() - started;
        })
        .finally(() => (this.counting = undefined));
      await this.counting;
    }
    if (this.depth > this.limit)
      throw new RasdError(
        "busy.backlog",
        `${this.depth} items are waiting to be processed, over the limit of ${this.limit} (RASD_MAX_BACKLOG); ` +
          "submit again after the Retry-After delay",
      );
  }
}

/** The pending content jobs in a `JobQueue.counts()` answer. */
export function pendingContent(counts: Record<string, number>): number {
  return (counts["content.queued"] ?? 0) + (counts["content.running"] ?? 0);
}
