/**
 * Token buckets by name (a key, a person, an organisation, a client address): `rate` tokens a
 * second sustained, up to `burst` at once. Pure: the clock is passed in.
 *
 * The map is bounded. A bucket that has refilled completely is the same as no bucket, so idle
 * ones are swept (at most once a second, and whenever the map passes `maxBuckets`); if the map
 * is still full after a sweep — a flood of requests from ever new addresses — the least
 * recently used buckets go first, which forgives them at worst.
 */

export interface Limit {
  /** Requests per second, sustained. */
  readonly rate: number;
  /** Requests at once (the bucket's size). */
  readonly burst: number;
}

/** What a bucket says after a request: what `RateLimit-*` headers report. */
export interface BucketState {
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the bucket is full again. */
  readonly reset: number;
  /** Seconds until one token is free (0: the request may go). */
  readonly wait: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string | number, Bucket>();
  private sweptAt = 0;

  constructor(
    readonly limit: Limit,
    readonly maxBuckets = 100_000,
  ) {}

  get ratePerSecond(): number {
    return this.limit.rate;
  }

  /** How many buckets are held (for tests of the bound). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes a token for `key`; returns 0 if allowed, else the seconds until one is free. */
  take(key: string | number, now: number): number {
    return this.consume(key, now).wait;
  }

  /**
   * Takes a token for `key` when there is one (`take` false: only looks, and `wait` says
   * whether a request would go).
   */
  consume(key: string | number, now: number, take = true): BucketState {
    this.sweep(now);
    const { rate, burst } = this.limit;
    const b = this.buckets.get(key);
    let tokens = b ? Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate) : burst;
    const wait = tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / rate));
    if (wait === 0 && take) tokens -= 1;
    if (b) this.buckets.delete(key); // re-inserted: the map's order is least recently used first
    if (tokens < burst) this.buckets.set(key, { tokens, at: now });
    return {
      limit: burst,
      remaining: Math.max(0, Math.floor(tokens)),
      reset: Math.ceil((burst - tokens) / rate),
      wait,
    };
  }

  private sweep(now: number): void {
    if (this.buckets.size < this.maxBuckets && now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    const { rate, burst } = this.limit;
    for (const [key, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * rate >= burst) this.buckets.delete(key);
    // Down to nine tenths, so a flood does not pay for a sweep on every request.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxBuckets * 0.9) break;
      this.buckets.delete(key);
    }
  }
}
