/**
 * The matching engine: in-memory indexes of every active signal, kept current.
 *
 * - PDQ: an exact multi-index (kernels/pdq-index), keyed by signal id, tagged by bank,
 *   filtered by each bank's distance threshold and quality gate.
 * - MD5 / SHA-256 / URL: exact maps from canonical value to signal ids.
 * - Domain: the URL's host and each parent domain looked up in a map.
 * - Text: MinHash LSH with exact verification (kernels/text).
 *
 * Freshness: writers in this process call `apply` after they commit, so their signals
 * match at once; `sync` (polled every `pollMs`, 100 ms by default) picks up every other
 * change — other processes, the CLI — from the store's change cursor, with no rebuild.
 * Negative (allow-list) banks: their matches suppress the others, which are returned
 * marked `suppressed` so that the caller can see why nothing was actioned.
 */

import type { Bank, Signal, SignalType } from "../core/model.js";
import type { DihedralName } from "../kernels/pdq/dihedral.js";
import { compareVpdqWords, usableFrames, type VpdqFrameHash } from "../kernels/vpdq/match.js";
import { vpdqFrames } from "../signals/values.js";
import { MAX_INDEX_DISTANCE, PdqIndex } from "../kernels/pdq-index/pdq-index.js";
import { WORDS, hexToWords } from "../kernels/pdq-index/words.js";
import { TextIndex } from "../kernels/text/index.js";
import { canonicalizeUrl, extractUrls, hostSuffixes, type ShortenerSet } from "../kernels/url/index.js";
import type { SignalStore } from "../storage/store.js";

export interface Match {
  readonly signalId: number;
  readonly bankId: number;
  readonly type: SignalType;
  /** PDQ: Hamming distance. */
  readonly distance?: number;
  /** Text: Jaccard similarity. */
  readonly similarity?: number;
  /** PDQ with dihedral lookup: which transform of the query matched. */
  readonly transform?: DihedralName;
  /** URL/domain: what matched (the canonical URL or the host suffix). */
  readonly matched?: string;
  /** vPDQ: share of the query video's frames matched by this video's, and the reverse. */
  readonly queryMatchPercent?: number;
  readonly comparedMatchPercent?: number;
  /** A negative bank matched too: do not act on this one. */
  readonly suppressed?: boolean;
}

export interface MatchResult {
  readonly matches: Match[];
  /** Negative banks that matched (their matches are in `matches` too). */
  readonly suppressedBy: number[];
}

export interface PdqQuery {
  readonly hash: string;
  readonly quality: number;
  readonly transform?: DihedralName;
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

class ValueMap {
  private readonly map = new Map<string, number[]>();
  add(value: string, id: number): void {
    const ids = this.map.get(value);
    if (ids) ids.push(id);
    else this.map.set(value, [id]);
  }
  delete(value: string, id: number): void {
    const ids = this.map.get(value);
    if (!ids) return;
    const at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
    if (ids.length === 0) this.map.delete(value);
  }
  get(value: string): readonly number[] {
    return this.map.get(value) ?? [];
  }
  get size(): number {
    return this.map.size;
  }
}

export interface MatcherOptions {
  readonly pollMs?: number;
  readonly shorteners?: ShortenerSet;
}

export class Matcher {
  private readonly pdq = new PdqIndex();
  private readonly exact: Record<"md5" | "sha256" | "url" | "domain" | "video_md5", ValueMap> = {
    md5: new ValueMap(),
    sha256: new ValueMap(),
    url: new ValueMap(),
    domain: new ValueMap(),
    video_md5: new ValueMap(),
  };
  /** vPDQ signals: their usable frames (quality ≥ 50, distinct), which are also in `pdq`. */
  private readonly videos = new Map<number, Uint32Array>();
  private readonly text = new TextIndex();
  private readonly present = new IdSet();
  private readonly signalBank = new Map<number, number>();
  private banks = new Map<number, Bank>();
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private loaded = false;
  private readonly words = new Uint32Array(WORDS);
  private counts: Record<SignalType, number> = {
    pdq: 0,
    md5: 0,
    sha256: 0,
    url: 0,
    domain: 0,
    text: 0,
    vpdq: 0,
    video_md5: 0,
  };

  constructor(
    private readonly store: SignalStore,
    private readonly options: MatcherOptions = {},
  ) {}

  /** True once the indexes hold every active signal. */
  get ready(): boolean {
    return this.loaded;
  }

  /** Signals indexed, per type. */
  get sizes(): Readonly<Record<SignalType, number>> {
    return { ...this.counts };
  }

  get changeCursor(): number {
    return this.cursor;
  }

  /** Loads every active signal, then keeps polling for changes if `pollMs` > 0. */
  async start(): Promise<void> {
    await this.load();
    const pollMs = this.options.pollMs ?? 100;
    if (pollMs > 0) {
      const tick = (): void => {
        this.timer = setTimeout(() => {
          this.sync().then(tick, tick);
        }, pollMs);
        this.timer.unref();
      };
      tick();
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Builds the indexes from the store. */
  async load(): Promise<void> {
    this.cursor = await this.store.currentCursor();
    await this.refreshBanks();
    for await (const page of this.store.activeSignalPages(20_000)) for (const s of page) this.apply(s);
    this.pdq.flush();
    // Changes that raced with the load are replayed (apply is idempotent).
    await this.sync();
    this.loaded = true;
  }

  /** Applies every change since the last sync. Concurrent calls share one run. */
  sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        await this.refreshBanks();
        for (;;) {
          const page = await this.store.changesSince(this.cursor, 5000);
          for (const s of page.signals) this.apply(s);
          if (page.cursor === this.cursor) break;
          this.cursor = page.cursor;
          if (page.signals.length < 5000) break;
        }
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private async refreshBanks(): Promise<void> {
    this.banks = new Map((await this.store.listBanks()).map((b) => [b.id, b]));
  }

  /** Tells the matcher about a committed bank change made in this process. */
  applyBank(bank: Bank): void {
    this.banks.set(bank.id, bank);
  }

  /** Adds, keeps or removes one signal according to its status. Idempotent. */
  apply(signal: Signal): void {
    const present = this.present.has(signal.id);
    if (signal.status === "active" && !present) {
      this.index(signal, true);
      this.present.add(signal.id);
      this.signalBank.set(signal.id, signal.bankId);
      this.counts[signal.type]++;
    } else if (signal.status === "retracted" && present) {
      this.index(signal, false);
      this.present.delete(signal.id);
      this.signalBank.delete(signal.id);
      this.counts[signal.type]--;
    }
  }

  private index(s: Signal, add: boolean): void {
    switch (s.type) {
      case "pdq":
        hexToWords(s.value, this.words);
        if (s.bankId > 0xffff) throw new RangeError("bank ids above 65535 are not supported by the PDQ index");
        if (add) this.pdq.add(this.words, 0, s.id, s.bankId);
        else this.pdq.remove(this.words, 0, s.id);
        return;
      case "text":
        if (add) this.text.add(s.id, s.value);
        else this.text.remove(s.id);
        return;
      case "vpdq": {
        // The video's frames go into the PDQ index under the video's signal id.
        const frames = this.videos.get(s.id) ?? usableFrames(vpdqFrames(s.value));
        if (s.bankId > 0xffff) throw new RangeError("bank ids above 65535 are not supported by the PDQ index");
        for (let f = 0; f < frames.length / WORDS; f++) {
          if (add) this.pdq.add(frames, f * WORDS, s.id, s.bankId);
          else this.pdq.remove(frames, f * WORDS, s.id);
        }
        if (add) this.videos.set(s.id, frames);
        else this.videos.delete(s.id);
        return;
      }
      default:
        if (add) this.exact[s.type].add(s.value, s.id);
        else this.exact[s.type].delete(s.value, s.id);
    }
  }

  /**
   * PDQ matches for one or more query hashes (the 8 dihedral variants, say). Each bank
   * applies its own distance threshold and quality gate; the best match per signal wins.
   */
  matchPdq(queries: readonly PdqQuery[], banks?: ReadonlySet<number>): MatchResult {
    let maxDistance = 0;
    for (const b of this.banks.values())
      maxDistance = Math.max(maxDistance, Math.min(b.pdqThreshold, MAX_INDEX_DISTANCE));
    const best = new Map<number, Match>();
    for (const q of queries) {
      const words = hexToWords(q.hash);
      const found = this.pdq.search(words, 0, maxDistance, (tag, d) => {
        const bank = this.banks.get(tag);
        return !!bank && d <= bank.pdqThreshold && q.quality >= bank.pdqMinQuality && (!banks || banks.has(tag));
      });
      for (const m of found) {
        const prev = best.get(m.key);
        if (prev && (prev.distance ?? 99) <= m.distance) continue;
        best.set(m.key, {
          signalId: m.key,
          bankId: m.tag,
          // A frame of a video signal (vpdq) or an image signal (pdq).
          type: this.videos.has(m.key) ? "vpdq" : "pdq",
          distance: m.distance,
          ...(q.transform ? { transform: q.transform } : {}),
        });
      }
    }
    return this.finish([...best.values()].sort((a, b) => a.distance! - b.distance! || a.signalId - b.signalId));
  }

  /**
   * Video matches for a query video's vPDQ frames: candidate videos come from the PDQ index
   * (any frame within the bank's distance), then python-threatexchange's rule decides — the
   * share of the query's usable frames matched by the video's (≥ 80%), and the reverse.
   * Image (pdq) signals matched by a frame are returned too, with the best distance.
   */
  matchVpdq(frames: readonly VpdqFrameHash[], banks?: ReadonlySet<number>, queryMatchPercent = 80): MatchResult {
    const query = usableFrames(frames);
    const images = new Map<number, Match>();
    const candidates = new Set<number>();
    for (let f = 0; f < query.length / WORDS; f++) {
      for (const m of this.pdq.search(query, f * WORDS, MAX_INDEX_DISTANCE, (tag, d) => {
        const bank = this.banks.get(tag);
        return !!bank && d <= bank.pdqThreshold && (!banks || banks.has(tag));
      })) {
        if (this.videos.has(m.key)) candidates.add(m.key);
        else if ((images.get(m.key)?.distance ?? 99) > m.distance) {
          images.set(m.key, { signalId: m.key, bankId: m.tag, type: "pdq", distance: m.distance });
        }
      }
    }
    const matches: Match[] = [];
    for (const id of candidates) {
      const bankId = this.signalBank.get(id)!;
      const bank = this.banks.get(bankId)!;
      const c = compareVpdqWords(query, this.videos.get(id)!, { distance: bank.pdqThreshold, queryMatchPercent });
      if (!c.isMatch) continue;
      matches.push({
        signalId: id,
        bankId,
        type: "vpdq",
        queryMatchPercent: Math.round(c.queryMatchPercent * 100) / 100,
        comparedMatchPercent: Math.round(c.comparedMatchPercent * 100) / 100,
      });
    }
    matches.sort((a, b) => b.queryMatchPercent! - a.queryMatchPercent! || a.signalId - b.signalId);
    return this.finish([...matches, ...images.values()]);
  }

  /** Exact hash matches (MD5 or SHA-256 of the bytes, or a video file's MD5; lower-case hex). */
  matchExact(type: "md5" | "sha256" | "video_md5", value: string, banks?: ReadonlySet<number>): MatchResult {
    return this.finish(this.idsToMatches(this.exact[type].get(value.toLowerCase()), type, value.toLowerCase(), banks));
  }

  /** URL matches: the canonical URL, and the host or any parent domain as a domain signal. */
  matchUrl(url: string, banks?: ReadonlySet<number>): MatchResult & { canonical: string; isShortener: boolean } {
    const c = canonicalizeUrl(url, this.options.shorteners ? { shorteners: this.options.shorteners } : {});
    const matches = this.idsToMatches(this.exact.url.get(c.canonical), "url", c.canonical, banks);
    for (const host of hostSuffixes(c.host))
      matches.push(...this.idsToMatches(this.exact.domain.get(host), "domain", host, banks));
    return { ...this.finish(matches), canonical: c.canonical, isShortener: c.isShortener };
  }

  /** Near-duplicate text matches, plus matches of every URL found in the text. */
  matchText(text: string, banks?: ReadonlySet<number>): MatchResult & { urls: string[] } {
    let minSimilarity = 1;
    for (const b of this.banks.values()) minSimilarity = Math.min(minSimilarity, b.textMinSimilarity);
    const matches: Match[] = [];
    for (const m of this.text.query(text, minSimilarity)) {
      const bankId = this.signalBank.get(m.id);
      const bank = bankId === undefined ? undefined : this.banks.get(bankId);
      if (!bank || m.similarity < bank.textMinSimilarity || (banks && !banks.has(bank.id))) continue;
      matches.push({ signalId: m.id, bankId: bank.id, type: "text", similarity: m.similarity });
    }
    const urls: string[] = [];
    for (const found of extractUrls(text)) {
      urls.push(found.canonical);
      try {
        matches.push(...this.matchUrl(found.canonical, banks).matches);
      } catch {
        // An extracted link that does not canonicalise is not a match.
      }
    }
    return { ...this.finish(matches), urls };
  }

  private idsToMatches(
    ids: readonly number[],
    type: SignalType,
    matched: string,
    banks?: ReadonlySet<number>,
  ): Match[] {
    const out: Match[] = [];
    for (const id of ids) {
      const bankId = this.signalBank.get(id);
      if (bankId === undefined || (banks && !banks.has(bankId)) || !this.banks.has(bankId)) continue;
      out.push({ signalId: id, bankId, type, matched });
    }
    return out;
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
