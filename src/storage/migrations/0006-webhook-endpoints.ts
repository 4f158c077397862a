/**
 * Webhook endpoints (an organisation's target origin, core/webhook-endpoints.ts): their
 * health — failures in a row, since when, the last error — and whether they are disabled.
 * A row exists once an endpoint has had an outcome worth remembering; no row is healthy.
 */

import type { Kysely } from "kysely";
import { idColumn } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("webhook_endpoints")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("origin", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("since", "bigint", (c) => c.notNull())
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failing_since", "bigint")
    .addColumn("last_error", "text")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("webhook_endpoints_org_origin", ["org_id", "origin"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("webhook_endpoints").execute();
}
