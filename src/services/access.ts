/**
 * Who is calling, and what they may see. API keys look like `rasd_<prefix>_<secret>`:
 * the prefix finds the key's row, the secret is checked against its stored SHA-256 in
 * constant time. Verified keys are cached for a few seconds; revoking one drops it from every
 * process's cache (see `revokeKey`). Bank visibility follows core/sharing.ts.
 */

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { RasdError } from "../core/errors.js";
import type { Bank, Org } from "../core/model.js";
import { isRole, type Role } from "../core/roles.js";
import { NO_SHARING, canSeeBank, type BankSharing, type Viewer } from "../core/sharing.js";
import type { AccessStore, AuditEntry, Person, SignalStore } from "../storage/ports/index.js";

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
  async createKey(org: Org, role: string, personName?: string): Promise<NewKey> {
    if (!isRole(role))
      throw new RasdError("invalid", `role: "${role}" is not one of admin, curator, reviewer, submitter, reader`);
    const name = personName ?? `${role}-${randomBytes(3).toString("hex")}`;
    const person = (await this.store.listPeople(org.id)).find((p) => p.name === name);
    if (person && person.role !== role)
      throw new RasdError("conflict", `${name} in ${org.name} already has the role ${person.role}, not ${role}`);
    const owner = person ?? (await this.store.createPerson(org.id, name, role as Role));
    const prefix = randomBytes(6).toString("hex");
    const secret = randomBytes(32).toString("base64url");
    const keyId = await this.store.createKey(owner.id, prefix, sha256(secret).toString("hex"));
    return { token: `rasd_${prefix}_${secret}`, keyId, person: owner };
  }

  /** The principal behind a bearer token, or an "auth.invalid" error. */
  async authenticate(token: string): Promise<Principal> {
    const now = Date.now();
    const cached = this.keyCache.get(token);
    if (cached && cached.until > now) return cached.principal;
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
    const ok =
      record !== undefined && timingSafeEqual(Buffer.from(record.secretHash, "hex"), sha256(m[2]!)) && !record.revoked;
    if (!ok || !record) throw new RasdError("auth.invalid", "the API key is not valid (unknown, wrong or revoked)");
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
    this.keyCache.set(token, { principal, until: now + (this.options.cacheMs ?? 5000) });
    return principal;
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
