/**
 * Actions remember which of their rule's actions they are (`action_index`), so a webhook's
 * secret is found from a stored column instead of being parsed back out of the delivery id.
 * Existing rows are backfilled from their delivery id, `msg_<item>_<rule>_<index>`, which
 * the pipeline has always written that way; the expression works on both dialects.
 */

import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("actions").addColumn("action_index", "integer").execute();
  await backfillActionIndex(db);
}

/** Sets `action_index` from the delivery id where it is missing (exported for the contract test). */
export async function backfillActionIndex(db: Kysely<unknown>): Promise<void> {
  await sql`update actions
    set action_index = cast(replace(delivery_id, 'msg_' || item_id || '_' || rule_id || '_', '') as integer)
    where action_index is null and delivery_id like 'msg\\_%\\_%\\_%' escape '\\'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("actions").dropColumn("action_index").execute();
}
