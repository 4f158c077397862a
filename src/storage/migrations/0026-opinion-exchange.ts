/**
 * Issue 17 (decision 0042): opinions cross systems. A member's opinion can be retracted (kept as
 * a tombstone, `retracted_at`, so mirrors and STIX readers learn of it), and opinions that came
 * from elsewhere — a peer's exchange, an imported file — are kept apart from the members' own
 * (`foreign_opinions`): they speak for no organisation of this instance.
 */

import type { Kysely } from "kysely";
import { idColumn } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("opinions").addColumn("retracted_at", "bigint").execute();
  await db.schema
    .createTable("foreign_opinions")
    .addColumn("id", ...idColumn(db))
    .addColumn("signal_id", "integer", (c) => c.notNull().references("signals.id"))
    // Where it came from: "exchange <NAME>" or "import".
    .addColumn("source", "text", (c) => c.notNull())
    // The remote's stable name for the opinion (a feed's opinion id, a STIX opinion id, an org name).
    .addColumn("origin_key", "text", (c) => c.notNull())
    // The remote organisation's name, only when the remote's policy gave it.
    .addColumn("org_name", "text")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("foreign_opinions_key", ["signal_id", "source", "origin_key"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("foreign_opinions").execute();
  await db.schema.alterTable("opinions").dropColumn("retracted_at").execute();
}
