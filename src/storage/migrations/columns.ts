/** Column spellings that differ between SQLite and PostgreSQL. */

import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from "kysely";

type ColumnArgs = ["integer" | "serial", (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder];

export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An auto-incrementing integer primary key. */
export function idColumn(db: Kysely<unknown>): ColumnArgs {
  return isPostgres(db) ? ["serial", (c) => c.primaryKey()] : ["integer", (c) => c.primaryKey().autoIncrement()];
}

/** Raw bytes. */
export function blobType(db: Kysely<unknown>): "blob" | "bytea" {
  return isPostgres(db) ? "bytea" : "blob";
}
