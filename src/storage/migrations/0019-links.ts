/**
 * Links that stay down (issue 19): banked URLs checked for liveness (`links`, one row per
 * canonical URL, with its schedule and the lease a worker holds while checking it), every
 * check with its redirect chain (`link_checks`), the pacing of each host shared by every
 * worker (`link_hosts`), the domains a member lists as its own (`org_domains`), the alerts
 * sent to those members (`link_alerts`, one per link and member), and the chains followed when
 * a submitted link was expanded (`link_expansions`). Chains are JSON text.
 */

import type { Kysely } from "kysely";
import { idColumn } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("links")
    .addColumn("id", ...idColumn(db))
    .addColumn("url", "text", (c) => c.notNull().unique())
    .addColumn("host", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("unchecked"))
    .addColumn("status_at", "bigint")
    .addColumn("banked_at", "bigint", (c) => c.notNull())
    .addColumn("first_online_at", "bigint")
    .addColumn("last_online_at", "bigint")
    .addColumn("first_offline_at", "bigint")
    .addColumn("last_checked_at", "bigint")
    .addColumn("checks", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_check_at", "bigint", (c) => c.notNull())
    .addColumn("last_http_status", "integer")
    .addColumn("last_error", "text")
    .addColumn("final_url", "text")
    .addColumn("lease_owner", "text")
    .addColumn("lease_until", "bigint")
    .execute();
  await db.schema.createIndex("links_due").on("links").columns(["next_check_at"]).execute();
  await db.schema.createIndex("links_host").on("links").columns(["host"]).execute();

  await db.schema
    .createTable("link_checks")
    .addColumn("id", ...idColumn(db))
    .addColumn("link_id", "integer", (c) => c.notNull().references("links.id"))
    .addColumn("checked_at", "bigint", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("http_status", "integer")
    .addColumn("detail", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("hops", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();
  await db.schema.createIndex("link_checks_link").on("link_checks").columns(["link_id", "checked_at"]).execute();

  await db.schema
    .createTable("link_hosts")
    .addColumn("host", "text", (c) => c.primaryKey())
    .addColumn("not_before", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("org_domains")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("domain", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("link_alerts")
    .addColumn("id", ...idColumn(db))
    .addColumn("link_id", "integer", (c) => c.notNull().references("links.id"))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("item_id", "integer")
    .addColumn("alerted_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("link_alerts_link_org", ["link_id", "org_id"])
    .execute();
  await db.schema.createIndex("link_alerts_time").on("link_alerts").columns(["alerted_at"]).execute();

  await db.schema
    .createTable("link_expansions")
    .addColumn("id", ...idColumn(db))
    .addColumn("org_id", "integer", (c) => c.notNull())
    .addColumn("item_id", "integer")
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("final_url", "text")
    .addColumn("hops", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("error", "text")
    .addColumn("expanded_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("link_expansions_url").on("link_expansions").columns(["url"]).execute();
  await db.schema.createIndex("link_expansions_item").on("link_expansions").columns(["item_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["link_expansions", "link_alerts", "org_domains", "link_hosts", "link_checks", "links"])
    await db.schema.dropTable(table).execute();
}
