/**
 * The author account of a content item (issue 19): `content_items.author`, the account record
 * as canonical JSON (kernels/accounts), null when the platform sent none. The pipeline matches
 * it against suspended accounts like the item's other signals.
 */

import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("content_items").addColumn("author", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("content_items").dropColumn("author").execute();
}
