/**
 * Exponential back-off by name (a client address, an account): after `free` failures each
 * further attempt must wait `baseMs`, doubling with every failure up to `maxMs`, counted
 * from the last failure. Failures are forgotten `forgetMs` after the last one, or on `reset`.
 * Attempts refused while waiting are not failures (they were never checked), so hammering
 * does not lengthen the wait. Pure: the clock is passed in. Bounded: at most `maxEntries`
 * names, forgotten ones swept first, then the least recently failed.
 */

export interface BackoffPolicy {
  readonly free: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly forgetMs: number;
}

interface Entry {
  failures: number;
  at: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly policy: BackoffPolicy,
    readonly maxEntries = 100_000,
  ) {}

  /** The wait after `failures` failures, ms. */
  delayAfter(failures: number): number {
    const { free, baseMs, maxMs } = this.policy;
    return failures < free ? 0 : Math.min(maxMs, baseMs * 2 ** Math.min(failures - free, 40));
  }

  private live(name: string, now: number): Entry | undefined {
    const e = this.entries.get(name);
    if (e && now - e.at >= this.policy.forgetMs) {
      this.entries.delete(name);
      return undefined;
    }
    return e;
  }

  failures(name: string, now: number): number {
    return this.live(name, now)?.failures ?? 0;
  }

  /** Milliseconds before `name` may try again (0: now). */
  wait(name: string, now: number): number {
    const e = this.live(name, now);
    return e ? Math.max(0, e.at + this.delayAfter(e.failures) - now) : 0;
  }

  /** Records a failure (`weight` 0 counts nothing); returns the wait it starts, ms. */
  fail(name: string, now: number, weight = 1): number {
    const e = this.live(name, now) ?? { failures: 0, at: now };
    e.failures += weight;
    e.at = now;
    this.entries.delete(name);
    if (this.entries.size >= this.maxEntries) this.evict(now);
    this.entries.set(name, e);
    return this.delayAfter(e.failures);
  }

  reset(name: string): void {
    this.entries.delete(name);
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(now: number): void {
    for (const [name, e] of this.entries) if (now - e.at >= this.policy.forgetMs) this.entries.delete(name);
    for (const name of this.entries.keys()) {
      if (this.entries.size < this.maxEntries * 0.9) break;
      this.entries.delete(name);
    }
  }
}
