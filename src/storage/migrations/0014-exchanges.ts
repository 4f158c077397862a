/**
 * Exchanges (issue 17): an organisation's configured feeds from outside — another rasd's
 * change feed, a TAXII 2.1 collection, Meta's ThreatExchange — each fetched into a bank of its
 * own. A row holds the configuration (JSON), the credentials sealed under the master key, the
 * checkpoint to resume from, the last fetch's status, and the lease a worker holds while it
 * fetches (so two workers never fetch one exchange at once).
 */

import type { Kysely } from "kysely";
import { idColumn } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("exchanges")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("api", "text", (c) => c.notNull())
    .addColumn("bank_id", "integer", (c) => c.notNull().references("banks.id"))
    .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("config", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("credentials", "text")
    .addColumn("checkpoint", "text")
    .addColumn("checkpoint_at", "bigint")
    .addColumn("fetch_started_at", "bigint")
    .addColumn("fetch_ended_at", "bigint")
    .addColumn("fetch_ok", "integer")
    .addColumn("up_to_date", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("fetched_items", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addColumn("next_fetch_at", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("lease_owner", "text")
    .addColumn("lease_until", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("exchanges").execute();
}
