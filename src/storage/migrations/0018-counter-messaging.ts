/**
 * Counter-messaging (issue 20): the counter-narrative library, the keyword sets that tell a
 * query's narrative, each member's sealed secret for signing events, and the events platforms
 * report (impressions, clicks, watch time), unique per member and event id.
 */

import type { Kysely } from "kysely";
import { idColumn } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("counter_items")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("url", "text")
    .addColumn("media_hash", "text")
    .addColumn("narratives", "text", (c) => c.notNull())
    .addColumn("audience", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("lang", "text", (c) => c.notNull())
    .addColumn("tlp", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("draft"))
    .addColumn("created_by", "integer")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addColumn("approved_by", "integer")
    .addColumn("approved_at", "bigint")
    .addColumn("retired_by", "integer")
    .addColumn("retired_at", "bigint")
    .execute();
  await db.schema.createIndex("counter_items_org").on("counter_items").columns(["org_id", "status"]).execute();
  await db.schema
    .createTable("counter_keywords")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("narrative", "text", (c) => c.notNull())
    .addColumn("phrase", "text", (c) => c.notNull())
    .addColumn("created_by", "integer")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("counter_keywords_unique", ["org_id", "narrative", "phrase"])
    .execute();
  await db.schema
    .createTable("counter_secrets")
    .addColumn("org_id", "integer", (c) => c.primaryKey().references("orgs.id"))
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("counter_events")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("item_id", "integer", (c) => c.notNull().references("counter_items.id"))
    .addColumn("narrative", "text", (c) => c.notNull())
    .addColumn("lang", "text", (c) => c.notNull())
    .addColumn("impression", "text", (c) => c.notNull())
    .addColumn("served_at", "bigint", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("watch_ms", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("recorded_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("counter_events_unique", ["org_id", "event_id"])
    .execute();
  await db.schema.createIndex("counter_events_item").on("counter_events").columns(["item_id", "at"]).execute();
  await db.schema.createIndex("counter_events_at").on("counter_events").columns(["at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("counter_events").execute();
  await db.schema.dropTable("counter_secrets").execute();
  await db.schema.dropTable("counter_keywords").execute();
  await db.schema.dropTable("counter_items").execute();
}
