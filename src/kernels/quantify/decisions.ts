/**
 * Who decided each removal: a person in rasd's review, rasd's automated tools (a hash match
 * acted on by a rule, no person deciding), or the member's own process outside rasd (removal
 * orders, referrals and terms-of-service decisions rasd only hears about). And how accurate the
 * automated matching is, measured where people reviewed matched items: the share they confirmed
 * violating, with a 95% Wilson interval. Pure.
 */

import { wilson } from "./ppi.js";

export interface RemovalDecisionRecord {
  readonly itemId: number;
  /** The removal's basis as reported (hash_match, removal_order, referral, terms_of_service, …). */
  readonly basis: string;
  readonly removedAt: number;
  /** The item matched a banked signal. */
  readonly matched: boolean;
  /** An action rule acted on the item. */
  readonly actedAt: number | null;
  /** When a person decided the item in review (the first decision), if anyone did. */
  readonly humanDecidedAt: number | null;
}

export interface DecisionSplit {
  /** Removed items (distinct) in scope. */
  readonly items: number;
  /** A person decided the item in rasd's review before (or when) it was removed. */
  readonly human: number;
  /** No person decided it: removed on a hash match, or after an automatic action on a match. */
  readonly automated: number;
  /** Decided in the member's own process (orders, referrals, terms of service) without rasd's review. */
  readonly memberProcess: number;
}

export interface MatchReview {
  /** The reviewed item matched a banked signal. */
  readonly matched: boolean;
  readonly decision: string;
}

export interface AutomatedAccuracy {
  /** Matched items people decided (violating or not; escalations left out). */
  readonly reviewed: number;
  readonly confirmed: number;
  /** confirmed / reviewed: how often a match is content people judge violating. */
  readonly precision: number | null;
  readonly interval: { readonly low: number; readonly high: number } | null;
}

const Z95 = 1.959963984540054;

/** One row per removed item (its first removal): who decided it. */
export function decisionSplit(records: readonly RemovalDecisionRecord[]): DecisionSplit {
  const first = new Map<number, RemovalDecisionRecord>();
  for (const r of records) {
    const seen = first.get(r.itemId);
    if (!seen || r.removedAt < seen.removedAt) first.set(r.itemId, r);
  }
  let human = 0;
  let automated = 0;
  let member = 0;
  for (const r of first.values()) {
    if (r.humanDecidedAt !== null && r.humanDecidedAt <= r.removedAt) human++;
    else if (r.basis === "hash_match" || (r.matched && r.actedAt !== null && r.actedAt <= r.removedAt)) automated++;
    else member++;
  }
  return { items: first.size, human, automated, memberProcess: member };
}

/** The matcher's precision as people judged it on the matched items they reviewed. */
export function automatedAccuracy(reviews: readonly MatchReview[]): AutomatedAccuracy {
  const judged = reviews.filter((r) => r.matched && (r.decision === "violating" || r.decision === "not_violating"));
  const confirmed = judged.filter((r) => r.decision === "violating").length;
  if (judged.length === 0) return { reviewed: 0, confirmed: 0, precision: null, interval: null };
  const p = confirmed / judged.length;
  return { reviewed: judged.length, confirmed, precision: p, interval: wilson(p, judged.length, Z95) };
}
