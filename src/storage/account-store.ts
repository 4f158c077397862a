/**
 * Passwords and sign-in sessions. A session token is stored like an API key: its prefix
 * finds the row, its secret only as a SHA-256, so a stolen database signs nobody in.
 */

import type { Kysely } from "kysely";
import type { Role } from "../core/roles.js";
import type { Person } from "./ports/access.js";
import type { AccountStore, NewSession, SessionRecord } from "./ports/accounts.js";
import type { Database } from "./schema.js";

export type { NewSession, SessionRecord } from "./ports/accounts.js";

export class KyselyAccountStore implements AccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The person named `name` in the organisation named `orgName`, with their password hash. */
  async findPerson(orgName: string, name: string): Promise<(Person & { passwordHash: string | null }) | undefined> {
    const r = await this.db
      .selectFrom("people")
      .innerJoin("orgs", "orgs.id", "people.org_id")
      .select(["people.id", "people.org_id", "people.name", "people.role", "people.created_at", "people.password_hash"])
      .where("orgs.name", "=", orgName)
      .where("people.name", "=", name)
      .executeTakeFirst();
    return (
      r && {
        id: r.id,
        orgId: r.org_id,
        name: r.name,
        role: r.role as Role,
        createdAt: Number(r.created_at),
        passwordHash: r.password_hash,
      }
    );
  }

  async setPasswordHash(personId: number, hash: string | null): Promise<void> {
    await this.db.updateTable("people").set({ password_hash: hash }).where("id", "=", personId).execute();
  }

  async createSession(s: NewSession): Promise<number> {
    const r = await this.db
      .insertInto("sessions")
      .values({
        person_id: s.personId,
        key_id: s.keyId,
        prefix: s.prefix,
        secret_hash: s.secretHash,
        created_at: Date.now(),
        expires_at: s.expiresAt,
        revoked_at: null,
        source: s.source,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return r.id;
  }

  async findSession(prefix: string): Promise<SessionRecord | undefined> {
    const r = await this.db
      .selectFrom("sessions")
      .innerJoin("people", "people.id", "sessions.person_id")
      .leftJoin("api_keys", "api_keys.id", "sessions.key_id")
      .select([
        "sessions.id as session_id",
        "sessions.secret_hash",
        "sessions.expires_at",
        "sessions.revoked_at",
        "api_keys.revoked_at as key_revoked_at",
        "api_keys.expires_at as key_expires_at",
        "people.id as person_id",
        "people.org_id",
        "people.name",
        "people.role",
        "people.created_at",
      ])
      .where("sessions.prefix", "=", prefix)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      sessionId: r.session_id,
      secretHash: r.secret_hash,
      // A session made with an API key ends when the key does: revoked, or expired.
      expiresAt: Math.min(Number(r.expires_at), r.key_expires_at == null ? Infinity : Number(r.key_expires_at)),
      revoked: r.revoked_at !== null || (r.key_revoked_at !== null && r.key_revoked_at !== undefined),
      person: { id: r.person_id, orgId: r.org_id, name: r.name, role: r.role as Role, createdAt: Number(r.created_at) },
    };
  }

  async revokeSession(sessionId: number): Promise<void> {
    await this.db
      .updateTable("sessions")
      .set({ revoked_at: Date.now() })
      .where("id", "=", sessionId)
      .where("revoked_at", "is", null)
      .execute();
  }

  /** Ends every session of a person (their password changed). */
  async revokeSessionsOf(personId: number): Promise<void> {
    await this.db
      .updateTable("sessions")
      .set({ revoked_at: Date.now() })
      .where("person_id", "=", personId)
      .where("revoked_at", "is", null)
      .execute();
  }
}
