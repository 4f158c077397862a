/**
 * HMA's bank content (issue 17): one item with all its signals. A content is what HMA's
 * `/c/bank/<name>/signal` or `/content` added (a video: its video_md5 and vpdq signals), with
 * its note, its metadata and its `disable_until_ts`; each add is a new content, so two
 * contents may hold the same signal. `hma_content_signals` links them. `origin_signal_id`
 * marks the implicit content of a signal added another way (through /v1 or the CLI), one
 * per signal, made when HMA first names it; the signals there before this migration get
 * theirs here, with the signal's id as the content's id, so the ids HMA clients were given
 * (a content id was a signal id) still name the same thing.
 *
 * Also each organisation's HMA signal-type settings (`PUT /c/signal_type/<name>`).
 */

import { sql, type Kysely } from "kysely";
import { idColumn, isPostgres } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("hma_contents")
    .addColumn("id", ...idColumn(db))
    .addColumn("bank_id", "integer", (c) => c.notNull().references("banks.id"))
    .addColumn("note", "text")
    // BankedContentMetadata (content_id, content_uri, json) as JSON text; null when none.
    .addColumn("metadata", "text")
    // HMA's: 1 enabled, 0 disabled, a later Unix time: disabled until then.
    .addColumn("disable_until_ts", "bigint", (c) => c.notNull().defaultTo(1))
    // 1 while the content waits for its disable_until_ts to pass (the sweep re-enables it).
    .addColumn("enable_pending", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("origin_signal_id", "integer", (c) => c.unique())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("hma_contents_pending")
    .on("hma_contents")
    .columns(["enable_pending", "disable_until_ts"])
    .execute();
  await db.schema
    .createTable("hma_content_signals")
    .addColumn("content_id", "integer", (c) => c.notNull().references("hma_contents.id"))
    .addColumn("signal_id", "integer", (c) => c.notNull().references("signals.id"))
    .addPrimaryKeyConstraint("hma_content_signals_pk", ["content_id", "signal_id"])
    .execute();
  await db.schema.createIndex("hma_content_signals_signal").on("hma_content_signals").column("signal_id").execute();

  // Every signal so far is its own content, under its own id (the ids HMA clients hold).
  await sql`insert into hma_contents (id, bank_id, note, metadata, disable_until_ts, enable_pending, origin_signal_id, created_at, updated_at)
    select id, bank_id, case when source = '' then null else source end, null,
           case when status = 'active' then 1 else 0 end, 0, id, created_at, updated_at
    from signals`.execute(db);
  await sql`insert into hma_content_signals (content_id, signal_id) select id, id from signals`.execute(db);
  if (isPostgres(db))
    await sql`select setval(pg_get_serial_sequence('hma_contents', 'id'), greatest((select max(id) from hma_contents), (select max(id) from signals), 1))`.execute(
      db,
    );

  await db.schema
    .createTable("hma_signal_type_settings")
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("signal_type", "text", (c) => c.notNull())
    .addColumn("enabled_ratio", "real", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("hma_signal_type_settings_pk", ["org_id", "signal_type"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["hma_signal_type_settings", "hma_content_signals", "hma_contents"])
    await db.schema.dropTable(table).execute();
}
