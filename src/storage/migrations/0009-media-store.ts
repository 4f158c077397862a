/**
 * Media leaves the database (ports/media.ts): an item names its bytes by their SHA-256
 * (`media_sha256`, the media store's key) and records when retention let them go
 * (`media_expired_at`; the hash, the item and its decisions stay). The bytes already in
 * `content_media` are moved into the store after this migration by `moveMediaToStore`
 * (storage/media-move.ts, run on start and by `rasd migrate`), a row at a time, so a move
 * killed midway loses nothing and the next run goes on. The emptied `content_media` table
 * stays in this version: a process of the previous version still running during an upgrade
 * writes there, and the next move picks its rows up.
 */

import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("content_items").addColumn("media_sha256", "text").execute();
  await db.schema.alterTable("content_items").addColumn("media_expired_at", "bigint").execute();
  // The retention sweep's candidates: media still held, by when the item was processed.
  await db.schema
    .createIndex("content_items_media_live")
    .on("content_items")
    .columns(["hashed_at", "id"])
    .where(sql.ref("media_sha256"), "is not", null)
    .where(sql.ref("media_expired_at"), "is", null)
    .execute();
  // Is a key still needed by another item (the same bytes submitted twice)?
  await db.schema.createIndex("content_items_media_sha256").on("content_items").column("media_sha256").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("content_items_media_sha256").execute();
  await db.schema.dropIndex("content_items_media_live").execute();
  await db.schema.alterTable("content_items").dropColumn("media_expired_at").execute();
  await db.schema.alterTable("content_items").dropColumn("media_sha256").execute();
}
