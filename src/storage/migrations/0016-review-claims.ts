/**
 * Review claims and escalation (issue 18): an entry a reviewer opens is leased to them
 * (`claimed_by` until `claimed_until`, ms) so that it is not offered to another reviewer; an
 * escalated entry keeps status `escalated` (text, no schema change) until a senior decides it.
 */

import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("review_items").addColumn("claimed_by", "integer").execute();
  await db.schema.alterTable("review_items").addColumn("claimed_until", "bigint").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("review_items").dropColumn("claimed_until").execute();
  await db.schema.alterTable("review_items").dropColumn("claimed_by").execute();
}
