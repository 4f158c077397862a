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

export interface OutcomeTime {
  readonly itemId: number;
  readonly kind: string;
  readonly at: number;
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

export interface MeasurementReads {
  stanceCounts(scope: MeasureScope): Promise<StanceCount[]>;
  /** In id order. */
  takedownItems(scope: MeasureScope): Promise<TakedownItem[]>;
  /** Outcomes of these kinds for these items. */
  outcomeTimes(itemIds: readonly number[], kinds: readonly string[]): Promise<OutcomeTime[]>;
  /** Outcome events at [from, to) (of one member when given), in id order. */
  outcomeEvents(from: number, to: number, orgId?: number): Promise<OutcomeRecord[]>;
  /** Banks not deleted. */
  activeBankCount(): Promise<number>;
  activeSignalCount(): Promise<number>;
  /** Every bank's name, deleted ones too. */
  bankNames(): Promise<Map<number, string>>;
}
