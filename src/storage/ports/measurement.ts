/**
 * The measurement read port: what the prevalence, takedown and transparency-report figures
 * are computed from. Aggregation that a database does well (counts per hour) happens here;
 * the statistics happen in services/measurement.ts.
 */

export interface MeasureScope {
  readonly from: number;
  readonly to: number;
  /** The service within a member, or the member's name when it gave none. */
  readonly platform?: string;
  readonly lang?: string;
  readonly country?: string;
  readonly orgId?: number;
}

/** Classified items in scope counted per hour of receipt, label, language and model. */
export interface StanceCount {
  readonly hour: number;
  readonly label: string;
  readonly lang: string;
  readonly model: string;
  readonly n: number;
}

/** An item in scope that was matched, acted on or has an outcome. */
export interface TakedownItem {
  readonly id: number;
  readonly platform: string;
  readonly orgName: string;
  readonly receivedAt: number;
  readonly postedAt: number | null;
  /** Content type: text, url, image, video. */
  readonly kind: string;
  readonly actedAt: number | null;
  /** JSON text, as stored by the pipeline. */
  readonly matches: string;
}

/** An item in scope with what identifies its content (for re-uploads). */
export interface CopyItem {
  readonly id: number;
  readonly platform: string;
  readonly orgName: string;
  readonly receivedAt: number;
  readonly kind: string;
  /** The stored media's SHA-256, when the item carried media. */
  readonly mediaSha256: string | null;
  /** JSON text: the hashes the pipeline computed (sha256, md5, video_md5, canonical url). */
  readonly hashes: string;
  readonly text: string | null;
  readonly actedAt: number | null;
  /** JSON text, as stored by the pipeline. */
  readonly matches: string;
}

/** A person's review decision on an item. */
export interface ItemDecision {
  readonly itemId: number;
  readonly decision: string;
  readonly decidedAt: number;
}

export interface OutcomeTime {
  readonly itemId: number;
  readonly kind: string;
  readonly at: number;
  /** The basis reported with the outcome (hash_match, removal_order, …; "" when none). */
  readonly basis: string;
}

/** An outcome event with its member's name. */
export interface OutcomeRecord {
  readonly id: number;
  readonly itemId: number;
  readonly orgName: string;
  readonly kind: string;
  readonly basis: string;
  readonly reason: string;
  readonly authority: string;
  readonly at: number;
}

/** A banked (suspended) account: an active account signal. */
export interface AccountSignalRow {
  readonly id: number;
  readonly bankId: number;
  /** The account record, canonical JSON. */
  readonly value: string;
  /** When it was banked. */
  readonly createdAt: number;
}

/** An item in scope whose author account matched a suspended account (ban evasion). */
export interface AccountMatchItem {
  readonly id: number;
  readonly orgName: string;
  /** The author account, canonical JSON. */
  readonly author: string;
  readonly receivedAt: number;
  readonly matchedAt: number | null;
  /** JSON text: the stored matches. */
  readonly matches: string;
}

export interface MeasurementReads {
  stanceCounts(scope: MeasureScope): Promise<StanceCount[]>;
  /** In id order. */
  takedownItems(scope: MeasureScope): Promise<TakedownItem[]>;
  /** Every item received in scope, processed or not, in id order. */
  copyItems(scope: MeasureScope): Promise<CopyItem[]>;
  /** People's review decisions on these items (escalations included), oldest first. */
  itemDecisions(itemIds: readonly number[]): Promise<ItemDecision[]>;
  /** Outcomes of these kinds for these items. */
  outcomeTimes(itemIds: readonly number[], kinds: readonly string[]): Promise<OutcomeTime[]>;
  /** Outcome events at [from, to) (of one member when given), in id order. */
  outcomeEvents(from: number, to: number, orgId?: number): Promise<OutcomeRecord[]>;
  /** Banks not deleted. */
  activeBankCount(): Promise<number>;
  activeSignalCount(): Promise<number>;
  /** Every bank's name, deleted ones too. */
  bankNames(): Promise<Map<number, string>>;
  /** Active account signals of these banks banked at [from, to), in id order. */
  accountSignals(bankIds: readonly number[], from: number, to: number): Promise<AccountSignalRow[]>;
  /** Account signals by id (any status: a match may outlive its signal). */
  accountSignalsById(ids: readonly number[]): Promise<AccountSignalRow[]>;
  /** Items in scope with an author account and an account match, in id order. */
  accountMatchItems(scope: MeasureScope): Promise<AccountMatchItem[]>;
}
