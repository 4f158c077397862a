/**
 * The access port: people, API keys, bank sharing (groups and named RED readers) and the
 * audit log. API keys are stored as the SHA-256 of their secret part.
 */

import type { ChainedEntry, ChainHead } from "../../core/audit-chain.js";
import type { Role } from "../../core/roles.js";
import type { BankSharing } from "../../core/sharing.js";

export interface Person {
  readonly id: number;
  readonly orgId: number;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: number;
}

export interface KeyRecord {
  readonly keyId: number;
  readonly prefix: string;
  readonly secretHash: string;
  readonly revoked: boolean;
  readonly person: Person;
  /** Epoch ms; null: never expires. */
  readonly expiresAt: number | null;
  /** The secret before the last rotation, valid until `previousExpiresAt`. */
  readonly previousSecretHash: string | null;
  readonly previousExpiresAt: number | null;
}

/** A key as its organisation's admins see it: everything but its secret. */
export interface KeyInfo {
  readonly keyId: number;
  readonly name: string | null;
  readonly prefix: string;
  readonly person: Person;
  readonly createdAt: number;
  /** Who created it; null: an operator with the CLI. */
  readonly createdBy: { readonly id: number; readonly name: string } | null;
  /** Coarse: written at most once a minute. */
  readonly lastUsedAt: number | null;
  readonly expiresAt: number | null;
  readonly rotatedAt: number | null;
  /** Until when the secret before the last rotation still works (null: it does not). */
  readonly previousExpiresAt: number | null;
  readonly revokedAt: number | null;
}

export interface NewKeyOptions {
  readonly name?: string;
  readonly expiresAt?: number;
  readonly createdBy?: number;
}

export interface AuditEntry {
  readonly orgId: number | null;
  readonly personId: number | null;
  /** Who, readably: "alice (curator, Sawab Center)" or "cli". */
  readonly actor: string;
  /** What: "bank.create", "signal.add", "key.create", ... */
  readonly action: string;
  /** On what: "bank:12", "content:40". */
  readonly target: string;
  readonly detail?: Record<string, unknown>;
  /** From where: the client address, or "cli". */
  readonly source: string;
}

export interface AuditRecord extends Required<AuditEntry> {
  readonly id: number;
  readonly at: number;
}

/** An organisation's sharing defaults (decision 0036). */
export interface OrgDefaults {
  /** The TLP marking of new banks when none is chosen; null: none set (the built-in AMBER+STRICT). */
  readonly tlp: string | null;
  readonly updatedBy: number | null;
  readonly updatedAt: number | null;
}

export interface AccessStore {
  /** Throws "conflict" when the organisation already has a person of that name. */
  createPerson(orgId: number, name: string, role: Role): Promise<Person>;
  getPerson(id: number): Promise<Person | undefined>;
  listPeople(orgId: number): Promise<Person[]>;
  /** Gives a person another role (their keys and sessions act with it from then on). */
  setPersonRole(personId: number, role: Role): Promise<void>;
  /** The organisation's sharing defaults (no row: none set). */
  getOrgDefaults(orgId: number): Promise<OrgDefaults>;
  /** Sets the TLP marking new banks of the organisation get when none is chosen (null: the built-in one). */
  setOrgDefaults(orgId: number, tlp: string | null, updatedBy: number, at: number): Promise<void>;
  createKey(personId: number, prefix: string, secretHash: string, options?: NewKeyOptions): Promise<number>;
  findKey(prefix: string): Promise<KeyRecord | undefined>;
  /** A key without its secret, or undefined. */
  getKey(keyId: number): Promise<KeyInfo | undefined>;
  /** An organisation's keys, revoked and expired ones too, oldest first. */
  listKeys(orgId: number): Promise<KeyInfo[]>;
  /** Records a use of the key (callers write it at most once a minute). */
  touchKey(keyId: number, at: number): Promise<void>;
  /**
   * A new secret for the key: the current one becomes the previous, valid until
   * `previousValidUntil` (null: not at all). Returns false when the key does not exist or is revoked.
   */
  rotateKey(keyId: number, secretHash: string, previousValidUntil: number | null): Promise<boolean>;
  /** The organisation of the person who holds API key `keyId`. */
  keyOrg(keyId: number): Promise<number | undefined>;
  revokeKey(keyId: number): Promise<void>;
  /** Sharing groups, RED readers and AMBER+STRICT recipients of every bank that has any. */
  allSharing(): Promise<Map<number, BankSharing>>;
  /** Replaces the organisations named as recipients of a bank (seen while it is AMBER+STRICT). */
  setRecipients(bankId: number, orgIds: readonly number[]): Promise<void>;
  /** Replaces a bank's sharing group and named readers. */
  setSharing(bankId: number, orgIds: readonly number[], personIds: readonly number[]): Promise<void>;
  /**
   * Appends an entry to its organisation's audit chain (core/audit-chain.ts): numbered and
   * hashed after the chain's last entry, one appender at a time across processes.
   */
  audit(entry: AuditEntry): Promise<void>;
  /** Every audit chain's head: its last entry's number and hash. */
  auditChainHeads(): Promise<ChainHead[]>;
  /** Up to `limit` entries of audit chain `chain` numbered after `afterSeq`, in order. */
  auditChain(chain: number, afterSeq: number, limit: number): Promise<ChainedEntry[]>;
  /**
   * An organisation's audit log, newest first; only entries on `target` when given (then oldest
   * first), and only actions starting with `action` when given ("key." or "review.decide").
   */
  listAudit(
    orgId: number,
    options?: { beforeId?: number; limit?: number; target?: string; action?: string },
  ): Promise<AuditRecord[]>;
}
