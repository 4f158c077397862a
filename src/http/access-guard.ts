/**
 * Who may come in, and how fast: the authentication and rate limits every route goes through
 * (app.ts calls it first, before a body is read).
 *
 * - Credentials are limited per key (or sign-in session), per person and per organisation:
 *   one token bucket each, and a request needs a token from all three, so five sessions or
 *   a hundred keys of one person share the person's limit.
 * - Failed authentication (missing, malformed, wrong, expired or revoked credentials) takes a
 *   token from the client address's bucket; an address with none left gets 429 before its
 *   credential is even looked up — except a credential this process verified moments ago, so
 *   people behind the same address as a flood keep working.
 * - `POST /v1/session` (signing in) is limited per address, right or wrong.
 *
 * Every limited answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
 * (the IETF draft's three-header form, as most APIs send them: the bucket's size, tokens left,
 * seconds until full), of the tightest bucket; a 429 adds `Retry-After`.
 */

import type { FastifyReply, FastifyRequest } from "fastify";
import { DEFAULT_RATE_LIMITS, type RateLimits } from "../config/access-limits.js";
import { addressKey } from "../core/address.js";
import { RasdError, isRasdError } from "../core/errors.js";
import type { AccessService, Principal } from "../services/access.js";
import { RateLimiter, type BucketState } from "./rate-limit.js";

/** The limits: `rateLimits`, or the defaults with `rateLimit` (per key and per person) when given. */
export function limitsOf(options: { rateLimits?: RateLimits; rateLimit?: number }): RateLimits {
  if (options.rateLimits) return options.rateLimits;
  const r = options.rateLimit;
  return r
    ? { ...DEFAULT_RATE_LIMITS, key: { rate: r, burst: r * 2 }, person: { rate: r, burst: r * 2 } }
    : DEFAULT_RATE_LIMITS;
}

export function setRateLimitHeaders(reply: FastifyReply, state: BucketState): void {
  void reply.header("ratelimit-limit", String(state.limit));
  void reply.header("ratelimit-remaining", String(state.remaining));
  void reply.header("ratelimit-reset", String(state.reset));
  if (state.wait > 0) void reply.header("retry-after", String(state.wait));
}

export class AccessGuard {
  private readonly key: RateLimiter;
  private readonly person: RateLimiter;
  private readonly org: RateLimiter;
  private readonly failures: RateLimiter;
  private readonly signIns: RateLimiter;

  constructor(
    private readonly access: AccessService,
    readonly limits: RateLimits,
    private readonly clock: () => number = Date.now,
  ) {
    this.key = new RateLimiter(limits.key);
    this.person = new RateLimiter(limits.person);
    this.org = new RateLimiter(limits.org);
    this.failures = new RateLimiter(limits.failedAuth);
    this.signIns = new RateLimiter(limits.signIn);
  }

  /** Limits a sign-in (`POST /v1/session`) per client address. */
  signIn(req: FastifyRequest, reply: FastifyReply): void {
    const state = this.signIns.consume(addressKey(req.ip), this.clock());
    setRateLimitHeaders(reply, state);
    if (state.wait > 0)
      throw new RasdError(
        "rate_limited",
        `too many sign-ins from this address (${this.limits.signIn.rate}/s); try again in ${state.wait} s`,
      );
  }

  /**
   * The principal behind the request's credential (`token()` reads it and may throw), within
   * its limits; otherwise the authentication error or a 429.
   */
  async authenticate(req: FastifyRequest, reply: FastifyReply, token: () => string): Promise<Principal> {
    const address = addressKey(req.ip);
    let who: Principal;
    try {
      const credential = token();
      const blocked = this.failures.consume(address, this.clock(), false);
      if (blocked.wait > 0 && !this.access.isVerified(credential)) {
        setRateLimitHeaders(reply, blocked);
        throw new RasdError(
          "rate_limited",
          `too many failed authentications from this address (${this.limits.failedAuth.rate}/s); try again in ${blocked.wait} s`,
        );
      }
      who = await this.access.authenticate(credential);
    } catch (error) {
      if (isRasdError(error) && error.code.startsWith("auth.")) this.failures.consume(address, this.clock());
      throw error;
    }
    this.within(who, reply);
    return who;
  }

  /** Takes a token from the caller's key, person and organisation buckets, or throws 429. */
  private within(who: Principal, reply: FastifyReply): void {
    const now = this.clock();
    const scopes = [
      { limiter: this.key, id: who.keyId, name: who.sessionId === undefined ? "key" : "session" },
      { limiter: this.person, id: who.personId, name: "person" },
      { limiter: this.org, id: who.orgId, name: "organisation" },
    ];
    const peeks = scopes.map((s) => s.limiter.consume(s.id, now, false));
    const full = peeks.findIndex((p) => p.wait > 0);
    if (full >= 0) {
      const scope = scopes[full]!;
      setRateLimitHeaders(reply, peeks[full]!);
      throw new RasdError(
        "rate_limited",
        `rate limit of ${scope.limiter.ratePerSecond} requests/s for this ${scope.name} exceeded`,
      );
    }
    let tightest: BucketState | undefined;
    for (const s of scopes) {
      const state = s.limiter.consume(s.id, now);
      if (!tightest || state.remaining < tightest.remaining) tightest = state;
    }
    if (tightest) setRateLimitHeaders(reply, tightest);
  }
}
