/**
 * Named recipients of AMBER+STRICT banks (issue 17, decision 0029): TLP 2.0 lets the source of
 * AMBER+STRICT information name the organisations it goes to. Kept apart from the AMBER sharing
 * group (bank_shares), so that narrowing an AMBER bank to AMBER+STRICT still hides it from its
 * group, and a federation link's key of a named organisation receives it.
 * And TAXII 2.1 status resources (POST objects answers one; GET /status/<id> reads it back from
 * any process): the status as TAXII's JSON, with its organisation.
 */

import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("bank_recipients")
    .addColumn("bank_id", "integer", (c) => c.notNull().references("banks.id"))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addPrimaryKeyConstraint("bank_recipients_pk", ["bank_id", "org_id"])
    .execute();
  await db.schema
    .createTable("taxii_statuses")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("taxii_statuses").execute();
  await db.schema.dropTable("bank_recipients").execute();
}
