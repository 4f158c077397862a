/**
 * Failed sign-ins, slowed without letting an attacker lock anyone out for long.
 *
 * - Per client address (any account): ten failures, then a wait of a minute doubling to
 *   fifteen — a single address guessing, or spraying one password over many accounts.
 * - Per account (organisation + person, whether it exists or not, so the answer reveals
 *   nothing): five failures, then a wait of a second doubling to a minute — guessing from many
 *   addresses. One address adds at most three failures to an account's count (a counter per
 *   address and account), so one attacker cannot put a victim's account into back-off, and
 *   the wait never passes a minute, so the right password from a new address waits at most
 *   that long. An address the account signed in from before (the last 30 days, in this
 *   process) is not held by the account's back-off at all, only by its own.
 *
 * Counters live in memory, per process: behind a load balancer each process counts its own
 * share, and the client address must be the real one (`--trust-proxy`).
 */

import { Backoff, type BackoffPolicy } from "./backoff.js";

export const ADDRESS_BACKOFF: BackoffPolicy = { free: 10, baseMs: 60_000, maxMs: 15 * 60_000, forgetMs: 3_600_000 };
export const ACCOUNT_BACKOFF: BackoffPolicy = { free: 5, baseMs: 1_000, maxMs: 60_000, forgetMs: 3_600_000 };
/** The most failures one address adds to an account's count. */
export const ADDRESS_SHARE = 3;
/** How long a successful sign-in makes an address known to the account. */
export const KNOWN_ADDRESS_MS = 30 * 86_400_000;
const KNOWN_PER_ACCOUNT = 16;
const MAX_ACCOUNTS = 100_000;

export interface Refusal {
  readonly scope: "address" | "account";
  /** Whole seconds, at least 1. */
  readonly retryAfter: number;
}

export interface Failure {
  readonly addressFailures: number;
  readonly accountFailures: number;
  /** The wait this failure starts, if it starts one. */
  readonly backoff?: Refusal;
}

export class SignInGuard {
  readonly addresses: Backoff;
  readonly accounts: Backoff;
  private readonly pairs = new Backoff({ ...ACCOUNT_BACKOFF, free: Number.POSITIVE_INFINITY });
  private readonly known = new Map<string, Map<string, number>>();

  constructor(
    addressPolicy: BackoffPolicy = ADDRESS_BACKOFF,
    accountPolicy: BackoffPolicy = ACCOUNT_BACKOFF,
    readonly addressShare = ADDRESS_SHARE,
  ) {
    this.addresses = new Backoff(addressPolicy);
    this.accounts = new Backoff(accountPolicy);
  }

  /** Why `address` may not try `account` now, or undefined. */
  check(address: string, account: string | undefined, now: number): Refusal | undefined {
    const byAddress = this.addresses.wait(address, now);
    if (byAddress > 0) return { scope: "address", retryAfter: Math.max(1, Math.ceil(byAddress / 1000)) };
    if (account === undefined || this.isKnown(account, address, now)) return undefined;
    const byAccount = this.accounts.wait(account, now);
    if (byAccount > 0) return { scope: "account", retryAfter: Math.max(1, Math.ceil(byAccount / 1000)) };
    return undefined;
  }

  failed(address: string, account: string | undefined, now: number): Failure {
    const addressWait = this.addresses.fail(address, now);
    let accountWait = 0;
    let accountFailures = 0;
    if (account !== undefined) {
      const pair = `${address}\u0000${account}`;
      const share = this.pairs.failures(pair, now);
      this.pairs.fail(pair, now);
      accountWait = this.accounts.fail(account, now, share < this.addressShare ? 1 : 0);
      accountFailures = this.accounts.failures(account, now);
    }
    const backoff: Refusal | undefined =
      addressWait > 0
        ? { scope: "address", retryAfter: Math.ceil(addressWait / 1000) }
        : accountWait > 0
          ? { scope: "account", retryAfter: Math.ceil(accountWait / 1000) }
          : undefined;
    return {
      addressFailures: this.addresses.failures(address, now),
      accountFailures,
      ...(backoff ? { backoff } : {}),
    };
  }

  /** The right password: the account's failures are forgotten and the address becomes known to it. */
  succeeded(address: string, account: string, now: number): void {
    this.accounts.reset(account);
    this.pairs.reset(`${address}\u0000${account}`);
    let known = this.known.get(account);
    if (!known) {
      if (this.known.size >= MAX_ACCOUNTS) this.known.delete(this.known.keys().next().value!);
      this.known.set(account, (known = new Map()));
    }
    known.delete(address);
    known.set(address, now);
    if (known.size > KNOWN_PER_ACCOUNT) known.delete(known.keys().next().value!);
  }

  private isKnown(account: string, address: string, now: number): boolean {
    const at = this.known.get(account)?.get(address);
    return at !== undefined && now - at < KNOWN_ADDRESS_MS;
  }
}

/** The counters' name for an account: organisation and person, as typed, case-folded. */
export function accountName(org: string, person: string): string {
  return `${org.trim().toLowerCase()}\u0000${person.trim().toLowerCase()}`;
}
