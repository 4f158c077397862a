/**
 * The labelling queue (issue 16): items drawn at random, per stratum (period, platform,
 * language, predicted label), for people to label their stance; the labels make the
 * prevalence figures valid whatever the classifier's errors (kernels/quantify/ppi.ts). One
 * row per item drawn; `stance` is null until someone labels it.
 */

import type { Kysely } from "kysely";
import { idColumn } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("stance_labels")
    .addColumn("id", ...idColumn(db))
    .addColumn("item_id", "integer", (c) => c.notNull().unique().references("content_items.id"))
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("period_start", "bigint", (c) => c.notNull())
    .addColumn("interval", "text", (c) => c.notNull())
    .addColumn("drawn_at", "bigint", (c) => c.notNull())
    .addColumn("drawn_by", "integer")
    .addColumn("stance", "text")
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("labelled_by", "integer")
    .addColumn("labelled_at", "bigint")
    .execute();
  await db.schema.createIndex("stance_labels_org").on("stance_labels").columns(["org_id", "labelled_at"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("stance_labels").execute();
}
