/**
 * People, API keys, bank sharing and the audit log, on the same database as the banks.
 * API keys are stored as the SHA-256 of their secret part: a stolen database gives no key.
 */

import { sql, type Kysely } from "kysely";
import { auditHash, chainOf, GENESIS_HASH, type ChainedEntry, type ChainHead } from "../core/audit-chain.js";
import { RasdError } from "../core/errors.js";
import type { Role } from "../core/roles.js";
import type { BankSharing } from "../core/sharing.js";
import type {
  AccessStore,
  AuditEntry,
  AuditRecord,
  KeyInfo,
  KeyRecord,
  NewKeyOptions,
  OrgDefaults,
  Person,
} from "./ports/access.js";
import type { Database } from "./schema.js";

export type { AuditEntry, AuditRecord, KeyInfo, KeyRecord, Person } from "./ports/access.js";

const time = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** Most audit entries one call returns. */
const MAX_AUDIT = 1000;

function isUnique(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === "23505" || /UNIQUE constraint/i.test(e.message ?? "");
}

export class KyselyAccessStore implements AccessStore {
  constructor(private readonly db: Kysely<Database>) {}

  async createPerson(orgId: number, name: string, role: Role): Promise<Person> {
    try {
      const r = await this.db
        .insertInto("people")
        .values({ org_id: orgId, name, role, created_at: Date.now() })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { id: r.id, orgId: r.org_id, name: r.name, role: r.role as Role, createdAt: Number(r.created_at) };
    } catch (error) {
      if (isUnique(error)) throw new RasdError("conflict", `the organisation already has a person named "${name}"`);
      throw error;
    }
  }

  async getPerson(id: number): Promise<Person | undefined> {
    const r = await this.db.selectFrom("people").selectAll().where("id", "=", id).executeTakeFirst();
    return r && { id: r.id, orgId: r.org_id, name: r.name, role: r.role as Role, createdAt: Number(r.created_at) };
  }

  async listPeople(orgId: number): Promise<Person[]> {
    const rows = await this.db.selectFrom("people").selectAll().where("org_id", "=", orgId).orderBy("id").execute();
    return rows.map((r) => ({
      id: r.id,
      orgId: r.org_id,
      name: r.name,
      role: r.role as Role,
      createdAt: Number(r.created_at),
    }));
  }

  async setPersonRole(personId: number, role: Role): Promise<void> {
    await this.db.updateTable("people").set({ role }).where("id", "=", personId).execute();
  }

  async getOrgDefaults(orgId: number): Promise<OrgDefaults> {
    const r = await this.db.selectFrom("org_defaults").selectAll().where("org_id", "=", orgId).executeTakeFirst();
    return { tlp: r?.tlp ?? null, updatedBy: r?.updated_by ?? null, updatedAt: r ? Number(r.updated_at) : null };
  }

  async setOrgDefaults(orgId: number, tlp: string | null, updatedBy: number, at: number): Promise<void> {
    const row = { tlp, updated_by: updatedBy, updated_at: at };
    await this.db
      .insertInto("org_defaults")
      .values({ org_id: orgId, ...row })
      .onConflict((oc) => oc.column("org_id").doUpdateSet(row))
      .execute();
  }

  async createKey(personId: number, prefix: string, secretHash: string, options: NewKeyOptions = {}): Promise<number> {
    const r = await this.db
      .insertInto("api_keys")
      .values({
        person_id: personId,
        prefix,
        secret_hash: secretHash,
        created_at: Date.now(),
        revoked_at: null,
        name: options.name ?? null,
        expires_at: options.expiresAt ?? null,
        created_by: options.createdBy ?? null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return r.id;
  }

  async findKey(prefix: string): Promise<KeyRecord | undefined> {
    const r = await this.db
      .selectFrom("api_keys")
      .innerJoin("people", "people.id", "api_keys.person_id")
      .select([
        "api_keys.id as key_id",
        "api_keys.prefix",
        "api_keys.secret_hash",
        "api_keys.revoked_at",
        "api_keys.expires_at",
        "api_keys.previous_secret_hash",
        "api_keys.previous_expires_at",
        "people.id as person_id",
        "people.org_id",
        "people.name",
        "people.role",
        "people.created_at",
      ])
      .where("api_keys.prefix", "=", prefix)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      keyId: r.key_id,
      prefix: r.prefix,
      secretHash: r.secret_hash,
      revoked: r.revoked_at !== null,
      person: { id: r.person_id, orgId: r.org_id, name: r.name, role: r.role as Role, createdAt: Number(r.created_at) },
      expiresAt: time(r.expires_at),
      previousSecretHash: r.previous_secret_hash,
      previousExpiresAt: time(r.previous_expires_at),
    };
  }

  private keyInfos() {
    return this.db
      .selectFrom("api_keys")
      .innerJoin("people", "people.id", "api_keys.person_id")
      .leftJoin("people as creator", "creator.id", "api_keys.created_by")
      .select([
        "api_keys.id as key_id",
        "api_keys.name as key_name",
        "api_keys.prefix",
        "api_keys.created_at as key_created_at",
        "api_keys.created_by",
        "creator.name as creator_name",
        "api_keys.last_used_at",
        "api_keys.expires_at",
        "api_keys.rotated_at",
        "api_keys.previous_expires_at",
        "api_keys.revoked_at",
        "people.id as person_id",
        "people.org_id",
        "people.name",
        "people.role",
        "people.created_at",
      ]);
  }

  private static info(r: Awaited<ReturnType<ReturnType<KyselyAccessStore["keyInfos"]>["execute"]>>[number]): KeyInfo {
    return {
      keyId: r.key_id,
      name: r.key_name,
      prefix: r.prefix,
      person: { id: r.person_id, orgId: r.org_id, name: r.name, role: r.role as Role, createdAt: Number(r.created_at) },
      createdAt: Number(r.key_created_at),
      createdBy: r.created_by !== null ? { id: r.created_by, name: r.creator_name ?? "?" } : null,
      lastUsedAt: time(r.last_used_at),
      expiresAt: time(r.expires_at),
      rotatedAt: time(r.rotated_at),
      previousExpiresAt: time(r.previous_expires_at),
      revokedAt: time(r.revoked_at),
    };
  }

  async getKey(keyId: number): Promise<KeyInfo | undefined> {
    const r = await this.keyInfos().where("api_keys.id", "=", keyId).executeTakeFirst();
    return r && KyselyAccessStore.info(r);
  }

  async listKeys(orgId: number): Promise<KeyInfo[]> {
    const rows = await this.keyInfos().where("people.org_id", "=", orgId).orderBy("api_keys.id").execute();
    return rows.map((r) => KyselyAccessStore.info(r));
  }

  async touchKey(keyId: number, at: number): Promise<void> {
    await this.db.updateTable("api_keys").set({ last_used_at: at }).where("id", "=", keyId).execute();
  }

  async rotateKey(keyId: number, secretHash: string, previousValidUntil: number | null): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .selectFrom("api_keys")
        .select(["secret_hash", "revoked_at"])
        .where("id", "=", keyId)
        .executeTakeFirst();
      if (!r || r.revoked_at !== null) return false;
      await tx
        .updateTable("api_keys")
        .set({
          secret_hash: secretHash,
          rotated_at: Date.now(),
          previous_secret_hash: previousValidUntil === null ? null : r.secret_hash,
          previous_expires_at: previousValidUntil,
        })
        .where("id", "=", keyId)
        .execute();
      return true;
    });
  }

  async keyOrg(keyId: number): Promise<number | undefined> {
    const r = await this.db
      .selectFrom("api_keys")
      .innerJoin("people", "people.id", "api_keys.person_id")
      .select("people.org_id")
      .where("api_keys.id", "=", keyId)
      .executeTakeFirst();
    return r?.org_id;
  }

  async revokeKey(keyId: number): Promise<void> {
    await this.db.updateTable("api_keys").set({ revoked_at: Date.now() }).where("id", "=", keyId).execute();
  }

  /** Sharing groups, RED readers and AMBER+STRICT recipients of every bank that has any. */
  async allSharing(): Promise<Map<number, BankSharing>> {
    type Entry = { orgs: Set<number>; people: Set<number>; recipients?: Set<number> };
    const out = new Map<number, Entry>();
    const entry = (bankId: number): Entry => {
      let e = out.get(bankId);
      if (!e) out.set(bankId, (e = { orgs: new Set(), people: new Set() }));
      return e;
    };
    for (const r of await this.db.selectFrom("bank_shares").selectAll().execute()) entry(r.bank_id).orgs.add(r.org_id);
    for (const r of await this.db.selectFrom("bank_readers").selectAll().execute())
      entry(r.bank_id).people.add(r.person_id);
    for (const r of await this.db.selectFrom("bank_recipients").selectAll().execute()) {
      const e = entry(r.bank_id);
      (e.recipients ??= new Set()).add(r.org_id);
    }
    return out;
  }

  /** Replaces the organisations named as recipients of a bank (seen while it is AMBER+STRICT). */
  async setRecipients(bankId: number, orgIds: readonly number[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom("bank_recipients").where("bank_id", "=", bankId).execute();
      if (orgIds.length)
        await tx
          .insertInto("bank_recipients")
          .values([...new Set(orgIds)].map((org_id) => ({ bank_id: bankId, org_id })))
          .execute();
    });
  }

  /** Replaces a bank's sharing group and named readers. */
  async setSharing(bankId: number, orgIds: readonly number[], personIds: readonly number[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom("bank_shares").where("bank_id", "=", bankId).execute();
      await tx.deleteFrom("bank_readers").where("bank_id", "=", bankId).execute();
      if (orgIds.length)
        await tx
          .insertInto("bank_shares")
          .values([...new Set(orgIds)].map((org_id) => ({ bank_id: bankId, org_id })))
          .execute();
      if (personIds.length)
        await tx
          .insertInto("bank_readers")
          .values([...new Set(personIds)].map((person_id) => ({ bank_id: bankId, person_id })))
          .execute();
    });
  }

  async audit(entry: AuditEntry): Promise<void> {
    const chain = chainOf(entry.orgId);
    const detail = JSON.stringify(entry.detail ?? {});
    await this.db.transaction().execute(async (tx) => {
      // Claim the chain's head first. The upsert is a write, so on SQLite it takes the
      // database's write lock before anything is read; on PostgreSQL it locks the head's row
      // until commit. Either way appenders to one chain go one at a time, in every process.
      const head = await tx
        .insertInto("audit_chain_heads")
        .values({ chain, seq: 0, hash: GENESIS_HASH })
        .onConflict((oc) => oc.column("chain").doUpdateSet({ seq: (eb) => eb.ref("audit_chain_heads.seq") }))
        .returning(["seq", "hash"])
        .executeTakeFirstOrThrow();
      const fields = {
        chain,
        seq: Number(head.seq) + 1,
        at: Date.now(),
        orgId: entry.orgId,
        personId: entry.personId,
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        detail,
        source: entry.source,
      };
      const hash = auditHash(head.hash, fields);
      await tx
        .insertInto("audit_log")
        .values({
          at: fields.at,
          org_id: fields.orgId,
          person_id: fields.personId,
          actor: fields.actor,
          action: fields.action,
          target: fields.target,
          detail,
          source: fields.source,
          chain,
          seq: fields.seq,
          prev_hash: head.hash,
          hash,
        })
        .execute();
      await tx.updateTable("audit_chain_heads").set({ seq: fields.seq, hash }).where("chain", "=", chain).execute();
    });
  }

  async auditChainHeads(): Promise<ChainHead[]> {
    const rows = await this.db.selectFrom("audit_chain_heads").selectAll().orderBy("chain").execute();
    return rows.map((r) => ({ chain: r.chain, seq: Number(r.seq), hash: r.hash }));
  }

  async auditChain(chain: number, afterSeq: number, limit: number): Promise<ChainedEntry[]> {
    const rows = await this.db
      .selectFrom("audit_log")
      .selectAll()
      .where("chain", "=", chain)
      .where("seq", ">", afterSeq)
      .orderBy("seq")
      .limit(Math.min(limit, MAX_AUDIT))
      .execute();
    return rows.map((r) => ({
      id: r.id,
      chain: r.chain,
      seq: Number(r.seq),
      at: Number(r.at),
      orgId: r.org_id,
      personId: r.person_id,
      actor: r.actor,
      action: r.action,
      target: r.target,
      detail: r.detail,
      source: r.source,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  async listAudit(
    orgId: number,
    options: { beforeId?: number; limit?: number; target?: string; action?: string } = {},
  ): Promise<AuditRecord[]> {
    let q = this.db
      .selectFrom("audit_log")
      .selectAll()
      .where("org_id", "=", orgId)
      .orderBy("id", options.target === undefined ? "desc" : "asc")
      .limit(Math.min(options.limit ?? 100, MAX_AUDIT));
    if (options.beforeId !== undefined) q = q.where("id", "<", options.beforeId);
    if (options.target !== undefined) q = q.where("target", "=", options.target);
    // A prefix ("key." for every key action, "review.decide" for one), the same in SQLite and PostgreSQL.
    if (options.action !== undefined)
      q = q.where(sql<string>`substr(action, 1, ${options.action.length})`, "=", options.action);
    return (await q.execute()).map((r) => ({
      id: r.id,
      at: Number(r.at),
      orgId: r.org_id,
      personId: r.person_id,
      actor: r.actor,
      action: r.action,
      target: r.target,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
      source: r.source,
    }));
  }
}
