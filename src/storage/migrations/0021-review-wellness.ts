/**
 * Review wellness (issue 18): each person's review preferences (blur strength, greyscale,
 * break prompts, audio), each organisation's daily limit of items a reviewer may open, and
 * the exposures behind both counters — one row per person, review entry and UTC day, written
 * when the person opens (claims) the entry.
 */

import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("review_preferences")
    .addColumn("person_id", "integer", (c) => c.primaryKey().references("people.id"))
    .addColumn("blur", "integer", (c) => c.notNull())
    .addColumn("greyscale", "integer", (c) => c.notNull())
    .addColumn("break_minutes", "integer", (c) => c.notNull())
    .addColumn("break_items", "integer", (c) => c.notNull())
    .addColumn("audio", "integer", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("review_limits")
    .addColumn("org_id", "integer", (c) => c.primaryKey().references("orgs.id"))
    .addColumn("daily_limit", "integer")
    .addColumn("updated_by", "integer")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("review_exposures")
    .addColumn("person_id", "integer", (c) => c.notNull())
    .addColumn("review_id", "integer", (c) => c.notNull())
    .addColumn("day", "bigint", (c) => c.notNull())
    .addColumn("seen_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("review_exposures_pk", ["person_id", "day", "review_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("review_exposures").execute();
  await db.schema.dropTable("review_limits").execute();
  await db.schema.dropTable("review_preferences").execute();
}
