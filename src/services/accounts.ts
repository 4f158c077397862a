/**
 * People who sign in to the web app: passwords (scrypt, with the salt and parameters in the
 * stored string, compared in constant time) and sessions. A session token looks like an API
 * key (`rasds_<prefix>_<secret>`), is stored hashed the same way, expires (12 hours by
 * default) and ends on sign-out. Signing in with an API key makes a session too, so the
 * browser never keeps the key; such a session ends when the key is revoked.
 *
 * Failed sign-ins back off per address and per account (sign-in-guard.ts), every failure gets
 * the same answer, and failures and back-offs go to the organisation's audit log.
 */

import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { RasdError } from "../core/errors.js";
import { addressKey } from "../core/address.js";
import { ROLE_PERMISSIONS, type Permission, type Role } from "../core/roles.js";
import type { AccountStore, SignalStore } from "../storage/ports/index.js";
import { SESSION_TOKEN_PREFIX, type AccessService, type Principal } from "./access.js";
import { SignInGuard, accountName, type Refusal } from "./sign-in-guard.js";

const SESSION_TOKEN = /^rasds_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const API_KEY = /^rasd_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/;

/** The one answer to every failed sign-in: it tells nobody which part was wrong. */
export const SIGN_IN_FAILED = "sign-in failed: the organisation, person and password (or the API key) do not match";

export const MIN_PASSWORD = 10;
export const MAX_PASSWORD = 1024;

/** scrypt cost: N = 2^15, r = 8, p = 1 (OWASP's minimum for scrypt), 32-byte key. */
const COST = { N: 32768, r: 8, p: 1 } as const;

function scryptAsync(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

const maxmem = (N: number, r: number): number => 128 * N * r * 2;

/** `scrypt$N$r$p$salt$key` (salt and key in base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, 32, { ...COST, maxmem: maxmem(COST.N, COST.r) });
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** True when `password` is the one behind `stored`; false for anything malformed. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((x) => Number.isInteger(x) && x > 0) || N > 2 ** 20) return false;
  const salt = Buffer.from(parts[4]!, "base64url");
  const expected = Buffer.from(parts[5]!, "base64url");
  if (expected.length < 16) return false;
  const key = await scryptAsync(password, salt, expected.length, { N, r, p, maxmem: maxmem(N, r) });
  return timingSafeEqual(key, expected);
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** The answer to an attempt made while backing off: 429, with when to try again. */
function refused(r: Refusal): RasdError & { retryAfter: number } {
  const error =
    r.scope === "address"
      ? new RasdError("rate_limited", `too many failed sign-ins from this address; try again in ${r.retryAfter} s`)
      : new RasdError("auth.locked", `too many failed sign-ins for this account; try again in ${r.retryAfter} s`);
  return Object.assign(error, { retryAfter: r.retryAfter });
}

export interface SignedIn {
  readonly token: string;
  readonly expiresAt: number;
  readonly principal: Principal;
}

/** Who the caller is, as the web app shows it (and what their role lets them do). */
/** The caller as the API shows it: person, organisation and the permissions of their role. */
export function meView(p: Principal): {
  person: { id: number; name: string; role: string };
  org: { id: number; name: string };
  permissions: Permission[];
} {
  return {
    person: { id: p.personId, name: p.personName, role: p.role },
    org: { id: p.orgId, name: p.orgName },
    permissions: [...ROLE_PERMISSIONS[p.role]] as Permission[],
  };
}

/** Who tried to sign in, for the audit log. */
interface Attempt {
  readonly org: string;
  readonly person: string;
  readonly source: string;
  readonly account?: string;
}

export class AccountService {
  readonly guard: SignInGuard;
  /** A hash to compare against when the person does not exist, so both take as long. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: AccountStore,
    private readonly access: AccessService,
    private readonly signals: Pick<SignalStore, "getOrg" | "getOrgByName">,
    private readonly options: { sessionMs?: number; guard?: SignInGuard; now?: () => number } = {},
  ) {
    this.guard = options.guard ?? new SignInGuard();
    access.sessions = (token) => this.verify(token);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  get sessionMs(): number {
    return this.options.sessionMs ?? 12 * 3600_000;
  }

  async setPassword(personId: number, password: string): Promise<void> {
    if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD)
      throw new RasdError("invalid", `password: ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`);
    await this.store.setPasswordHash(personId, await hashPassword(password));
    await this.store.revokeSessionsOf(personId);
  }

  /**
   * Disables a person: their password is cleared, every session and API key of theirs ends at
   * once in this process (in others when the key revocation notice reaches them). Their past
   * actions stay in the audit log under their name; an admin re-enables them by setting a
   * password or creating a key. Answers how many keys were revoked.
   */
  async disable(personId: number): Promise<number> {
    await this.store.setPasswordHash(personId, null);
    await this.store.revokeSessionsOf(personId);
    const person = await this.access.store.getPerson(personId);
    let revoked = 0;
    if (person)
      for (const k of await this.access.listKeys(person.orgId))
        if (k.person.id === personId && k.revokedAt === null) {
          await this.access.revokeKey(k.keyId);
          revoked++;
        }
    // Sessions are cached a few seconds: drop them so the next request is refused.
    this.access.forgetKeys();
    return revoked;
  }

  /**
   * Gives a person another role of their organisation. Their API keys act with it at once (the
   * keys' cached verifications are dropped here and, through the change notice, in every other
   * process); their sessions end, so the web app signs them in again with the new role's screens.
   */
  async setRole(personId: number, role: Role): Promise<void> {
    await this.access.store.setPersonRole(personId, role);
    await this.store.revokeSessionsOf(personId);
    this.access.forgetKeys();
    this.access.onInvalidate?.("keys");
  }

  /** Whether the person named `name` of `orgName` has a password (may sign in to the web app). */
  async hasPassword(orgName: string, name: string): Promise<boolean> {
    const p = await this.store.findPerson(orgName, name);
    return p !== undefined && p.passwordHash !== null;
  }

  /** Signs a person in with their password; throws a 401 (or a 429 after too many failures). */
  async signInWithPassword(orgName: string, personName: string, password: string, source: string): Promise<SignedIn> {
    const attempt = { org: orgName, person: personName, source, account: accountName(orgName, personName) };
    this.throttle(attempt);
    const person = await this.store.findPerson(orgName, personName);
    this.dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
    const ok = await verifyPassword(password, person?.passwordHash ?? (await this.dummyHash));
    if (!person || !person.passwordHash || !ok) return this.failed(attempt);
    this.guard.succeeded(addressKey(source), attempt.account, this.now());
    return this.open(person.id, null, source);
  }

  /** Exchanges an API key for a session (the browser then holds the session, not the key). */
  async signInWithKey(apiKey: string, source: string): Promise<SignedIn> {
    const attempt = { org: "", person: "", source };
    this.throttle(attempt);
    if (!API_KEY.test(apiKey)) return this.failed(attempt);
    let who: Principal;
    try {
      who = await this.access.authenticate(apiKey);
    } catch {
      return this.failed(attempt);
    }
    return this.open(who.personId, who.keyId, source);
  }

  /** Ends the caller's session (nothing to end for a caller with an API key). */
  async signOut(who: Principal, token: string): Promise<void> {
    if (who.sessionId === undefined) return;
    await this.store.revokeSession(who.sessionId);
    this.access.forgetToken(token);
  }

  /** Refuses an attempt while its address or account is backing off (the lockout is audited when it starts). */
  private throttle(attempt: Attempt): void {
    const refusal = this.guard.check(addressKey(attempt.source), attempt.account, this.now());
    if (refusal) throw refused(refusal);
  }

  private async failed(attempt: Attempt): Promise<never> {
    const failure = this.guard.failed(addressKey(attempt.source), attempt.account, this.now());
    await this.auditFailure(attempt, failure.backoff, {
      address_failures: failure.addressFailures,
      ...(attempt.account !== undefined ? { account_failures: failure.accountFailures } : {}),
    });
    throw new RasdError("auth.invalid", SIGN_IN_FAILED);
  }

  /**
   * A failed sign-in (and the back-off it starts) in the audit log of the organisation named,
   * when there is one; otherwise in the log of no organisation (orgId null).
   */
  private async auditFailure(attempt: Attempt, backoff: Refusal | undefined, detail: Record<string, unknown>) {
    const org = attempt.org ? await this.signals.getOrgByName(attempt.org) : undefined;
    const person = org ? await this.store.findPerson(attempt.org, attempt.person) : undefined;
    const base = {
      orgId: org?.id ?? null,
      personId: person?.id ?? null,
      actor: "anonymous",
      target: person
        ? `person:${person.id}`
        : attempt.person
          ? `sign-in:${attempt.person.slice(0, 100)}`
          : "sign-in:api-key",
      source: attempt.source,
    };
    const how = { with: attempt.account !== undefined ? "password" : "api-key", ...detail };
    await this.access.audit({ ...base, action: "session.fail", detail: how });
    if (backoff)
      await this.access.audit({
        ...base,
        action: "session.lockout",
        detail: { ...how, scope: backoff.scope, retry_after_s: backoff.retryAfter },
      });
  }

  private async open(personId: number, keyId: number | null, source: string): Promise<SignedIn> {
    const prefix = randomBytes(8).toString("hex");
    const secret = randomBytes(32).toString("base64url");
    const expiresAt = Date.now() + this.sessionMs;
    await this.store.createSession({
      personId,
      keyId,
      prefix,
      secretHash: sha256(secret).toString("hex"),
      expiresAt,
      source: source.slice(0, 100),
    });
    const token = `${SESSION_TOKEN_PREFIX}${prefix}_${secret}`;
    return { token, expiresAt, principal: (await this.verify(token)).principal };
  }

  /** The principal behind a session token, or an "auth.invalid" error. */
  async verify(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    const m = SESSION_TOKEN.exec(token);
    if (!m) throw new RasdError("auth.invalid", "the session token is malformed");
    const record = await this.store.findSession(m[1]!);
    const ok =
      record !== undefined &&
      timingSafeEqual(Buffer.from(record.secretHash, "hex"), sha256(m[2]!)) &&
      !record.revoked &&
      record.expiresAt > Date.now();
    if (!ok || !record)
      throw new RasdError("auth.invalid", "the session is not valid (unknown, expired or signed out): sign in again");
    const org = await this.signals.getOrg(record.person.orgId);
    return {
      expiresAt: record.expiresAt,
      principal: {
        keyId: -record.sessionId,
        sessionId: record.sessionId,
        orgId: record.person.orgId,
        personId: record.person.id,
        role: record.person.role,
        personName: record.person.name,
        orgName: org?.name ?? "?",
      },
    };
  }
}
