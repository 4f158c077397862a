/**
 * The accounts port: passwords and sign-in sessions. A session token is stored like an API
 * key: its prefix finds the row, its secret only as a SHA-256.
 */

import type { Person } from "./access.js";

export interface SessionRecord {
  readonly sessionId: number;
  readonly secretHash: string;
  readonly expiresAt: number;
  /** Revoked (signed out), or signed in with an API key that has since been revoked. */
  readonly revoked: boolean;
  readonly person: Person;
}

export interface NewSession {
  readonly personId: number;
  readonly keyId: number | null;
  readonly prefix: string;
  readonly secretHash: string;
  readonly expiresAt: number;
  readonly source: string;
}

export interface AccountStore {
  /** The person named `name` in the organisation named `orgName`, with their password hash. */
  findPerson(orgName: string, name: string): Promise<(Person & { passwordHash: string | null }) | undefined>;
  setPasswordHash(personId: number, hash: string | null): Promise<void>;
  createSession(s: NewSession): Promise<number>;
  findSession(prefix: string): Promise<SessionRecord | undefined>;
  revokeSession(sessionId: number): Promise<void>;
  /** Ends every session of a person (their password changed). */
  revokeSessionsOf(personId: number): Promise<void>;
}
