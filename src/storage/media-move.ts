/**
 * Moves media bytes stored in the database before migration 0009 (`content_media`) into the
 * media store, one row at a time: read the bytes, put them in the store (durable before it
 * resolves), then in one transaction name them on the item and delete the row. A move killed
 * at any point loses nothing — before the transaction the row is still there (and a second
 * put of the same bytes is harmless), after it the bytes are in the store — so it is simply
 * run again: on start (when the process migrates) and by `rasd migrate`.
 */

import type { Kysely } from "kysely";
import { getLogger } from "../logging/logger.js";
import type { MediaStore } from "./ports/media.js";
import type { Database } from "./schema.js";

export interface MediaMoved {
  readonly items: number;
  readonly bytes: number;
}

/** Moves every row of `content_media` into `media`; `onMoved` is told after each (tests kill there). */
export async function moveMediaToStore(
  db: Kysely<Database>,
  media: MediaStore,
  onMoved?: (itemId: number) => void,
): Promise<MediaMoved> {
  let items = 0;
  let bytes = 0;
  let after = -1;
  for (;;) {
    // Ids first, bytes one row at a time: a page of videos would not fit in memory.
    const ids = await db
      .selectFrom("content_media")
      .select("item_id")
      .where("item_id", ">", after)
      .orderBy("item_id")
      .limit(100)
      .execute();
    if (ids.length === 0) break;
    for (const { item_id: id } of ids) {
      const row = await db.selectFrom("content_media").select("bytes").where("item_id", "=", id).executeTakeFirst();
      if (!row) continue; // another process moved it meanwhile
      const stored = await media.put(row.bytes);
      await db.transaction().execute(async (tx) => {
        await tx.updateTable("content_items").set({ media_sha256: stored.key }).where("id", "=", id).execute();
        await tx.deleteFrom("content_media").where("item_id", "=", id).execute();
      });
      items++;
      bytes += stored.size;
      onMoved?.(id);
    }
    after = ids[ids.length - 1]!.item_id;
  }
  if (items > 0)
    getLogger("storage").info(
      { items, bytes, to: media.location },
      "moved media out of the database into the media store",
    );
  return { items, bytes };
}
