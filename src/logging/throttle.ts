/**
 * One log line for a condition that repeats (a full disk fails every write): the first time
 * it is logged, then at most once per `everyMs` with how many times it happened in between,
 * so a flood of failing requests is one line a minute, not one line each.
 */

import type { Logger } from "./logger.js";

export class LogThrottle {
  private lastAt = -Infinity;
  private since = 0;

  constructor(private readonly everyMs = 60_000) {}

  /** Logs `msg` at error level on `log` unless it was logged less than `everyMs` ago. */
  error(log: Logger, fields: Record<string, unknown>, msg: string, now = Date.now()): void {
    if (now - this.lastAt < this.everyMs) {
      this.since++;
      return;
    }
    log.error({ ...fields, ...(this.since > 0 ? { repeatedSinceLastLine: this.since } : {}) }, msg);
    this.lastAt = now;
    this.since = 0;
  }
}
