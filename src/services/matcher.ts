/**
 * The matching engine: in-memory indexes of every active signal, kept current. Each signal
 * type's plug-in (src/signals/registry.ts) owns its index and how a query is matched:
 *
 * - PDQ: an exact multi-index (kernels/pdq-index), keyed by signal id, tagged by bank,
 *   filtered by each bank's distance threshold and quality gate; vPDQ videos' frames too.
 * - MD5 / SHA-256 / URL: exact maps from canonical value to signal ids.
 * - Domain: the URL's host and each parent domain looked up in a map.
 * - Text: MinHash LSH with exact verification (kernels/text).
 *
 * The matcher is a loop over the registry: it keeps one index per kind the plug-ins name,
 * applies signal changes to them, and gives each lookup a `MatchScope` (banks, filter).
 *
 * Freshness: writers in this process call `apply` after they commit, so their signals
 * match at once; `sync` (polled every `pollMs`, 100 ms by default) picks up every other
 * change — other processes, the CLI — from the store's change cursor, with no rebuild.
 * Negative (allow-list) banks: their matches suppress the others, which are returned
 * marked `suppressed` so that the caller can see why nothing was actioned.
 */

import { SIGNAL_TYPES, type Bank, type IndexedSignal, type SignalType } from "../core/model.js";
import type { VpdqFrameHash } from "../kernels/vpdq/match.js";
import type { ShortenerSet } from "../kernels/url/index.js";
import { SIGNAL_TYPE_DEFS } from "../signals/registry.js";
import type { ExactMatch, Match } from "../signals/types/match.js";
import { matchPdqQueries, type PdqQuery } from "../signals/types/pdq.js";
import type { IndexKind, LookupOptions, MatchScope, SignalIndex } from "../signals/types/signal-type.js";
import { matchTextValue } from "../signals/types/text.js";
import { matchUrlValue } from "../signals/types/url.js";
import { VPDQ_QUERY_MATCH_PERCENT, matchVpdqFrames } from "../signals/types/vpdq.js";
import type { SignalStore } from "../storage/store.js";

export type { Match, MatchScore } from "../signals/types/match.js";
export type { PdqQuery } from "../signals/types/pdq.js";

export interface MatchResult {
  readonly matches: Match[];
  /** Negative banks that matched (their matches are in `matches` too). */
  readonly suppressedBy: number[];
}

/**
 * Each indexed signal's bank, by signal id: a growable typed array (2 bytes an id while
 * every bank id is below 65535, else 4; a Map costs about 60 bytes an entry, and at millions
 * of signals that was most of the matcher's memory beside the indexes). 0 = none; banks are
 * stored as id + 1.
 */
class BankOf {
  private banks: Uint16Array | Int32Array = new Uint16Array(1 << 16);
  get(id: number): number | undefined {
    const b = id < this.banks.length ? this.banks[id]! : 0;
    return b === 0 ? undefined : b - 1;
  }
  set(id: number, bankId: number): void {
    const wide = bankId + 1 > 0xffff && this.banks instanceof Uint16Array;
    if (id >= this.banks.length || wide) {
      const length =
        id >= this.banks.length ? Math.max(id + 1, Math.ceil(this.banks.length * 1.25)) : this.banks.length;
      const next = wide || this.banks instanceof Int32Array ? new Int32Array(length) : new Uint16Array(length);
      next.set(this.banks);
      this.banks = next;
    }
    this.banks[id] = bankId + 1;
  }
  delete(id: number): void {
    if (id < this.banks.length) this.banks[id] = 0;
  }
}

/** A growable bitset of signal ids present in an index. */
class IdSet {
  private bits = new Uint8Array(1 << 16);
  has(id: number): boolean {
    return id >> 3 < this.bits.length && (this.bits[id >> 3]! & (1 << (id & 7))) !== 0;
  }
  add(id: number): void {
    while (id >> 3 >= this.bits.length) {
      const next = new Uint8Array(this.bits.length * 2);
      next.set(this.bits);
      this.bits = next;
    }
    this.bits[id >> 3] = this.bits[id >> 3]! | (1 << (id & 7));
  }
  delete(id: number): void {
    if (id >> 3 < this.bits.length) this.bits[id >> 3] = this.bits[id >> 3]! & ~(1 << (id & 7));
  }
}

export interface MatcherOptions {
  readonly pollMs?: number;
  readonly shorteners?: ShortenerSet;
  /**
   * How old the last successful sync may be, when no notice feed is followed, before the
   * indexes count as stale (default 5 s).
   */
  readonly staleMs?: number;
  /**
   * Indexes made by the caller rather than by their kind's `create` (e.g. the PDQ index
   * shared with other threads, or a replica of it).
   */
  readonly indexes?: readonly [IndexKind<SignalIndex>, SignalIndex][];
}

export class Matcher {
  /** One index per kind the plug-ins name (PDQ's is shared with vPDQ). */
  private readonly indexes = new Map<IndexKind<SignalIndex>, SignalIndex>();
  private readonly present = new IdSet();
  private readonly signalBank = new BankOf();
  private maintaining: NodeJS.Immediate | undefined;
  private banks = new Map<number, Bank>();
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private loaded = false;
  private running = false;
  private following = false;
  private pollMs: number;
  /** When the last successful sync (or the load) began: every change committed before is in. */
  private syncedAt = 0;
  /** The same moment on the monotonic clock (`performance.now()`), for `caughtUp`. */
  private syncedMono = -Infinity;
  // Object.fromEntries loses the keys' type; they are every SignalType.
  private readonly counts = Object.fromEntries(SIGNAL_TYPES.map((t) => [t, 0])) as Record<SignalType, number>;
  private readonly bankOf = (id: number): number | undefined => this.signalBank.get(id);
  private readonly indexOf = <I extends SignalIndex>(kind: IndexKind<I>): I => {
    let index = this.indexes.get(kind);
    if (!index) {
      index = kind.create();
      this.indexes.set(kind, index);
    }
    // Each kind's index was made by that kind's `create`, so it is an I.
    return index as I;
  };

  constructor(
    private readonly store: SignalStore,
    private readonly options: MatcherOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 100;
    for (const [kind, index] of options.indexes ?? []) this.indexes.set(kind, index);
  }

  /** True once the indexes hold every active signal. */
  get ready(): boolean {
    return this.loaded;
  }

  /**
   * True while the indexes keep up with signal changes: loaded, not stopped, and either
   * following a notice feed or synced from the store within `staleMs`. Matching on stale
   * indexes could miss a signal just added or act on one just retracted, so the pipeline
   * waits while this is false and readiness reports it.
   */
  get fresh(): boolean {
    if (!this.loaded || !this.running) return false;
    return this.following || this.syncAgeMs <= (this.options.staleMs ?? 5000);
  }

  /** Milliseconds since the last successful sync began. */
  get syncAgeMs(): number {
    return Date.now() - this.syncedAt;
  }

  /** Whether a notice feed (NATS) currently brings changes (set by the composition root). */
  setFollowing(following: boolean): void {
    this.following = following;
  }

  /** Polls the change cursor every `ms` from now on (faster while no notices arrive). */
  setPollMs(ms: number): void {
    if (ms === this.pollMs) return;
    this.pollMs = ms;
    if (this.running && this.timer) {
      clearTimeout(this.timer);
      this.tick();
    }
  }

  /** Signals indexed, per type. */
  get sizes(): Readonly<Record<SignalType, number>> {
    return { ...this.counts };
  }

  get changeCursor(): number {
    return this.cursor;
  }

  /** Loads every active signal (or catches up, if loaded before), then polls for changes if `pollMs` > 0. */
  async start(): Promise<void> {
    // Started again after a stop: catch up from the cursor (a second load would keep
    // signals retracted meanwhile, since it only adds).
    if (this.loaded) await this.sync();
    else await this.load();
    this.running = true;
    this.tick();
  }

  private tick(): void {
    if (!this.running || this.pollMs <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const next = (): void => {
        if (!this.timer) this.tick();
      };
      this.sync().then(next, next);
    }, this.pollMs);
    this.timer.unref();
  }

  /** Stops polling; from now on the indexes count as stale (`fresh` is false). */
  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Builds the indexes from the store. */
  async load(): Promise<void> {
    const started = Date.now();
    this.cursor = await this.store.currentCursor();
    await this.refreshBanks();
    // Every index collects its signals for a bulk build (PDQ: one segment, no merges).
    for (const def of Object.values(SIGNAL_TYPE_DEFS)) this.indexOf(def.index).beginLoad?.();
    for await (const page of this.store.activeIndexPages()) for (const s of page) this.apply(s);
    for (const index of this.indexes.values()) index.flush?.();
    // Changes that raced with the load are replayed (apply is idempotent).
    await this.sync();
    this.syncedAt = Math.min(this.syncedAt, started);
    this.loaded = true;
  }

  /** Applies every change since the last sync. Concurrent calls share one run. */
  sync(): Promise<void> {
    this.syncing ??= (async () => {
      const started = Date.now();
      const startedMono = performance.now();
      try {
        await this.refreshBanks();
        for (;;) {
          const page = await this.store.changesSince(this.cursor, 5000);
          for (const s of page.signals) this.apply(s);
          if (page.cursor === this.cursor) break;
          this.cursor = page.cursor;
          if (page.signals.length < 5000) break;
        }
        this.syncedAt = started;
        this.syncedMono = startedMono;
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  /**
   * Resolves once a sync that began after `since` (a `performance.now()` reading) has
   * finished, running one if need be: then every signal change committed before `since`
   * is in the indexes. The pipeline calls it with the moment it leased a batch, so an item
   * is never matched on indexes older than the item — a signal added (or retracted) before
   * the item was accepted is always seen, whichever process made the change and however
   * slowly its notice travels. Rejects if the store does not answer.
   */
  async caughtUp(since: number): Promise<void> {
    await this.syncedSince(since);
    // Indexes kept by another thread (replicas) catch up there.
    for (const index of this.indexes.values()) await index.caughtUp?.(since);
  }

  private async syncedSince(since: number): Promise<void> {
    if (this.syncedMono > since) return;
    // A sync in flight may have begun before `since`: let it end, then run one of our own
    // (unless one that began after `since` finished meanwhile).
    await this.syncing?.catch(() => undefined);
    if (this.syncedMono > since) return;
    await this.sync();
    if (!(this.syncedMono > since)) await this.sync();
  }

  private async refreshBanks(): Promise<void> {
    this.banks = new Map((await this.store.listBanks()).map((b) => [b.id, b]));
  }

  /** Tells the matcher about a committed bank change made in this process. */
  applyBank(bank: Bank): void {
    this.banks.set(bank.id, bank);
  }

  /** Adds, keeps or removes one signal according to its status. Idempotent. */
  apply(signal: IndexedSignal): void {
    const present = this.present.has(signal.id);
    const def = SIGNAL_TYPE_DEFS[signal.type];
    if (signal.status === "active" && !present) {
      def.add(this.indexOf(def.index), signal);
      this.present.add(signal.id);
      this.signalBank.set(signal.id, signal.bankId);
      this.counts[signal.type]++;
    } else if (signal.status === "retracted" && present) {
      def.remove(this.indexOf(def.index), signal);
      this.present.delete(signal.id);
      this.signalBank.delete(signal.id);
      this.counts[signal.type]--;
    } else return;
    this.maintainSoon();
  }

  /**
   * Background index work (the PDQ index's builds and merges) a few milliseconds per turn of
   * the event loop, between lookups, until none is left: no lookup or addition waits
   * behind a whole merge.
   */
  private maintainSoon(): void {
    if (this.maintaining) return;
    this.maintaining = setImmediate(() => {
      this.maintaining = undefined;
      let more = false;
      for (const index of this.indexes.values()) if (index.maintain?.()) more = true;
      if (more) this.maintainSoon();
    });
    this.maintaining.unref();
  }

  /** The matcher's index of a kind (for tests and benches that look inside). */
  indexOfKind<I extends SignalIndex>(kind: IndexKind<I>): I {
    return this.indexOf(kind);
  }

  /** Whether background index work is waiting (for tests and benches). */
  get maintenancePending(): boolean {
    return this.maintaining !== undefined;
  }

  private scope(only: ReadonlySet<number> | undefined): MatchScope {
    return {
      banks: this.banks,
      bankOf: this.bankOf,
      only,
      shorteners: this.options.shorteners,
      index: this.indexOf,
    };
  }

  /**
   * Matches of one value of `type`, in the form the type's plug-in takes (a canonical
   * value, or what its `lookupValue` gave): the lookup every type supports.
   */
  match(type: SignalType, value: string, banks?: ReadonlySet<number>, options: LookupOptions = {}): MatchResult {
    return this.finish(SIGNAL_TYPE_DEFS[type].match(value, this.scope(banks), options));
  }

  /**
   * PDQ matches for one or more query hashes (the 8 dihedral variants, say). Each bank
   * applies its own distance threshold and quality gate; the best match per signal wins.
   */
  matchPdq(queries: readonly PdqQuery[], banks?: ReadonlySet<number>): MatchResult {
    return this.finish(matchPdqQueries(queries, this.scope(banks)));
  }

  /**
   * Video matches for a query video's vPDQ frames: candidate videos come from the PDQ index
   * (any frame within the bank's distance), then python-threatexchange's rule decides — the
   * share of the query's usable frames matched by the video's (≥ 80%), and the reverse.
   * Image (pdq) signals matched by a frame are returned too, with the best distance.
   */
  matchVpdq(
    frames: readonly VpdqFrameHash[],
    banks?: ReadonlySet<number>,
    queryMatchPercent = VPDQ_QUERY_MATCH_PERCENT,
  ): MatchResult {
    return this.finish(matchVpdqFrames(frames, this.scope(banks), queryMatchPercent));
  }

  /** Exact hash matches (MD5 or SHA-256 of the bytes, or a video file's MD5; lower-case hex). */
  matchExact(type: ExactMatch["type"], value: string, banks?: ReadonlySet<number>): MatchResult {
    return this.match(type, value, banks);
  }

  /** URL matches: the canonical URL, and the host or any parent domain as a domain signal. */
  matchUrl(url: string, banks?: ReadonlySet<number>): MatchResult & { canonical: string; isShortener: boolean } {
    const r = matchUrlValue(url, this.scope(banks));
    return { ...this.finish(r.matches), canonical: r.canonical, isShortener: r.isShortener };
  }

  /** Near-duplicate text matches, plus matches of every URL found in the text. */
  matchText(text: string, banks?: ReadonlySet<number>): MatchResult & { urls: string[] } {
    const r = matchTextValue(text, this.scope(banks));
    return { ...this.finish(r.matches), urls: r.urls };
  }

  private finish(matches: Match[]): MatchResult {
    const negative = [...new Set(matches.filter((m) => this.banks.get(m.bankId)?.negative).map((m) => m.bankId))];
    if (negative.length === 0) return { matches, suppressedBy: [] };
    return {
      matches: matches.map((m) => (this.banks.get(m.bankId)?.negative ? m : { ...m, suppressed: true })),
      suppressedBy: negative,
    };
  }
}
