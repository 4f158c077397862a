/**
 * Organisations, banks, signals (with tombstones and a change cursor) and opinions.
 * Written with Kysely's schema builder so it runs on SQLite and PostgreSQL alike; the
 * only per-dialect choice is how an auto-incrementing id is spelt.
 */

import { sql, type Kysely } from "kysely";
import { idColumn } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("orgs")
    .addColumn("id", ...idColumn(db))
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("banks")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("action_hint", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("negative", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("pdq_threshold", "integer", (c) => c.notNull().defaultTo(31))
    .addColumn("pdq_min_quality", "integer", (c) => c.notNull().defaultTo(50))
    .addColumn("text_min_similarity", "real", (c) => c.notNull().defaultTo(0.5))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("change_seq", "bigint", (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint("banks_org_name", ["org_id", "name"])
    .execute();

  await db.schema
    .createTable("signals")
    .addColumn("id", ...idColumn(db))
    .addColumn("bank_id", "integer", (c) => c.notNull().references("banks.id"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    // SHA-256 of the value: the unique key, since PostgreSQL cannot index long texts directly.
    .addColumn("value_key", "text", (c) => c.notNull())
    .addColumn("quality", "integer")
    .addColumn("labels", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("confidence", "integer", (c) => c.notNull().defaultTo(50))
    .addColumn("source", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("first_seen", "bigint", (c) => c.notNull())
    .addColumn("last_seen", "bigint", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("change_seq", "bigint", (c) => c.notNull())
    .addUniqueConstraint("signals_bank_type_value", ["bank_id", "type", "value_key"])
    .execute();
  await db.schema.createIndex("signals_change_seq").on("signals").column("change_seq").execute();
  await db.schema.createIndex("signals_type_value").on("signals").columns(["type", "value_key"]).execute();

  await db.schema
    .createTable("opinions")
    .addColumn("id", ...idColumn(db))
    .addColumn("signal_id", "integer", (c) => c.notNull().references("signals.id"))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("opinions_signal_org", ["signal_id", "org_id"])
    .execute();

  await db.schema
    .createTable("counters")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("value", "bigint", (c) => c.notNull())
    .execute();
  await sql`insert into counters (name, value) values ('change_seq', 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["opinions", "signals", "banks", "orgs", "counters"]) await db.schema.dropTable(table).execute();
}
