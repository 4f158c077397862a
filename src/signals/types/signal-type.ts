/**
 * The contract of a signal-type plug-in (after HMA 2.0's `SignalType` classes): what one
 * type of signal knows about itself — what a valid value is and its canonical form, the
 * index the matcher keeps for it, how a query is matched, and how a match's score is
 * shown. The registry (`registry.ts`) lists one plug-in per type; everything outside
 * `src/signals/` asks the registry instead of branching on the type.
 */

import type { Bank, IndexedSignal, SignalType } from "../../core/model.js";
import type { ShortenerSet } from "../../kernels/url/index.js";
import type { PdqImageResult } from "../pdq/hash-image.js";
import type { VpdqResult } from "../vpdq/hash-video.js";
import type { Match, MatchScore } from "./match.js";

/** A value in the form stored and matched on. */
export interface CanonicalValue {
  readonly value: string;
  /** For URLs: the canonical host is a known shortener (match the expanded link too). */
  readonly isShortener?: boolean;
}

export interface CanonicalOptions {
  readonly shorteners?: ShortenerSet | undefined;
}

/** An in-memory index a matcher keeps. */
export interface SignalIndex {
  /** Entries held (hashes, values or texts). */
  readonly size: number;
  /** Called before a full load: additions until `flush` may be collected for a bulk build. */
  beginLoad?(): void;
  /** Called once after the full load (e.g. to build the PDQ index's segment in bulk). */
  flush?(): void;
  /**
   * Background work (builds, merges) for about `budgetMs`; returns whether work remains.
   * The matcher runs it between lookups, so no lookup waits longer than one turn.
   */
  maintain?(budgetMs?: number): boolean;
  /**
   * For an index kept by another thread (a replica): resolves once that thread's index has
   * every change committed before `since` (a `performance.now()` reading of this thread)
   * and this replica sees it. The matcher's `caughtUp` waits for it.
   */
  caughtUp?(since: number): Promise<void>;
}

/**
 * A kind of index: the matcher makes one of each kind it meets, and the plug-ins naming
 * the same kind share it (vPDQ's frames live in PDQ's index, so that an image finds a video).
 */
export interface IndexKind<I extends SignalIndex> {
  readonly name: string;
  create(): I;
}

/** What a plug-in's matching may see of the matcher's state, for one query. */
export interface MatchScope {
  /** Every bank the matcher knows (deleted banks' signals are gone from the indexes). */
  readonly banks: ReadonlyMap<number, Bank>;
  /** The bank of an indexed signal. */
  bankOf(signalId: number): number | undefined;
  /** Match only these banks (undefined: all). */
  readonly only: ReadonlySet<number> | undefined;
  readonly shorteners: ShortenerSet | undefined;
  /** The matcher's index of that kind. */
  index<I extends SignalIndex>(kind: IndexKind<I>): I;
}

export interface LookupOptions {
  /** PDQ: the query hash's quality (banks gate on it); 100 when not given. */
  readonly quality?: number;
}

/** Media being hashed: each computation runs at most once, whichever types ask for it. */
export interface MediaSource {
  readonly kind: MediaKind;
  readonly bytes: Uint8Array;
  pdq(): Promise<PdqImageResult>;
  vpdq(): Promise<VpdqResult>;
  digest(algorithm: "md5" | "sha256"): string;
}

export type MediaKind = "image" | "video";

/** What hashing media computed, for the types that take more from it than their value. */
export interface MediaResults {
  readonly pdq?: PdqImageResult;
  readonly vpdq?: VpdqResult;
}

/**
 * One signal type. Methods (not function properties) so that a plug-in may narrow its
 * index and match types and still sit in the registry's `SignalTypeDef` record.
 */
export interface SignalTypeDef<I extends SignalIndex = SignalIndex, M extends Match = Match> {
  readonly type: SignalType;
  /** The signal carries a PDQ quality (a CSV's `quality` column is kept). */
  readonly hasQuality: boolean;
  /** Validates `text` (trimmed, non-empty; `raw` as given) and returns its canonical form, or throws "invalid". */
  canonical(text: string, raw: string, options: CanonicalOptions): CanonicalValue;
  /** The index this type's signals live in. */
  readonly index: IndexKind<I>;
  add(index: I, signal: IndexedSignal): void;
  remove(index: I, signal: IndexedSignal): void;
  /**
   * Matches of a canonical value (any type's: a PDQ hash also finds video frames, a URL
   * its domains, a text the URLs in it). Suppression by negative banks is the caller's.
   */
  match(value: string, scope: MatchScope, options: LookupOptions): Match[];
  /**
   * A lookup value as POST /v1/match takes it: checked (throwing "invalid" with the
   * API's message) and put in the form `match` takes.
   */
  lookupValue(raw: string): string;
  /** The match's score as stored and shown by the API. */
  score(m: M): MatchScore;
  /** The score as `rasd match` prints it, e.g. "distance=4". */
  scoreText(m: M): string;
  /** Near-copy search (GET /v1/signals?q=): does this query look like one of these? */
  nearQuery?(q: string): boolean;
  /** How this type's value is hashed from media, when it is such a hash (see the registry's lists). */
  readonly media?: {
    hash(media: MediaSource): Promise<string>;
  };
  /** HMA compatibility (the /h, /m and /c routes), for the types HMA offers. */
  readonly hma?: HmaSignalTypeDef<M>;
}

/** What HMA's API needs of a signal type beyond rasd's own. */
export interface HmaSignalTypeDef<M extends Match = Match> {
  /** HMA's content type this type is hashed from by /h/hash and /c/bank/…/content, if any. */
  readonly hashedFrom?: MediaKind;
  /** Match types a lookup of this type answers with (HMA has one index per type). */
  readonly answers: readonly SignalType[];
  /** HMA's message for an invalid value (after the route's prefix). */
  invalid(value: string, error: unknown): string;
  /** The hash /h/hash answers, from this type's canonical `value` (default: that value). */
  mediaValue?(value: string, media: MediaResults): string;
  /** HMA's lookup `distance` string. */
  distance(m: M): string;
  /** POST /m/compare: match or not, and details; undefined when the type cannot compare. */
  compare?(a: string, b: string): [boolean, Record<string, number>];
}

/** Long values cut for error messages. */
export function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
