/**
 * HMA's bank content port (issue 17): a content is one item with all its signals, its note,
 * its metadata and HMA's `disable_until_ts` (1 enabled, 0 disabled, a later Unix time:
 * disabled until then); and each organisation's HMA signal-type settings. The signals
 * themselves stay in the signal store; services/hma-contents.ts keeps their status in step.
 */

/** HMA's BankedContentMetadata as stored (the caller's fields; `collab` is never stored). */
export interface HmaContentMetadata {
  readonly content_id?: string;
  readonly content_uri?: string;
  readonly json?: Record<string, unknown>;
}

export interface HmaContent {
  readonly id: number;
  readonly bankId: number;
  readonly note: string | null;
  readonly metadata: HmaContentMetadata | null;
  readonly disableUntilTs: number;
  /** The content waits for its disable_until_ts to pass (its signals are retracted meanwhile). */
  readonly enablePending: boolean;
  /** Set for the implicit content of a signal added another way (one per signal). */
  readonly originSignalId: number | null;
  /** Its signals' ids. */
  readonly signalIds: readonly number[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewHmaContent {
  readonly bankId: number;
  readonly signalIds: readonly number[];
  readonly note?: string | null;
  readonly metadata?: HmaContentMetadata | null;
}

export interface HmaContentPatch {
  readonly note?: string | null;
  readonly disableUntilTs?: number;
  readonly enablePending?: boolean;
}

export interface HmaContentStore {
  /** A new content holding these signals (each add is a new content). */
  createContent(input: NewHmaContent): Promise<HmaContent>;
  getContent(id: number): Promise<HmaContent | undefined>;
  /** Contents of a bank in id order, a page at a time. */
  listContents(bankId: number, options?: { afterId?: number; limit?: number }): Promise<HmaContent[]>;
  /** Every content holding any of these signals. */
  contentsOfSignals(signalIds: readonly number[]): Promise<HmaContent[]>;
  /**
   * The implicit content of each signal no content holds (a signal added through /v1 or the
   * CLI), made at most once per signal however many callers race; returns every content of
   * the signals afterwards.
   */
  ensureContents(signals: readonly { id: number; bankId: number; active: boolean }[]): Promise<HmaContent[]>;
  updateContent(id: number, patch: HmaContentPatch): Promise<HmaContent>;
  /** Removes a content and its links (its signals stay, for the service to retract). */
  deleteContent(id: number): Promise<boolean>;
  /** Contents waiting to be enabled whose disable_until_ts has passed on the database's clock. */
  dueContents(limit?: number): Promise<HmaContent[]>;
  /** The database's clock, in Unix seconds. */
  nowSeconds(): Promise<number>;

  /** An organisation's signal-type settings: type name → enabled_ratio (types not set are absent). */
  signalTypeSettings(orgId: number): Promise<Record<string, number>>;
  setSignalTypeSetting(orgId: number, signalType: string, enabledRatio: number): Promise<void>;
}
