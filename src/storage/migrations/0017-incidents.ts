/**
 * The crisis protocol (issue 20): incidents (tier, drill flag, their bank), the log of timed
 * events every debrief figure is computed from, variants proposed to the incident bank, and
 * the alerts sent to members' webhook receivers (delivered by the webhook worker through
 * "incident" jobs).
 */

import type { Kysely } from "kysely";
import { idColumn } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("incidents")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("declared_by", "integer")
    .addColumn("tier", "integer", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("drill", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("bank_id", "integer", (c) => c.notNull().unique().references("banks.id"))
    .addColumn("declared_at", "bigint", (c) => c.notNull())
    .addColumn("closed_at", "bigint")
    .addColumn("improve", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("incidents_status").on("incidents").columns(["status", "id"]).execute();
  await db.schema
    .createTable("incident_events")
    .addColumn("id", ...idColumn(db))
    .addColumn("incident_id", "integer", (c) => c.notNull().references("incidents.id"))
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("org_id", "integer")
    .addColumn("item_id", "integer")
    .addColumn("signal_id", "integer")
    .addColumn("variant_id", "integer")
    .addColumn("detail", "text", (c) => c.notNull().defaultTo("{}"))
    .execute();
  await db.schema
    .createIndex("incident_events_incident")
    .on("incident_events")
    .columns(["incident_id", "at"])
    .execute();
  await db.schema.createIndex("incident_events_item").on("incident_events").columns(["item_id"]).execute();
  await db.schema
    .createTable("incident_variants")
    .addColumn("id", ...idColumn(db))
    .addColumn("incident_id", "integer", (c) => c.notNull().references("incidents.id"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("item_id", "integer")
    .addColumn("org_id", "integer")
    .addColumn("near_signal_id", "integer")
    .addColumn("distance", "real")
    .addColumn("similarity", "real")
    .addColumn("seen", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("proposed"))
    .addColumn("proposed_at", "bigint", (c) => c.notNull())
    .addColumn("decided_at", "bigint")
    .addColumn("decided_by", "integer")
    .addColumn("signal_id", "integer")
    .addUniqueConstraint("incident_variants_value", ["incident_id", "type", "value"])
    .execute();
  await db.schema
    .createTable("incident_alerts")
    .addColumn("id", ...idColumn(db))
    .addColumn("incident_id", "integer", (c) => c.notNull().references("incidents.id"))
    .addColumn("org_id", "integer", (c) => c.notNull())
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("delivery_id", "text", (c) => c.notNull().unique())
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("rule_id", "integer", (c) => c.notNull())
    .addColumn("action_index", "integer", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_status", "integer")
    .addColumn("last_error", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("delivered_at", "bigint")
    .execute();
  await db.schema.createIndex("incident_alerts_incident").on("incident_alerts").columns(["incident_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("incident_alerts").execute();
  await db.schema.dropTable("incident_variants").execute();
  await db.schema.dropTable("incident_events").execute();
  await db.schema.dropTable("incidents").execute();
}
