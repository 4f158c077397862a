/**
 * The labelling queue port: a random, stratified sample of classified items drawn for people
 * to label their stance, and the labelled sample the prevalence estimate is computed from
 * (services/measurement.ts, kernels/quantify/ppi.ts). Times are the item's posting time when
 * the platform gave one, else its receipt.
 */

import type { MeasureScope } from "./measurement.js";

/** What a reviewer may say of an item's stance. */
export const LABEL_STANCES = ["pro", "anti", "neutral", "cant_tell"] as const;
export type LabelStance = (typeof LABEL_STANCES)[number];

/** A stratum: the classified items of one platform, language, predicted label and model in a scope. */
export interface LabelStratum {
  readonly platform: string;
  readonly lang: string;
  /** The model's predicted label. */
  readonly label: string;
  readonly model: string;
}

export interface LabelStratumCount extends LabelStratum {
  /** Hours since the epoch of the items' time (posted, else received). */
  readonly hour: number;
  /** Classified items in the stratum. */
  readonly items: number;
  /** Of them, already drawn into the queue. */
  readonly drawn: number;
}

export interface LabelEntry {
  readonly id: number;
  readonly itemId: number;
  readonly orgId: number;
  readonly periodStart: number;
  readonly interval: string;
  readonly drawnAt: number;
  readonly drawnBy: number | null;
  readonly stance: LabelStance | null;
  readonly note: string;
  readonly labelledBy: number | null;
  readonly labelledAt: number | null;
}

/** A queue entry with what a reviewer needs to label it. */
export interface LabelTask extends LabelEntry {
  readonly text: string | null;
  readonly url: string | null;
  readonly kind: string;
  readonly platform: string;
  readonly lang: string;
  /** The model's label, hidden from the labelling screen by default (it would anchor the reviewer). */
  readonly predicted: string;
}

/** A labelled item in a scope with the model's classification of it. */
export interface LabelledRecord {
  readonly itemId: number;
  /** Posted (when given) or received, ms. */
  readonly at: number;
  readonly platform: string;
  readonly lang: string;
  readonly label: string;
  readonly model: string;
  readonly stance: LabelStance;
}

export interface ItemClassification {
  readonly label: string;
  readonly score: number;
  readonly lang: string;
  /** The model version that classified it. */
  readonly model: string;
  readonly behaviour: string | null;
  readonly postedAt: number | null;
}

export interface DrawnEntry {
  readonly periodStart: number;
  readonly interval: string;
  readonly drawnAt: number;
  readonly drawnBy: number | null;
}

export interface LabelStore {
  /** Classified items in the scope per stratum and hour, with how many are already in the queue. */
  strata(scope: MeasureScope): Promise<LabelStratumCount[]>;
  /**
   * Draws items of one stratum into the queue until `target` of them are in it: those not
   * yet drawn, in the order of a hash of their id and `seed` (a uniformly random order that
   * knows nothing of their content). Returns how many were added.
   */
  draw(scope: MeasureScope, stratum: LabelStratum, target: number, seed: number, entry: DrawnEntry): Promise<number>;
  /** One member's queue: open entries (oldest draw first) or labelled ones (latest first). */
  listQueue(orgId: number, status: "open" | "labelled", limit: number): Promise<LabelTask[]>;
  getEntry(id: number): Promise<LabelEntry | undefined>;
  /** Sets (or changes) an entry's label; false when there is no such entry. */
  setLabel(
    id: number,
    label: { stance: LabelStance; note: string; labelledBy: number; labelledAt: number },
  ): Promise<boolean>;
  /** Labelled items in the scope (every member's), with their classification. */
  labelled(scope: MeasureScope): Promise<LabelledRecord[]>;
  /** Every item's label, by item id (for the report's items.csv). */
  labelsOf(itemIds: readonly number[]): Promise<Map<number, LabelStance>>;
  /** The classification of each of these items that has one (for the report's items.csv). */
  classificationsOf(itemIds: readonly number[]): Promise<Map<number, ItemClassification>>;
}
