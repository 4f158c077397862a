/**
 * The change feed: every signal change a caller may see — additions, updates, opinions and
 * retractions — in the order the store numbered them, resumable from a cursor. It is what
 * mirrors and federation links poll (`GET /v1/changes`).
 *
 * Each change is a signal's whole state at that number (a later change of the same signal
 * supersedes it), with the members' opinions of it. A retraction is a tombstone, and so is
 * every signal of a deleted bank: a caller who could see the bank learns of them.
 *
 * Visibility is the caller's now. A bank that becomes visible later brings its signals from
 * cursor 0 (`bankId`); a bank that stops being visible is no longer listed in `banks`, and a
 * mirror drops what it holds of it. The page never runs past the change number that was
 * committed when it was read, so a change committed later is never skipped.
 */

import { RasdError } from "../core/errors.js";
import { NO_SHARING, canSeeBank } from "../core/sharing.js";
import type { Bank, Opinion, Signal } from "../core/model.js";
import type { SignalStore } from "../storage/store.js";
import type { AccessService, Principal } from "./access.js";

export const CHANGES_DEFAULT_LIMIT = 500;
export const CHANGES_MAX_LIMIT = 5000;

export interface ChangeEntry {
  readonly signal: Signal;
  readonly opinions: readonly Opinion[];
}

export interface ChangesPage {
  readonly changes: readonly ChangeEntry[];
  /** Pass back as `cursor` to continue; when `more` is false, poll again later with it. */
  readonly cursor: number;
  readonly more: boolean;
  /** The banks the caller may see now (deleted ones it could see included, marked deleted). */
  readonly banks: readonly Bank[];
}

/** Longest wait a caller may ask for (`wait`, seconds), and how often the counter is looked at while waiting. */
export const CHANGES_MAX_WAIT_SECONDS = 25;
const WAIT_POLL_MS = 100;

export class ChangeFeed {
  constructor(
    private readonly store: SignalStore,
    private readonly access: AccessService,
    /** Banks whose signals were fetched from elsewhere (exchanges): never in the feed, so mirrors do not loop. */
    private readonly mirrored: () => Promise<readonly number[]> = () => Promise.resolve([]),
  ) {}

  /** The banks whose changes `who` may follow: visible now, or visible when they were deleted. */
  async followedBanks(who: Principal): Promise<Bank[]> {
    const [banks, sharing, mirrored] = await Promise.all([
      this.store.listBanks(undefined, { includeDeleted: true }),
      this.access.store.allSharing(),
      this.mirrored(),
    ]);
    const skip = new Set(mirrored);
    return banks.filter(
      (b) => !skip.has(b.id) && canSeeBank(who, { ...b, deleted: false }, sharing.get(b.id) ?? NO_SHARING),
    );
  }

  async page(who: Principal, cursor: number, limit = CHANGES_DEFAULT_LIMIT, bankId?: number): Promise<ChangesPage> {
    if (!Number.isSafeInteger(cursor) || cursor < 0)
      throw new RasdError("invalid", `cursor: not a change cursor: ${cursor}`);
    const size = Math.min(Math.max(1, Math.trunc(limit)), CHANGES_MAX_LIMIT);
    // Read the bound first: every change numbered at or below it has committed.
    const upTo = await this.store.currentCursor();
    const banks = await this.followedBanks(who);
    let ids = banks.map((b) => b.id);
    if (bankId !== undefined) {
      if (!ids.includes(bankId)) throw new RasdError("not_found", `no bank with id ${bankId}`);
      ids = [bankId];
    }
    const found = await this.store.changesSince(cursor, size, { bankIds: ids, upTo });
    const opinions = await this.store.listOpinionsOf(found.signals.map((s) => s.id));
    const bySignal = new Map<number, Opinion[]>();
    for (const o of opinions) {
      const list = bySignal.get(o.signalId) ?? [];
      list.push(o);
      bySignal.set(o.signalId, list);
    }
    return {
      changes: found.signals.map((signal) => ({ signal, opinions: bySignal.get(signal.id) ?? [] })),
      cursor: found.cursor,
      more: found.cursor < upTo,
      banks: bankId === undefined ? banks : banks.filter((b) => b.id === bankId),
    };
  }

  /**
   * A page, long-polled: when the caller is up to date (nothing to show, nothing more), waits up
   * to `waitMs` for the change counter to move past its cursor and answers what came (a change
   * another member's bank made answers an empty page with a later cursor). Any process's write
   * is seen: the counter is in the database. Stops early when `signal` aborts (the caller went).
   */
  async waitPage(
    who: Principal,
    cursor: number,
    limit: number,
    bankId: number | undefined,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<ChangesPage> {
    const until = Date.now() + Math.min(waitMs, CHANGES_MAX_WAIT_SECONDS * 1000);
    let page = await this.page(who, cursor, limit, bankId);
    while (page.changes.length === 0 && !page.more) {
      const from = page.cursor;
      let moved = false;
      while (!moved && Date.now() < until && !signal?.aborted) {
        await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
        moved = (await this.store.currentCursor()) > from;
      }
      if (!moved) break;
      page = await this.page(who, from, limit, bankId);
    }
    return page;
  }
}
