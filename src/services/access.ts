/**
 * Who is calling, and what they may see. API keys look like `rasd_<prefix>_<secret>`:
 * the prefix finds the key's row, the secret is checked against its stored SHA-256 in
 * constant time. Verified keys are cached for a few seconds; revoking one drops it from every
 * process's cache (see `revokeKey`). Bank visibility follows core/sharing.ts.
 *
 * A key may expire (at most `MAX_KEY_LIFETIME_MS` after it is made) and be rotated: a new
 * secret for the same key, the old one still working for an overlap (`DEFAULT_ROTATION_OVERLAP_MS`,
 * at most `MAX_ROTATION_OVERLAP_MS`) or not at all. Its last use is written at most once a
 * minute per process (`LAST_USED_EVERY_MS`), not on every request.
 */

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { RasdError } from "../core/errors.js";
import type { Bank, Org } from "../core/model.js";
import { isRole, type Role } from "../core/roles.js";
import { NO_SHARING, canSeeBank, type BankSharing, type Viewer } from "../core/sharing.js";
import type { AccessStore, AuditEntry, KeyInfo, Person, SignalStore } from "../storage/ports/index.js";

export interface Principal extends Viewer {
  readonly keyId: number;
  readonly personName: string;
  readonly orgName: string;
  /** Set when the caller signed in (services/accounts.ts) rather than sending an API key. */
  readonly sessionId?: number;
}

/** Sign-in session tokens start with this (API keys with "rasd_"). */
export const SESSION_TOKEN_PREFIX = "rasds_";

export interface NewKey {
  /** The whole key: shown once, never stored. */
  readonly token: string;
  readonly keyId: number;
  readonly person: Person;
}

const TOKEN = /^rasd_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

const DAY_MS = 86_400_000;
/** The longest a key may live: a year and a day. */
export const MAX_KEY_LIFETIME_MS = 366 * DAY_MS;
/** The shortest expiry a key may be given. */
export const MIN_KEY_LIFETIME_MS = 60_000;
/** How long a rotated key's old secret keeps working unless told otherwise. */
export const DEFAULT_ROTATION_OVERLAP_MS = 3_600_000;
export const MAX_ROTATION_OVERLAP_MS = 7 * DAY_MS;
/** A key's last use is written at most this often (per key and process). */
export const LAST_USED_EVERY_MS = 60_000;

export interface KeyOptions {
  /** A label for people ("ingest, eu-west"). */
  readonly name?: string;
  /** Epoch ms; validated by `keyExpiry`. */
  readonly expiresAt?: number;
  /** The person who created it (none: an operator with the CLI). */
  readonly createdBy?: number;
}

/**
 * When a new key expires, from `expiresIn` (seconds) or `expiresAt` (epoch ms), or undefined
 * for neither; "invalid" when both are given, it is past, too soon or too far.
 */
export function keyExpiry(when: { expiresIn?: number; expiresAt?: number }, now = Date.now()): number | undefined {
  if (when.expiresIn !== undefined && when.expiresAt !== undefined)
    throw new RasdError("invalid", "give expires_in or expires_at, not both");
  const at = when.expiresIn !== undefined ? now + when.expiresIn * 1000 : when.expiresAt;
  if (at === undefined) return undefined;
  const field = when.expiresIn !== undefined ? "expires_in" : "expires_at";
  if (!Number.isFinite(at) || at - now < MIN_KEY_LIFETIME_MS)
    throw new RasdError("invalid", `${field}: a key must live at least ${MIN_KEY_LIFETIME_MS / 1000} s from now`);
  if (at - now > MAX_KEY_LIFETIME_MS)
    throw new RasdError("invalid", `${field}: a key may live at most ${MAX_KEY_LIFETIME_MS / DAY_MS} days`);
  return at;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

export function describePrincipal(p: Principal): string {
  return `${p.personName} (${p.role}, ${p.orgName})`;
}

export class AccessService {
  private readonly keyCache = new Map<string, { principal: Principal; until: number }>();
  private sharingCache: { at: number; banks: Map<number, Bank>; sharing: Map<number, BankSharing> } | undefined;

  constructor(
    readonly store: AccessStore,
    private readonly signals: SignalStore,
    private readonly options: { cacheMs?: number } = {},
  ) {}

  /** Creates a person (if new) with `role` in `orgName` and a key for them. */
  async createKey(org: Org, role: string, personName?: string, options: KeyOptions = {}): Promise<NewKey> {
    if (!isRole(role))
      throw new RasdError("invalid", `role: "${role}" is not one of admin, curator, reviewer, submitter, reader`);
    const name = personName ?? `${role}-${randomBytes(3).toString("hex")}`;
    const person = (await this.store.listPeople(org.id)).find((p) => p.name === name);
    if (person && person.role !== role)
      throw new RasdError("conflict", `${name} in ${org.name} already has the role ${person.role}, not ${role}`);
    const owner = person ?? (await this.store.createPerson(org.id, name, role as Role));
    const prefix = randomBytes(6).toString("hex");
    const secret = randomBytes(32).toString("base64url");
    const keyId = await this.store.createKey(owner.id, prefix, sha256(secret).toString("hex"), options);
    return { token: `rasd_${prefix}_${secret}`, keyId, person: owner };
  }

  /** An organisation's keys, without secrets. */
  listKeys(orgId: number): Promise<KeyInfo[]> {
    return this.store.listKeys(orgId);
  }

  /**
   * A new secret for key `keyId` (same id, prefix, person and role). The old secret keeps
   * working for `overlapMs` (default an hour; 0: it stops at once, in every process).
   */
  async rotateKey(keyId: number, overlapMs = DEFAULT_ROTATION_OVERLAP_MS): Promise<{ token: string; key: KeyInfo }> {
    if (!Number.isInteger(overlapMs) || overlapMs < 0 || overlapMs > MAX_ROTATION_OVERLAP_MS)
      throw new RasdError(
        "invalid",
        `overlap: 0 to ${MAX_ROTATION_OVERLAP_MS / 1000} s (the old secret's grace period), got ${overlapMs / 1000}`,
      );
    const key = await this.store.getKey(keyId);
    if (!key) throw new RasdError("not_found", `no API key with id ${keyId}`);
    if (key.revokedAt !== null) throw new RasdError("conflict", `API key ${keyId} is revoked; create a new one`);
    if (key.expiresAt !== null && key.expiresAt <= Date.now())
      throw new RasdError(
        "conflict",
        `API key ${keyId} expired at ${new Date(key.expiresAt).toISOString()}; create a new one`,
      );
    const secret = randomBytes(32).toString("base64url");
    const ok = await this.store.rotateKey(
      keyId,
      sha256(secret).toString("hex"),
      overlapMs > 0 ? Date.now() + overlapMs : null,
    );
    if (!ok) throw new RasdError("conflict", `API key ${keyId} is revoked; create a new one`);
    // The old secret's cached verifications end with its overlap, or now.
    for (const [token, entry] of this.keyCache) if (entry.principal.keyId === keyId) this.keyCache.delete(token);
    if (overlapMs === 0) this.onInvalidate?.("keys");
    return { token: `rasd_${key.prefix}_${secret}`, key: (await this.store.getKey(keyId)) ?? key };
  }

  /** True when `token` was verified moments ago and is still cached (no store is asked). */
  isVerified(token: string): boolean {
    const cached = this.keyCache.get(token);
    return cached !== undefined && cached.until > Date.now();
  }

  /** The principal behind a bearer token, or an "auth.invalid" error. */
  async authenticate(token: string): Promise<Principal> {
    const now = Date.now();
    const cached = this.keyCache.get(token);
    if (cached && cached.until > now) {
      await this.touch(cached.principal.keyId, now);
      return cached.principal;
    }
    if (this.sessions && token.startsWith(SESSION_TOKEN_PREFIX)) {
      // Sessions are cached like keys, but never past their expiry.
      const session = await this.sessions(token);
      if (this.keyCache.size > 10_000) this.keyCache.clear();
      this.keyCache.set(token, {
        principal: session.principal,
        until: Math.min(now + (this.options.cacheMs ?? 5000), session.expiresAt),
      });
      return session.principal;
    }
    const m = TOKEN.exec(token);
    if (!m) throw new RasdError("auth.invalid", "the API key is malformed: expected rasd_<12 hex>_<43 characters>");
    const record = await this.store.findKey(m[1]!);
    const hash = sha256(m[2]!);
    const current = record !== undefined && timingSafeEqual(Buffer.from(record.secretHash, "hex"), hash);
    const previous =
      record?.previousSecretHash != null &&
      record.previousExpiresAt !== null &&
      record.previousExpiresAt > now &&
      timingSafeEqual(Buffer.from(record.previousSecretHash, "hex"), hash);
    if (!record || record.revoked || !(current || previous))
      throw new RasdError("auth.invalid", "the API key is not valid (unknown, wrong or revoked)");
    if (record.expiresAt !== null && record.expiresAt <= now)
      throw new RasdError(
        "auth.expired",
        `the API key expired at ${new Date(record.expiresAt).toISOString()}; an organisation admin can create a new one`,
      );
    const org = await this.signals.getOrg(record.person.orgId);
    const principal: Principal = {
      keyId: record.keyId,
      orgId: record.person.orgId,
      personId: record.person.id,
      role: record.person.role,
      personName: record.person.name,
      orgName: org?.name ?? "?",
    };
    if (this.keyCache.size > 10_000) this.keyCache.clear();
    // Cached no longer than the key (or, for a rotated key's old secret, its overlap) lives.
    const until = Math.min(
      now + (this.options.cacheMs ?? 5000),
      record.expiresAt ?? Infinity,
      current ? Infinity : (record.previousExpiresAt ?? Infinity),
    );
    this.keyCache.set(token, { principal, until });
    await this.touch(record.keyId, now);
    return principal;
  }

  private readonly touched = new Map<number, number>();

  /** Writes a key's last use, at most once a minute per key in this process. */
  private async touch(keyId: number, now: number): Promise<void> {
    if (keyId <= 0) return; // a session, not a key
    const last = this.touched.get(keyId);
    if (last !== undefined && now - last < LAST_USED_EVERY_MS) return;
    if (this.touched.size > 100_000) this.touched.clear();
    this.touched.set(keyId, now);
    await this.store.touchKey(keyId, now);
  }

  /** Verifies a session token or throws "auth.invalid" (set by services/accounts.ts). */
  sessions: ((token: string) => Promise<{ principal: Principal; expiresAt: number }>) | undefined;

  /**
   * Revokes an API key: refused at once in this process (its cached tokens, sessions made with
   * it included, are dropped), and in every other thread and process as soon as the notice
   * reaches them (`onInvalidate("keys")` → the signal bus → `forgetKeys`).
   */
  async revokeKey(keyId: number): Promise<void> {
    await this.store.revokeKey(keyId);
    for (const [token, entry] of this.keyCache) if (entry.principal.keyId === keyId) this.keyCache.delete(token);
    this.onInvalidate?.("keys");
  }

  /** Drops every verified token (another process revoked a key); each is verified again on its next request. */
  forgetKeys(): void {
    this.keyCache.clear();
  }

  /** Drops a token from the cache (a session signed out in this process ends at once). */
  forgetToken(token: string): void {
    this.keyCache.delete(token);
  }

  /** Forgets cached sharing (call after a bank or its sharing changes in this process). */
  invalidate(): void {
    this.forget();
    this.onInvalidate?.("sharing");
  }

  /** Drops cached sharing without telling anyone (another process made the change). */
  forget(): void {
    this.sharingCache = undefined;
    this.generation++;
  }

  /** Told of every invalidate() ("sharing") and every revoked key ("keys"), to tell other threads and processes. */
  onInvalidate: ((what: "sharing" | "keys") => void) | undefined;

  /** Bumped by every invalidate(): caches built on visibility compare it. */
  generation = 0;

  private async sharingState(): Promise<NonNullable<AccessService["sharingCache"]>> {
    const now = Date.now();
    if (!this.sharingCache || now - this.sharingCache.at > 1000) {
      const [banks, sharing] = await Promise.all([this.signals.listBanks(), this.store.allSharing()]);
      this.sharingCache = { at: now, banks: new Map(banks.map((b) => [b.id, b])), sharing };
    }
    return this.sharingCache;
  }

  /** Every bank, visible or not (for internal bookkeeping only). */
  async allBanks(): Promise<Bank[]> {
    return [...(await this.sharingState()).banks.values()];
  }

  async sharingOf(bankId: number): Promise<BankSharing> {
    return (await this.sharingState()).sharing.get(bankId) ?? NO_SHARING;
  }

  /** Every bank the viewer may see and match against. */
  async visibleBanks(viewer: Viewer): Promise<Bank[]> {
    const state = await this.sharingState();
    return [...state.banks.values()].filter((b) => canSeeBank(viewer, b, state.sharing.get(b.id) ?? NO_SHARING));
  }

  async visibleBankIds(viewer: Viewer): Promise<Set<number>> {
    return new Set((await this.visibleBanks(viewer)).map((b) => b.id));
  }

  /** A bank by id if the viewer may see it; otherwise "not_found" (never "forbidden": no existence leak). */
  async requireVisibleBank(viewer: Viewer, bankId: number): Promise<Bank> {
    const bank = await this.signals.getBank(bankId);
    if (!bank || !canSeeBank(viewer, bank, (await this.store.allSharing()).get(bank.id) ?? NO_SHARING))
      throw new RasdError("not_found", `no bank with id ${bankId}`);
    return bank;
  }

  audit(entry: AuditEntry): Promise<void> {
    return this.store.audit(entry);
  }
}
