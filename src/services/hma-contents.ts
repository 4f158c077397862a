/**
 * HMA's bank content (issue 17, decision 0020): one item with all its signals. Each add is a
 * new content; a signal stays active while some enabled content holds it, and is retracted
 * (a tombstone, so mirrors learn of it) once none does — so deleting or disabling a video
 * stops both its video_md5 and its vpdq from matching. HMA's `disable_until_ts` is 1
 * (enabled), 0 (disabled) or a Unix time on the database's clock: disabled until then, after
 * which a sweep (every API and worker process, every few seconds) enables it again.
 */

import { getLogger } from "../logging/logger.js";
import type { Signal } from "../core/model.js";
import type { HmaContent, HmaContentMetadata, HmaContentStore } from "../storage/ports/hma.js";
import type { SignalStore } from "../storage/store.js";
import type { BankService, ImportReport } from "./banks.js";
import type { RawSignal } from "./signal-input.js";

/** HMA's BankContentConfig.ENABLED and DISABLED. */
export const HMA_ENABLED = 1;
export const HMA_DISABLED = 0;

/** Whether a content with this disable_until_ts is enabled at `now` (Unix seconds). */
export function hmaEnabledAt(disableUntilTs: number, now: number): boolean {
  if (disableUntilTs === HMA_DISABLED) return false;
  return disableUntilTs === HMA_ENABLED || disableUntilTs <= now;
}

export interface AddedContent {
  readonly content?: HmaContent;
  readonly report: ImportReport;
}

export class HmaContentService {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly store: HmaContentStore,
    private readonly signals: SignalStore,
    private readonly banks: BankService,
  ) {}

  /** Adds signals to a bank as one new content; a rejected signal adds nothing. */
  async add(
    bankId: number,
    raws: readonly RawSignal[],
    extra: { note?: string | null; metadata?: HmaContentMetadata | null } = {},
  ): Promise<AddedContent> {
    const { report, signals } = await this.banks.addSignalsReturning(
      bankId,
      raws.map((raw, line) => ({ line, raw })),
    );
    if (report.rejected.length) return { report };
    const ids = signals.map((s) => s.id);
    const content = await this.store.createContent({
      bankId,
      signalIds: ids,
      note: extra.note ?? null,
      metadata: extra.metadata ?? null,
    });
    return { content, report };
  }

  get(id: number): Promise<HmaContent | undefined> {
    return this.store.getContent(id);
  }

  async signalsOf(content: HmaContent): Promise<Signal[]> {
    return this.signals.getSignals(content.signalIds);
  }

  /** Sets HMA's disable_until_ts (and the note), then its signals' status to match. */
  async update(content: HmaContent, patch: { disableUntilTs?: number; note?: string | null }): Promise<HmaContent> {
    let enablePending: boolean | undefined;
    if (patch.disableUntilTs !== undefined) {
      const now = await this.store.nowSeconds();
      enablePending = !hmaEnabledAt(patch.disableUntilTs, now) && patch.disableUntilTs > HMA_ENABLED;
    }
    const updated = await this.store.updateContent(content.id, {
      ...(patch.note !== undefined ? { note: patch.note } : {}),
      ...(patch.disableUntilTs !== undefined ? { disableUntilTs: patch.disableUntilTs } : {}),
      ...(enablePending !== undefined ? { enablePending } : {}),
    });
    if (patch.disableUntilTs !== undefined) await this.reconcile(updated.signalIds);
    return updated;
  }

  /** Deletes a content; its signals no other enabled content holds are retracted. */
  async delete(content: HmaContent): Promise<boolean> {
    const gone = await this.store.deleteContent(content.id);
    if (gone) await this.reconcile(content.signalIds);
    return gone;
  }

  /** Each signal active exactly when an enabled content holds it. */
  async reconcile(signalIds: readonly number[]): Promise<void> {
    if (signalIds.length === 0) return;
    const now = await this.store.nowSeconds();
    const holders = await this.store.contentsOfSignals(signalIds);
    for (const signal of await this.signals.getSignals(signalIds)) {
      const wanted = holders.some((c) => c.signalIds.includes(signal.id) && hmaEnabledAt(c.disableUntilTs, now));
      if (wanted && signal.status !== "active")
        await this.banks.addSignals(signal.bankId, [{ line: 0, raw: { type: signal.type, value: signal.value } }]);
      else if (!wanted && signal.status === "active") await this.banks.retract(signal.id);
    }
  }

  /** Enables the contents whose disable_until_ts has passed; returns how many. */
  async enableDue(): Promise<number> {
    let count = 0;
    for (;;) {
      const due = await this.store.dueContents(200);
      if (due.length === 0) return count;
      for (const c of due) {
        await this.store.updateContent(c.id, { enablePending: false });
        await this.reconcile(c.signalIds);
        count++;
      }
    }
  }

  /**
   * The enabled contents holding each matched signal (a signal added another way gets its
   * implicit content here): signal id → content ids.
   */
  async contentIdsOf(signals: readonly Pick<Signal, "id" | "bankId" | "status">[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    if (signals.length === 0) return out;
    const contents = await this.store.ensureContents(
      signals.map((s) => ({ id: s.id, bankId: s.bankId, active: s.status === "active" })),
    );
    const now = await this.store.nowSeconds();
    for (const c of contents) {
      if (!hmaEnabledAt(c.disableUntilTs, now)) continue;
      for (const id of c.signalIds) (out.get(id) ?? out.set(id, []).get(id)!).push(c.id);
    }
    return out;
  }

  /** Runs enableDue every `everyMs` until stopped. */
  start(everyMs: number): void {
    if (this.timer) return;
    let running = false;
    this.timer = setInterval(() => {
      if (running) return;
      running = true;
      this.enableDue()
        .catch((error: unknown) => getLogger().warn({ err: error }, "HMA content re-enabling sweep failed"))
        .finally(() => (running = false));
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
