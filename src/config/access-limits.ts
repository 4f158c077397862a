/**
 * Rate limits and the trusted proxy, parsed once (config.ts calls these). A limit is written
 * `RATE` or `RATE:BURST` (requests per second sustained, and at once); `RATE` alone allows a
 * burst of twice the rate. docs/access-control.md explains the defaults.
 */

import { isIP } from "node:net";
import { RasdError } from "../core/errors.js";

export interface RateLimitSetting {
  readonly rate: number;
  readonly burst: number;
}

/** Every limit the API applies; each is a token bucket. */
export interface RateLimits {
  /** Per API key, and per sign-in session (each is a credential). */
  readonly key: RateLimitSetting;
  /** Per person, over all their keys and sessions. */
  readonly person: RateLimitSetting;
  /** Per organisation, over all its people. */
  readonly org: RateLimitSetting;
  /** Requests with a wrong, unknown, expired or revoked credential, per client address. */
  readonly failedAuth: RateLimitSetting;
  /** `POST /v1/session` (signing in), right or wrong, per client address. */
  readonly signIn: RateLimitSetting;
}

/**
 * The defaults. A platform's integration bursts: the service bench sends 32,000 items from one
 * key at about 6,700 a second on two cores, so the burst is large and the sustained rate is
 * what a stolen key or a runaway script is held to. An organisation may use two and a half
 * keys' worth. Wrong credentials and sign-ins are a few a second per address.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = Object.freeze({
  key: { rate: 2_000, burst: 40_000 },
  person: { rate: 2_000, burst: 40_000 },
  org: { rate: 5_000, burst: 100_000 },
  failedAuth: { rate: 5, burst: 50 },
  signIn: { rate: 2, burst: 20 },
});

const MAX_RATE = 10_000_000;

/** `RATE` or `RATE:BURST`; `what` names the setting in the error. */
export function parseLimit(value: string | number, what: string): RateLimitSetting {
  const m = /^\s*(\d+)\s*(?::\s*(\d+)\s*)?$/.exec(String(value));
  const rate = m ? Number(m[1]) : NaN;
  const burst = m?.[2] !== undefined ? Number(m[2]) : rate * 2;
  if (!m || !(rate >= 1 && rate <= MAX_RATE) || !(burst >= 1 && burst <= MAX_RATE * 100))
    throw new RasdError(
      "usage",
      `${what}: expected RATE or RATE:BURST (requests/s, 1..${MAX_RATE}; burst 1..${MAX_RATE * 100}), got "${value}"`,
    );
  return { rate, burst };
}

export interface RateLimitInputs {
  readonly key?: string | number | undefined;
  readonly person?: string | number | undefined;
  readonly org?: string | number | undefined;
  readonly failedAuth?: string | number | undefined;
  readonly signIn?: string | number | undefined;
}

/**
 * The limits from their settings. The per-person limit follows the per-key one when only that
 * is set (`--rate-limit 50` then holds five sessions of one person to 50/s together, not 250).
 */
export function rateLimits(input: RateLimitInputs): RateLimits {
  const key = input.key !== undefined && input.key !== "" ? parseLimit(input.key, "rate limit per key") : undefined;
  const pick = (v: string | number | undefined, what: string, fallback: RateLimitSetting): RateLimitSetting =>
    v !== undefined && v !== "" ? parseLimit(v, what) : fallback;
  return Object.freeze({
    key: key ?? DEFAULT_RATE_LIMITS.key,
    person: pick(input.person, "rate limit per person", key ?? DEFAULT_RATE_LIMITS.person),
    org: pick(input.org, "rate limit per organisation", DEFAULT_RATE_LIMITS.org),
    failedAuth: pick(input.failedAuth, "failed-authentication limit per address", DEFAULT_RATE_LIMITS.failedAuth),
    signIn: pick(input.signIn, "sign-in limit per address", DEFAULT_RATE_LIMITS.signIn),
  });
}

const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * The proxies whose `X-Forwarded-For` is believed: a comma-separated list of addresses, CIDRs
 * (`10.0.0.0/8`, `fd00::/8`) or proxy-addr's names (loopback, linklocal, uniquelocal). Empty:
 * none (the peer's address is the client's).
 */
export function parseTrustProxy(value: string | undefined): readonly string[] {
  if (value === undefined || value.trim() === "") return [];
  const out: string[] = [];
  for (const raw of value.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const [address, bits, extra] = entry.split("/");
    const family = isIP(address ?? "");
    const okBits =
      bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32) && extra === undefined);
    if (!PROXY_NAMES.has(entry) && (family === 0 || !okBits))
      throw new RasdError(
        "usage",
        `trusted proxy: "${entry}" is not an address, a CIDR (10.0.0.0/8) or one of loopback, linklocal, uniquelocal`,
      );
    out.push(entry);
  }
  return Object.freeze(out);
}
