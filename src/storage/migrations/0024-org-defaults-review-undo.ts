/**
 * Issue 18 (decision 0036): an organisation's sharing defaults — the TLP marking its new banks
 * get when none is chosen — and, on each review entry, the state it was in before its latest
 * decision, so that the decision can be undone within a few minutes.
 */

import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("org_defaults")
    .addColumn("org_id", "integer", (c) => c.primaryKey().references("orgs.id"))
    .addColumn("tlp", "text")
    .addColumn("updated_by", "integer")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.alterTable("review_items").addColumn("previous_status", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("review_items").dropColumn("previous_status").execute();
  await db.schema.dropTable("org_defaults").execute();
}
