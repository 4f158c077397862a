/**
 * Measuring the information space: where an item was seen (platform, country), the stance
 * classifier's verdict on its text, review priority, and what happened to an item after
 * rasd acted (removals, removal orders, complaints, restorations) — the records behind the
 * prevalence figures and the transparency report. Portable across SQLite and PostgreSQL.
 */

import type { Kysely } from "kysely";
import { idColumn } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  // The service or site within the submitting member ("" = the member itself) and the
  // ISO 3166-1 alpha-2 country the item was seen in ("" = not given).
  await db.schema
    .alterTable("content_items")
    .addColumn("platform", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .alterTable("content_items")
    .addColumn("country", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema.alterTable("content_items").addColumn("classified_at", "bigint").execute();
  await db.schema.createIndex("content_items_received").on("content_items").column("received_at").execute();

  await db.schema
    .createTable("classifications")
    .addColumn("item_id", "integer", (c) => c.primaryKey().references("content_items.id"))
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("score", "double precision", (c) => c.notNull())
    .addColumn("p_pro", "double precision", (c) => c.notNull())
    .addColumn("p_anti", "double precision", (c) => c.notNull())
    .addColumn("p_neutral", "double precision", (c) => c.notNull())
    .addColumn("lang", "text", (c) => c.notNull())
    .addColumn("behaviour", "text")
    .addColumn("classified_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .alterTable("review_items")
    .addColumn("priority", "double precision", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex("review_items_priority")
    .on("review_items")
    .columns(["org_id", "status", "priority"])
    .execute();

  // What the platform did after rasd acted, as the platform reports it. Append-only.
  await db.schema
    .createTable("content_outcomes")
    .addColumn("id", ...idColumn(db))
    .addColumn("item_id", "integer", (c) => c.notNull().references("content_items.id"))
    .addColumn("org_id", "integer", (c) => c.notNull())
    .addColumn("person_id", "integer", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("basis", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("reason", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("authority", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("recorded_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("content_outcomes_item").on("content_outcomes").columns(["item_id", "at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("content_outcomes").execute();
  await db.schema.dropIndex("review_items_priority").execute();
  await db.schema.alterTable("review_items").dropColumn("priority").execute();
  await db.schema.dropTable("classifications").execute();
  await db.schema.dropIndex("content_items_received").execute();
  for (const c of ["classified_at", "country", "platform"])
    await db.schema.alterTable("content_items").dropColumn(c).execute();
}
