/**
 * The signal store port: organisations, banks, signals, opinions and the change cursor,
 * whatever the database is. The service's other ports (content, the job queue, actions,
 * reviews, rules, access, accounts, dashboard and measurement reads) are in ports/, and
 * ports/index.ts gathers them all. `KyselyStore` implements this one for SQLite and
 * PostgreSQL; the contract tests in test/storage run the same suites against both.
 */

import type {
  Bank,
  IndexedSignal,
  Labels,
  ForeignOpinion,
  Opinion,
  OpinionKind,
  Org,
  OrgKind,
  Signal,
  SignalType,
  Tlp,
} from "../core/model.js";

export interface BankInput {
  readonly orgId: number;
  readonly name: string;
  readonly description?: string;
  readonly actionHint?: string;
  readonly negative?: boolean;
  readonly pdqThreshold?: number;
  readonly pdqMinQuality?: number;
  readonly textMinSimilarity?: number;
  readonly accountMinScore?: number;
  readonly tlp?: Tlp;
  readonly enabledRatio?: number;
}

export type BankPatch = Partial<Omit<BankInput, "orgId">> & { readonly deleted?: boolean };

/** A signal to add; `value` must already be canonical for its type. */
export interface SignalInput {
  readonly type: SignalType;
  readonly value: string;
  readonly quality?: number | null;
  readonly labels?: Labels;
  readonly confidence?: number;
  readonly source?: string;
  readonly firstSeen?: number;
  readonly lastSeen?: number;
}

export interface UpsertResult {
  readonly signal: Signal;
  /** "created": new; "reactivated": was retracted; "updated": already there (seen again). */
  readonly outcome: "created" | "reactivated" | "updated";
}

export interface ChangePage {
  /** Signals changed after the cursor, retracted ones included (as tombstones), in order. */
  readonly signals: Signal[];
  /** Pass this back to continue; equal to the input when nothing changed. */
  readonly cursor: number;
}

export interface ChangeFilter {
  readonly bankIds?: readonly number[];
  readonly upTo?: number;
  /** Only signals whose latest change is later than this time (ms). */
  readonly updatedAfter?: number;
}

export interface SignalStore {
  readonly dialect: "sqlite" | "postgres";

  createOrg(name: string, kind: OrgKind): Promise<Org>;
  getOrg(id: number): Promise<Org | undefined>;
  getOrgByName(name: string): Promise<Org | undefined>;
  listOrgs(): Promise<Org[]>;

  createBank(input: BankInput): Promise<Bank>;
  updateBank(id: number, patch: BankPatch): Promise<Bank>;
  getBank(id: number): Promise<Bank | undefined>;
  getBankByName(orgId: number, name: string): Promise<Bank | undefined>;
  /** Banks not deleted (and deleted ones too with `includeDeleted`: the change feed's tombstones). */
  listBanks(orgId?: number, options?: { includeDeleted?: boolean }): Promise<Bank[]>;

  /** Adds or refreshes signals in one transaction: all land or none do. */
  upsertSignals(bankId: number, inputs: readonly SignalInput[]): Promise<UpsertResult[]>;
  /** Marks a signal retracted (a tombstone: it stays, so mirrors learn of the deletion). */
  retractSignal(id: number): Promise<Signal>;
  getSignal(id: number): Promise<Signal | undefined>;
  getSignals(ids: readonly number[]): Promise<Signal[]>;
  findSignals(type: SignalType, value: string): Promise<Signal[]>;
  listSignals(
    bankId: number,
    options?: { afterId?: number; limit?: number; includeRetracted?: boolean },
  ): Promise<Signal[]>;
  countSignals(bankId?: number): Promise<number>;
  /** Active signals in these banks, by type (types with none are absent). */
  countSignalsByType(bankIds: readonly number[]): Promise<Partial<Record<SignalType, number>>>;

  setOpinion(signalId: number, orgId: number, kind: OpinionKind, note?: string, at?: number): Promise<Opinion>;
  /**
   * Takes the organisation's opinion back (kept as a tombstone, the signal's change moved on so
   * mirrors learn of it); false when it had none standing.
   */
  retractOpinion(signalId: number, orgId: number): Promise<boolean>;
  /** The signal's standing opinions (retracted ones too with `includeRetracted`). */
  listOpinions(signalId: number, options?: { includeRetracted?: boolean }): Promise<Opinion[]>;
  /**
   * Opinions from elsewhere of one signal (decision 0042): each of `upsert` set by its origin key,
   * each of `remove` taken away, and with `replaceAll` every other of that source removed. Moves
   * nothing in the change feed (foreign opinions are never passed on). Returns how many changed.
   */
  putForeignOpinions(
    signalId: number,
    source: string,
    change: {
      readonly upsert: readonly Omit<ForeignOpinion, "signalId" | "source" | "createdAt">[];
      readonly remove?: readonly string[];
      readonly replaceAll?: boolean;
    },
  ): Promise<number>;
  /** Foreign opinions of these signals, by signal id then source and key. */
  listForeignOpinionsOf(signalIds: readonly number[]): Promise<ForeignOpinion[]>;

  /**
   * Everything changed after `cursor`, at most `limit` signals; only in `bankIds` when given,
   * and only up to the change `upTo` when given (a page that stops there ends at `upTo`).
   */
  changesSince(cursor: number, limit?: number, options?: ChangeFilter): Promise<ChangePage>;
  /** Every standing opinion of these signals (retracted ones too with `includeRetracted`), by signal id then organisation. */
  listOpinionsOf(signalIds: readonly number[], options?: { includeRetracted?: boolean }): Promise<Opinion[]>;
  /** The latest change cursor. */
  currentCursor(): Promise<number>;
  /** Active signals in id order, a page at a time. */
  activeSignalPages(pageSize?: number, types?: readonly SignalType[]): AsyncIterable<Signal[]>;
  /**
   * Active signals in id order, a page at a time, with only what the match indexes need
   * (id, bank, type, value): the fast path for loading them.
   */
  activeIndexPages(pageSize?: number): AsyncIterable<IndexedSignal[]>;

  close(): Promise<void>;
}
