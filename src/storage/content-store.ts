/**
 * Submitted content, its media, classifications and outcomes (ports/content.ts) over Kysely.
 *
 * Accepting items queues their jobs in the same transaction, so a 202 means both are on
 * disk; media bytes go to the media store (ports/media.ts) before it, and the item keeps
 * their key. Media retention's reads and marks are here too (services/media-retention.ts). `finishItems` and `saveClassifications` take a `Db` because the pipeline's results
 * are written inside the one transaction of `KyselyActionStore.commitResults`.
 */

import { sql, type Expression, type Kysely, type Selectable, type SqlBool } from "kysely";
import { RasdError } from "../core/errors.js";
import { enqueueJobs, type Db } from "./job-queue.js";
import { chunksOf, runRows, type RowsShape } from "./multi-row.js";
import type {
  Accepted,
  Classification,
  ContentItem,
  ExpiringMedia,
  ContentKind,
  ContentStore,
  HistoricItem,
  ItemOutcome,
  ItemStatus,
  ItemTimes,
  NewContent,
  NewOutcome,
  Outcome,
} from "./ports/content.js";
import type { MediaStore } from "./ports/media.js";
import type { LinkedItem, RecordedAction } from "./ports/actions.js";
import type { ClassificationsTable, ContentItemsTable, ContentOutcomesTable, Database } from "./schema.js";

export type { Accepted, ContentKind, NewContent } from "./ports/content.js";
export { CONTENT_KINDS } from "./ports/content.js";

/** Items per multi-row insert when accepting. */
const ACCEPT_CHUNK = 500;
/** The insert of accepted items (a row of 17 values; multi-row.ts). */
const ACCEPT_ROWS: RowsShape = {
  head: `insert into content_items (org_id, person_id, idempotency_key, request_hash, kind, content_id, author_id,
    posted_at, media_type, media_size, media_sha256, url, text, platform, country, author, received_at, status) values`,
  width: 17,
  row: (p) => `(${p.join(", ")}, 'received')`,
  tail: "on conflict (org_id, idempotency_key) do nothing returning id, org_id, idempotency_key",
};
/** Rows per statement when finishing items or saving classifications. */
const WRITE_CHUNK = 200;
/** Media objects stored at once while accepting (each waits for its fsync). */
const PUTS_AT_ONCE = 8;
/** Most items or actions one list call returns. */
const MAX_PAGE = 500;

const num = (v: number | null): number | null => (v === null ? null : Number(v));

function toItem(r: Selectable<ContentItemsTable>): ContentItem {
  return {
    id: r.id,
    orgId: r.org_id,
    personId: r.person_id,
    kind: r.kind as ContentKind,
    contentId: r.content_id,
    authorId: r.author_id,
    postedAt: num(r.posted_at),
    mediaType: r.media_type,
    mediaSize: num(r.media_size),
    mediaKey: r.media_sha256,
    mediaExpiredAt: num(r.media_expired_at),
    url: r.url,
    text: r.text,
    platform: r.platform,
    country: r.country,
    author: r.author ?? null,
    status: r.status as ItemStatus,
    error: r.error,
    hashes: r.hashes,
    matches: r.matches,
    receivedAt: Number(r.received_at),
    hashedAt: num(r.hashed_at),
    matchedAt: num(r.matched_at),
    classifiedAt: num(r.classified_at),
    actedAt: num(r.acted_at),
  };
}

function toOutcome(r: Selectable<ContentOutcomesTable>): Outcome {
  return {
    id: r.id,
    itemId: r.item_id,
    orgId: r.org_id,
    personId: r.person_id,
    kind: r.kind,
    basis: r.basis,
    reason: r.reason,
    authority: r.authority,
    note: r.note,
    at: Number(r.at),
    recordedAt: Number(r.recorded_at),
  };
}

function toClassification(r: Selectable<ClassificationsTable>): Classification {
  return {
    itemId: r.item_id,
    model: r.model,
    label: r.label,
    score: r.score,
    pPro: r.p_pro,
    pAnti: r.p_anti,
    pNeutral: r.p_neutral,
    lang: r.lang,
    behaviour: r.behaviour,
    classifiedAt: Number(r.classified_at),
  };
}

/** The update of finished items from a list of values (multi-row.ts). */
const FINISH_ROWS: RowsShape = {
  head: "update content_items set status = v.column2, error = v.column3, hashes = v.column4, matches = v.column5, hashed_at = v.column6, matched_at = v.column7, acted_at = v.column8, classified_at = v.column9 from (values",
  width: 9,
  row: (p) =>
    `(cast(${p[0]} as integer), cast(${p[1]} as text), cast(${p[2]} as text), cast(${p[3]} as text), cast(${p[4]} as text), cast(${p[5]} as bigint), cast(${p[6]} as bigint), cast(${p[7]} as bigint), cast(${p[8]} as bigint))`,
  tail: ") as v where content_items.id = v.column1",
};

/** Records the outcome of hash and match for many items in one statement per 200. */
export async function finishItems(db: Db, rows: readonly ItemOutcome[]): Promise<void> {
  for (const chunk of chunksOf(rows, WRITE_CHUNK))
    await runRows(
      db,
      FINISH_ROWS,
      chunk.rows.map((r) => [
        r.id,
        r.status,
        r.error,
        r.hashes,
        r.matches,
        r.hashedAt,
        r.matchedAt,
        r.actedAt,
        r.classifiedAt ?? null,
      ]),
    );
}

/**
 * Writes what following items' links found: their hashes (with the chains) and matches. An
 * item that was done becomes "acting" again while a webhook fired by a hop match is pending
 * (the delivery worker marks it done once none is); any other status is kept.
 */
export async function recordLinkedItems(
  db: Db,
  rows: readonly LinkedItem[],
  recorded: readonly RecordedAction[],
): Promise<void> {
  const pending = new Set(recorded.filter((r) => r.created && r.status === "pending").map((r) => r.itemId));
  for (const r of rows)
    await db
      .updateTable("content_items")
      .set({
        hashes: r.hashes,
        matches: r.matches,
        ...(pending.has(r.id) ? { status: sql<string>`case when status = 'done' then 'acting' else status end` } : {}),
      })
      .where("id", "=", r.id)
      .execute();
  await addReviewBanks(db, rows);
}

/**
 * An item already in review when its links matched is not queued again (decision 0038): its
 * entry gains the banks the hop matches are of, so the queue's bank filter finds it (0039).
 */
async function addReviewBanks(db: Db, rows: readonly LinkedItem[]): Promise<void> {
  const banks = new Map<number, Set<number>>();
  for (const r of rows) {
    let matches: unknown;
    try {
      matches = JSON.parse(r.matches);
    } catch {
      continue;
    }
    if (!Array.isArray(matches)) continue;
    const set = new Set<number>();
    for (const m of matches as { bankId?: unknown; suppressed?: unknown }[])
      if (!m.suppressed && typeof m.bankId === "number") set.add(m.bankId);
    if (set.size) banks.set(r.id, set);
  }
  if (banks.size === 0) return;
  const entries = await db
    .selectFrom("review_items")
    .select(["id", "item_id"])
    .where("item_id", "in", [...banks.keys()])
    .execute();
  const links = entries.flatMap((e) => [...banks.get(e.item_id)!].map((b) => ({ review_id: e.id, bank_id: b })));
  for (let i = 0; i < links.length; i += WRITE_CHUNK)
    await db
      .insertInto("review_banks")
      .values(links.slice(i, i + WRITE_CHUNK))
      .onConflict((oc) => oc.columns(["review_id", "bank_id"]).doNothing())
      .execute();
}

/** The insert of classifications (multi-row.ts); a rerun of the same job keeps the first. */
const CLASSIFY_ROWS: RowsShape = {
  head: "insert into classifications (item_id, model, label, score, p_pro, p_anti, p_neutral, lang, behaviour, classified_at) values",
  width: 10,
  tail: "on conflict (item_id) do nothing",
};

/** Records classifications (a rerun of the same job keeps the first). */
export async function saveClassifications(db: Db, rows: readonly Classification[]): Promise<void> {
  for (const chunk of chunksOf(rows, WRITE_CHUNK))
    await runRows(
      db,
      CLASSIFY_ROWS,
      chunk.rows.map((r) => [
        r.itemId,
        r.model,
        r.label,
        r.score,
        r.pPro,
        r.pAnti,
        r.pNeutral,
        r.lang,
        r.behaviour,
        r.classifiedAt,
      ]),
    );
}

function outcomeValues(o: NewOutcome, recordedAt: number) {
  return {
    item_id: o.itemId,
    org_id: o.orgId,
    person_id: o.personId,
    kind: o.kind,
    basis: o.basis,
    reason: o.reason,
    authority: o.authority,
    note: o.note,
    at: o.at,
    recorded_at: recordedAt,
  };
}

/**
 * Media retention may let an item's media go: kept, processed before `before`, and held by
 * no open review, no escalated review (an open case) and no complaint without its outcome.
 */
function mayExpire(before: number): Expression<SqlBool> {
  return sql<SqlBool>`content_items.media_sha256 is not null and content_items.media_expired_at is null
    and content_items.hashed_at is not null and content_items.hashed_at < ${before}
    and not exists (select 1 from review_items r where r.item_id = content_items.id
      and (r.status = 'open' or r.decision = 'escalate'))
    and not exists (select 1 from content_outcomes c where c.item_id = content_items.id and c.kind = 'complaint'
      and not exists (select 1 from content_outcomes d where d.item_id = c.item_id and d.id > c.id
        and d.kind in ('complaint_upheld', 'complaint_rejected')))`;
}

export class KyselyContentStore implements ContentStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly media: MediaStore,
  ) {}

  async accept(items: readonly NewContent[]): Promise<(Accepted | RasdError)[]> {
    // Bytes first, durably: a committed item always finds its media. A put whose item is not
    // created (a replay, a conflict, a failed transaction) leaves bytes no item names; the
    // retention sweep removes those after a day.
    const keys = new Map<number, string>();
    const withMedia = items.flatMap((c, i) => (c.media ? [i] : []));
    for (let from = 0; from < withMedia.length; from += PUTS_AT_ONCE)
      await Promise.all(
        withMedia
          .slice(from, from + PUTS_AT_ONCE)
          .map(async (i) => keys.set(i, (await this.media.put(items[i]!.media!)).key)),
      );
    return this.db.transaction().execute(async (tx) => {
      const out: (Accepted | RasdError | undefined)[] = new Array<undefined>(items.length);
      const created: number[] = [];
      for (const { from, rows: chunk } of chunksOf(items, ACCEPT_CHUNK)) {
        // One multi-row insert per chunk; rows whose key was seen before are skipped.
        const rows = await runRows<{ id: number; org_id: number; idempotency_key: string }>(
          tx,
          ACCEPT_ROWS,
          chunk.map((c, i) => [
            c.orgId,
            c.personId,
            c.idempotencyKey,
            c.requestHash,
            c.kind,
            c.contentId,
            c.authorId,
            c.postedAt,
            c.mediaType,
            c.media ? c.media.byteLength : null,
            keys.get(from + i) ?? null,
            c.url,
            c.text,
            c.platform ?? "",
            c.country ?? "",
            c.author ?? null,
            c.receivedAt,
          ]),
        );
        const ids = new Map(rows.map((r) => [`${r.org_id}\u0000${r.idempotency_key}`, r.id]));
        for (let i = 0; i < chunk.length; i++) {
          const c = chunk[i]!;
          const k = `${c.orgId}\u0000${c.idempotencyKey}`;
          const id = ids.get(k);
          if (id === undefined) continue;
          ids.delete(k); // a key twice in one batch: the second is a replay of the first
          created.push(id);
          out[from + i] = { id, replay: false };
        }
      }
      for (let i = 0; i < items.length; i++) {
        if (out[i]) continue;
        const c = items[i]!;
        const earlier = await tx
          .selectFrom("content_items")
          .select(["id", "request_hash"])
          .where("org_id", "=", c.orgId)
          .where("idempotency_key", "=", c.idempotencyKey)
          .executeTakeFirstOrThrow();
        out[i] =
          earlier.request_hash === c.requestHash
            ? { id: earlier.id, replay: true }
            : new RasdError(
                "conflict",
                `Idempotency-Key "${c.idempotencyKey}" was already used for a different request (item ${earlier.id})`,
              );
      }
      if (created.length) await enqueueJobs(tx, "content", created, Date.now());
      return out as (Accepted | RasdError)[];
    });
  }

  async getItem(id: number): Promise<ContentItem | undefined> {
    const r = await this.db.selectFrom("content_items").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toItem(r);
  }

  async getItems(ids: readonly number[]): Promise<ContentItem[]> {
    if (ids.length === 0) return [];
    return (await this.db.selectFrom("content_items").selectAll().where("id", "in", ids).execute()).map(toItem);
  }

  async listItems(
    orgId: number,
    options: { beforeId?: number; limit?: number; status?: string } = {},
  ): Promise<ContentItem[]> {
    let q = this.db
      .selectFrom("content_items")
      .selectAll()
      .where("org_id", "=", orgId)
      .orderBy("id", "desc")
      .limit(Math.min(options.limit ?? 50, MAX_PAGE));
    if (options.beforeId !== undefined) q = q.where("id", "<", options.beforeId);
    if (options.status !== undefined) q = q.where("status", "=", options.status);
    return (await q.execute()).map(toItem);
  }

  async getMedia(itemId: number): Promise<Uint8Array | undefined> {
    const item = await this.db
      .selectFrom("content_items")
      .select(["media_sha256", "media_expired_at"])
      .where("id", "=", itemId)
      .executeTakeFirst();
    if (!item || item.media_expired_at !== null) return undefined;
    if (item.media_sha256 !== null) return this.media.get(item.media_sha256);
    // Not moved yet (written by an older rasd during an upgrade): still in the database.
    const r = await this.db
      .selectFrom("content_media")
      .select("bytes")
      .where("item_id", "=", itemId)
      .executeTakeFirst();
    return r?.bytes;
  }

  async mediaToExpire(processedBefore: number, afterId: number, limit: number): Promise<ExpiringMedia[]> {
    const rows = await this.db
      .selectFrom("content_items")
      .select(["id", "media_sha256", "media_size"])
      .where(mayExpire(processedBefore))
      .where("id", ">", afterId)
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ itemId: r.id, key: r.media_sha256!, size: Number(r.media_size ?? 0) }));
  }

  async expireMedia(itemIds: readonly number[], processedBefore: number, at: number): Promise<ExpiringMedia[]> {
    if (itemIds.length === 0) return [];
    const rows = await this.db
      .updateTable("content_items")
      .set({ media_expired_at: at })
      .where("id", "in", itemIds)
      .where(mayExpire(processedBefore))
      .returning(["id", "media_sha256", "media_size"])
      .execute();
    return rows.map((r) => ({ itemId: r.id, key: r.media_sha256!, size: Number(r.media_size ?? 0) }));
  }

  async liveMediaKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.db
      .selectFrom("content_items")
      .select("media_sha256")
      .distinct()
      .where("media_sha256", "in", keys)
      .where("media_expired_at", "is", null)
      .execute();
    return new Set(rows.map((r) => r.media_sha256!));
  }

  async timesOf(ids: readonly number[]): Promise<ItemTimes[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom("content_items")
      .select(["received_at", "hashed_at", "matched_at", "acted_at"])
      .where("id", "in", ids)
      .execute();
    return rows.map((r) => ({
      receivedAt: Number(r.received_at),
      hashedAt: num(r.hashed_at),
      matchedAt: num(r.matched_at),
      actedAt: num(r.acted_at),
    }));
  }

  async itemTimes(orgId: number, since: number, limit: number): Promise<ItemTimes[]> {
    const rows = await this.db
      .selectFrom("content_items")
      .select(["received_at", "hashed_at", "matched_at", "acted_at"])
      .where("org_id", "=", orgId)
      .where("received_at", ">=", since)
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      receivedAt: Number(r.received_at),
      hashedAt: num(r.hashed_at),
      matchedAt: num(r.matched_at),
      actedAt: num(r.acted_at),
    }));
  }

  async classificationOf(itemId: number): Promise<Classification | undefined> {
    const r = await this.db.selectFrom("classifications").selectAll().where("item_id", "=", itemId).executeTakeFirst();
    return r && toClassification(r);
  }

  async addOutcome(o: NewOutcome, check: (earlier: readonly Outcome[]) => void): Promise<Outcome> {
    return this.db.transaction().execute(async (tx) => {
      const earlier = await tx
        .selectFrom("content_outcomes")
        .selectAll()
        .where("item_id", "=", o.itemId)
        .orderBy("id")
        .execute();
      check(earlier.map(toOutcome));
      const r = await tx
        .insertInto("content_outcomes")
        .values(outcomeValues(o, Date.now()))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toOutcome(r);
    });
  }

  async outcomesOf(itemIds: readonly number[]): Promise<Outcome[]> {
    if (itemIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("content_outcomes")
      .selectAll()
      .where("item_id", "in", itemIds)
      .orderBy("item_id")
      .orderBy("id")
      .execute();
    return rows.map(toOutcome);
  }

  async importHistory(items: readonly HistoricItem[]): Promise<number[]> {
    if (items.length === 0) return [];
    return this.db.transaction().execute(async (tx) => {
      const ids: number[] = [];
      for (const { rows: chunk } of chunksOf(items, ACCEPT_CHUNK)) {
        const rows = await tx
          .insertInto("content_items")
          .values(
            chunk.map((h) => ({
              org_id: h.orgId,
              person_id: h.personId,
              idempotency_key: h.idempotencyKey,
              request_hash: "",
              kind: h.kind,
              content_id: h.contentId,
              author_id: h.authorId,
              posted_at: h.postedAt,
              media_type: null,
              media_size: null,
              media_sha256: null,
              url: null,
              text: h.text,
              platform: h.platform,
              country: h.country,
              status: "done",
              received_at: h.receivedAt,
              hashed_at: h.hashedAt,
              matched_at: h.matchedAt,
              classified_at: h.classifiedAt,
              acted_at: h.actedAt,
            })),
          )
          .returning("id")
          .execute();
        // Multi-row insert returns rows in the order of its values on both dialects.
        ids.push(...rows.map((r) => r.id));
      }
      const classifications: Classification[] = [];
      const outcomes: ReturnType<typeof outcomeValues>[] = [];
      items.forEach((h, i) => {
        const itemId = ids[i]!;
        if (h.classification) classifications.push({ ...h.classification, itemId });
        for (const o of h.outcomes ?? []) outcomes.push(outcomeValues({ ...o, itemId }, o.at));
      });
      await saveClassifications(tx, classifications);
      for (let i = 0; i < outcomes.length; i += ACCEPT_CHUNK)
        await tx
          .insertInto("content_outcomes")
          .values(outcomes.slice(i, i + ACCEPT_CHUNK))
          .execute();
      return ids;
    });
  }
}
