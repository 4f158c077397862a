/**
 * What the matcher answers: one `Match` per signal found, a discriminated union on `type`
 * so that each reader gets the fields of that type's score without `!` or casts.
 *
 * Every match has the signal, its bank and whether a negative (allow-list) bank suppressed
 * it; the rest is the type's score. A new type with an exact score (equal canonical
 * values) needs nothing here: `ExactMatch` covers every type not named below.
 */

import type { SignalType } from "../../core/model.js";
import type { Evidence } from "../../kernels/accounts/index.js";
import type { DihedralName } from "../../kernels/pdq/dihedral.js";

/** Every type's score fields: a match has its own and none of the others. */
type ScoreField =
  "distance" | "transform" | "similarity" | "matched" | "queryMatchPercent" | "comparedMatchPercent" | "evidence";

/**
 * The score fields a match does not have, as absent: so that code reading "a distance, if
 * there is one" may ask any match (`m.distance` is `number | undefined` on `Match`).
 */
type Without<Own extends ScoreField> = { readonly [K in Exclude<ScoreField, Own>]?: never };

/** The fields every match has. */
export interface MatchBase {
  readonly signalId: number;
  readonly bankId: number;
  /** A negative bank matched too: do not act on this one. */
  readonly suppressed?: boolean;
}

/** A PDQ hash within the bank's distance of a query hash. */
export interface PdqMatch extends MatchBase, Without<"distance" | "transform"> {
  readonly type: "pdq";
  /** Hamming distance, 0..256. */
  readonly distance: number;
  /** With dihedral lookup: which transform of the query matched. */
  readonly transform?: DihedralName;
}

/** A video signal matched by one of its frames (an image query): scored like PDQ. */
export interface VpdqFrameMatch extends MatchBase, Without<"distance" | "transform"> {
  readonly type: "vpdq";
  readonly distance: number;
  readonly transform?: DihedralName;
}

/** A video signal matched by a query video, with python-threatexchange's rule. */
export interface VpdqVideoMatch extends MatchBase, Without<"queryMatchPercent" | "comparedMatchPercent"> {
  readonly type: "vpdq";
  /** Share of the query video's frames matched by this video's, and the reverse. */
  readonly queryMatchPercent: number;
  readonly comparedMatchPercent: number;
}

export type VpdqMatch = VpdqFrameMatch | VpdqVideoMatch;

/** A near-duplicate text. */
export interface TextMatch extends MatchBase, Without<"similarity"> {
  readonly type: "text";
  /** Exact Jaccard similarity of the shingle sets, 0..1. */
  readonly similarity: number;
}

/** A suspended account that a new or changed account may be the return of (ban evasion). */
export interface AccountMatch extends MatchBase, Without<"similarity" | "evidence"> {
  readonly type: "account";
  /** The ban-evasion score, 0..1 (kernels/accounts/score.ts). */
  readonly similarity: number;
  /** What links the two accounts, strongest first. */
  readonly evidence: readonly Evidence[];
}

/** Types whose values match only when equal (file hashes, URLs, domains, ...). */
export type ExactType = Exclude<SignalType, "pdq" | "vpdq" | "text" | "account">;

/** An exact match: what matched (the canonical value, or the host suffix for a domain). */
export interface ExactMatch extends MatchBase, Without<"matched"> {
  readonly type: ExactType;
  readonly matched: string;
}

export type Match = PdqMatch | VpdqMatch | TextMatch | AccountMatch | ExactMatch;

/** A match's score as stored with an item and shown by the API (the fields it has, in this order). */
export interface MatchScore {
  readonly distance?: number;
  readonly similarity?: number;
  readonly matched?: string;
  readonly queryMatchPercent?: number;
  readonly comparedMatchPercent?: number;
}
