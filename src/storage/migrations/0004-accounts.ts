/**
 * Accounts for the web app: a password for people who sign in (scrypt, its salt and
 * parameters in the stored string), sign-in sessions stored hashed like API keys (the
 * SHA-256 of the secret) with an expiry and a revocation time, and the review decision's
 * taxonomy: labels, the statement of reasons, and what was added to a bank in the same step.
 */

import type { Kysely } from "kysely";
import { idColumn } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("people").addColumn("password_hash", "text").execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", ...idColumn(db))
    .addColumn("person_id", "integer", (c) => c.notNull().references("people.id"))
    // Signed in with an API key: the session ends when that key is revoked.
    .addColumn("key_id", "integer")
    .addColumn("prefix", "text", (c) => c.notNull().unique())
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("revoked_at", "bigint")
    .addColumn("source", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema.createIndex("sessions_person").on("sessions").column("person_id").execute();

  await db.schema
    .alterTable("review_items")
    .addColumn("labels", "text", (c) => c.notNull().defaultTo("{}"))
    .execute();
  await db.schema
    .alterTable("review_items")
    .addColumn("reasons", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema.alterTable("review_items").addColumn("bank_id", "integer").execute();
  await db.schema
    .alterTable("review_items")
    .addColumn("added_signals", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ["added_signals", "bank_id", "reasons", "labels"])
    await db.schema.alterTable("review_items").dropColumn(column).execute();
  await db.schema.dropTable("sessions").execute();
  await db.schema.alterTable("people").dropColumn("password_hash").execute();
}
