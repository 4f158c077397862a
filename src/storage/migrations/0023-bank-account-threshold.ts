/**
 * Thresholds per bank for ban-evasion matches (issue 19, decision 0031): `banks.account_min_score`,
 * the score (0..1] an account match against the bank's suspended accounts needs. Existing banks
 * get the default, 0.8 (DEFAULT_ACCOUNT_MIN_SCORE, decisions 0026 and 0033), so nothing changes until a
 * bank's owner sets it.
 */

import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("banks")
    .addColumn("account_min_score", "real", (c) => c.notNull().defaultTo(0.8))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("banks").dropColumn("account_min_score").execute();
}
