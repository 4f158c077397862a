/**
 * Media retention: an item's image or video bytes are kept RASD_MEDIA_RETENTION_DAYS after it
 * was processed (0: for ever), longer while an open review, an escalated review or a
 * complaint without its outcome holds it. Its hashes, matches, actions and decisions stay.
 * A sweep (every worker, every RASD_MEDIA_SWEEP_MINUTES, and `rasd media sweep`) marks the
 * expired items first (`media_expired_at`, so the review API says "media expired"), then
 * deletes bytes no kept item still names. Bytes no item names at all (a submission whose
 * transaction failed after its bytes were stored, a sweep killed between marking and
 * deleting) go once they are a day old.
 *
 * Deleting races a new submission of the same bytes: the submission stores them (renewing
 * the file) before its item is written. A sweep deletes only bytes unchanged since
 * `SETTLE_MS` before it looked, and a submission's put and commit are minutes apart at most.
 */

import { getLogger } from "../logging/logger.js";
import type { ContentStore, MediaStore } from "../storage/ports/index.js";

const DAY_MS = 86_400_000;
/** Bytes stored this recently are never deleted by a sweep (a submission may be committing). */
export const SETTLE_MS = 10 * 60_000;
/** Bytes no item names are deleted when they are older than this. */
export const ORPHAN_AGE_MS = DAY_MS;
const PAGE = 500;

export interface SweepOptions {
  /** Days after processing; 0 keeps media for ever (the sweep then only removes orphans). */
  readonly retentionDays: number;
  /** Count only: mark and delete nothing. */
  readonly dryRun?: boolean;
  readonly now?: number;
}

export interface SweepResult {
  readonly dryRun: boolean;
  /** Items whose media expired in this sweep (or would, dry). */
  readonly expiredItems: number;
  /** Their media's bytes, as submitted (items sharing bytes count each). */
  readonly expiredBytes: number;
  /** Distinct stored objects those items name (deleted unless a kept item shares the bytes). */
  readonly expiredKeys: number;
  /** Stored objects deleted (0 in a dry run). */
  readonly deletedObjects: number;
  /** Objects no item names, older than a day, deleted (or that would be). */
  readonly orphansDeleted: number;
}

export async function sweepMedia(
  deps: { content: ContentStore; media: MediaStore },
  options: SweepOptions,
): Promise<SweepResult> {
  const now = options.now ?? Date.now();
  const dryRun = options.dryRun ?? false;
  const settled = now - SETTLE_MS;
  let expiredItems = 0;
  let expiredBytes = 0;
  let expiredKeys = 0;
  let deletedObjects = 0;
  if (options.retentionDays > 0) {
    const before = now - options.retentionDays * DAY_MS;
    const keys = new Set<string>();
    for (let after = 0; ;) {
      const page = await deps.content.mediaToExpire(before, after, PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1]!.itemId;
      const marked = dryRun
        ? page
        : await deps.content.expireMedia(
            page.map((p) => p.itemId),
            before,
            now,
          );
      expiredItems += marked.length;
      for (const m of marked) {
        expiredBytes += m.size;
        keys.add(m.key);
      }
    }
    expiredKeys = keys.size;
    // Delete what no kept item names any more (the same bytes may have been submitted twice).
    const all = dryRun ? [] : [...keys];
    for (let i = 0; i < all.length; i += PAGE) {
      const chunk = all.slice(i, i + PAGE);
      const live = await deps.content.liveMediaKeys(chunk);
      for (const key of chunk) if (!live.has(key) && (await deps.media.delete(key, settled))) deletedObjects++;
    }
  }
  const orphansDeleted = await sweepOrphans(deps, now, dryRun);
  const result = { dryRun, expiredItems, expiredBytes, expiredKeys, deletedObjects, orphansDeleted };
  if (!dryRun && (expiredItems > 0 || orphansDeleted > 0))
    getLogger("media retention").info(
      { ...result, retentionDays: options.retentionDays, store: deps.media.location },
      "media retention let expired media go",
    );
  return result;
}

async function sweepOrphans(
  deps: { content: ContentStore; media: MediaStore },
  now: number,
  dryRun: boolean,
): Promise<number> {
  let deleted = 0;
  let batch: string[] = [];
  const flush = async (): Promise<void> => {
    const live = await deps.content.liveMediaKeys(batch);
    for (const key of batch)
      if (!live.has(key) && (dryRun || (await deps.media.delete(key, now - ORPHAN_AGE_MS)))) deleted++;
    batch = [];
  };
  for await (const o of deps.media.list()) {
    if (o.modifiedAt >= now - ORPHAN_AGE_MS) continue;
    batch.push(o.key);
    if (batch.length >= PAGE) await flush();
  }
  if (batch.length) await flush();
  return deleted;
}

/** Sweeps now and then in a worker; a failed sweep is logged and tried again next time. */
export class MediaRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly deps: { content: ContentStore; media: MediaStore },
    private readonly options: { retentionDays: number; everyMs: number },
  ) {}

  start(): void {
    if (this.timer) return;
    // The first sweep a minute after start, so a restart storm does not sweep at once everywhere.
    const first = Math.min(60_000, this.options.everyMs);
    this.timer = setTimeout(() => this.tick(), first).unref();
  }

  private tick(): void {
    this.running = sweepMedia(this.deps, { retentionDays: this.options.retentionDays })
      .catch((error: unknown) =>
        getLogger("media retention").error({ err: error }, "media retention sweep failed; trying again later"),
      )
      .finally(() => {
        this.running = undefined;
        if (this.timer) this.timer = setTimeout(() => this.tick(), this.options.everyMs).unref();
      });
  }

  /** Stops sweeping; waits for a sweep under way. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
