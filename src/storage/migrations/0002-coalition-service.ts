/**
 * The coalition service: people and API keys, sharing (TLP 2.0 markings, sharing groups,
 * named readers of RED banks), the audit log, submitted content and its media, the durable
 * job queue, action rules, actions (webhook deliveries, review entries, decisions) and the
 * review queue. Portable across SQLite and PostgreSQL like 0001.
 */

import type { Kysely } from "kysely";
import { blobType, idColumn } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("banks")
    .addColumn("tlp", "text", (c) => c.notNull().defaultTo("AMBER+STRICT"))
    .execute();
  await db.schema
    .alterTable("banks")
    .addColumn("enabled_ratio", "real", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable("banks")
    .addColumn("deleted", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable("bank_shares")
    .addColumn("bank_id", "integer", (c) => c.notNull().references("banks.id"))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addPrimaryKeyConstraint("bank_shares_pk", ["bank_id", "org_id"])
    .execute();

  await db.schema
    .createTable("people")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("people_org_name", ["org_id", "name"])
    .execute();

  await db.schema
    .createTable("bank_readers")
    .addColumn("bank_id", "integer", (c) => c.notNull().references("banks.id"))
    .addColumn("person_id", "integer", (c) => c.notNull().references("people.id"))
    .addPrimaryKeyConstraint("bank_readers_pk", ["bank_id", "person_id"])
    .execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", ...idColumn(db))
    .addColumn("person_id", "integer", (c) => c.notNull().references("people.id"))
    // The public part of the key, to find its row; the secret part is stored only as a SHA-256.
    .addColumn("prefix", "text", (c) => c.notNull().unique())
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("revoked_at", "bigint")
    .execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", ...idColumn(db))
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("org_id", "integer")
    .addColumn("person_id", "integer")
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("detail", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("source", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("audit_log_org").on("audit_log").columns(["org_id", "id"]).execute();

  await db.schema
    .createTable("content_items")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("person_id", "integer", (c) => c.notNull())
    .addColumn("idempotency_key", "text", (c) => c.notNull())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("content_id", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("author_id", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("posted_at", "bigint")
    .addColumn("media_type", "text")
    .addColumn("media_size", "integer")
    .addColumn("url", "text")
    .addColumn("text", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("error", "text")
    .addColumn("hashes", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("matches", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("received_at", "bigint", (c) => c.notNull())
    .addColumn("hashed_at", "bigint")
    .addColumn("matched_at", "bigint")
    .addColumn("acted_at", "bigint")
    .addUniqueConstraint("content_items_idempotency", ["org_id", "idempotency_key"])
    .execute();
  await db.schema.createIndex("content_items_org").on("content_items").columns(["org_id", "id"]).execute();

  await db.schema
    .createTable("content_media")
    .addColumn("item_id", "integer", (c) => c.primaryKey().references("content_items.id"))
    .addColumn("bytes", blobType(db), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("jobs")
    .addColumn("id", ...idColumn(db))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("ref_id", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("max_attempts", "integer", (c) => c.notNull())
    .addColumn("run_at", "bigint", (c) => c.notNull())
    .addColumn("lease_owner", "text")
    .addColumn("lease_until", "bigint")
    .addColumn("last_error", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("jobs_ready").on("jobs").columns(["status", "run_at"]).execute();
  await db.schema.createIndex("jobs_ref").on("jobs").columns(["kind", "ref_id"]).execute();

  await db.schema
    .createTable("action_rules")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("conditions", "text", (c) => c.notNull())
    .addColumn("actions", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("action_rules_org_name", ["org_id", "name"])
    .execute();

  await db.schema
    .createTable("actions")
    .addColumn("id", ...idColumn(db))
    .addColumn("item_id", "integer", (c) => c.notNull().references("content_items.id"))
    .addColumn("org_id", "integer", (c) => c.notNull())
    .addColumn("rule_id", "integer", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("delivery_id", "text", (c) => c.notNull().unique())
    .addColumn("target", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("payload", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_status", "integer")
    .addColumn("last_error", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("completed_at", "bigint")
    .execute();
  await db.schema.createIndex("actions_item").on("actions").column("item_id").execute();

  await db.schema
    .createTable("review_items")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull())
    .addColumn("item_id", "integer", (c) => c.notNull().references("content_items.id"))
    .addColumn("action_id", "integer", (c) => c.notNull().unique())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("decision", "text")
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("decided_by", "integer")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("decided_at", "bigint")
    .execute();
  await db.schema.createIndex("review_items_org").on("review_items").columns(["org_id", "status", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "review_items",
    "actions",
    "action_rules",
    "jobs",
    "content_media",
    "content_items",
    "audit_log",
    "api_keys",
    "bank_readers",
    "people",
    "bank_shares",
  ])
    await db.schema.dropTable(table).execute();
}
