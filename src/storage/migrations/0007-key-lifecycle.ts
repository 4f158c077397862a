/**
 * API keys get a lifecycle: a name, who created it, when it was last used (coarse: written at
 * most once a minute per key and process), when it expires, and rotation — the previous
 * secret's hash kept with the time it stops working, so a rotated key's old secret is valid
 * for a short overlap.
 */

import type { Kysely } from "kysely";

const COLUMNS: readonly [string, "text" | "bigint" | "integer"][] = [
  ["name", "text"],
  // The person who created it; null: an operator with the CLI.
  ["created_by", "integer"],
  ["last_used_at", "bigint"],
  ["expires_at", "bigint"],
  ["rotated_at", "bigint"],
  ["previous_secret_hash", "text"],
  ["previous_expires_at", "bigint"],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [column, type] of COLUMNS) await db.schema.alterTable("api_keys").addColumn(column, type).execute();
  await db.schema.createIndex("api_keys_person").on("api_keys").column("person_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("api_keys_person").execute();
  for (const [column] of [...COLUMNS].reverse()) await db.schema.alterTable("api_keys").dropColumn(column).execute();
}
