/**
 * Action rules: an organisation's conditions on what matched → what to do. Pure.
 *
 * A rule fires once per item when at least one of the item's unsuppressed matches meets
 * every condition given (an absent condition always holds; a list holds when any of its
 * values does). A rule with a stance condition also needs the item's text to be classified
 * with that stance at that score or more; if it has no condition on matches, the stance
 * alone makes it fire (e.g. "pro-ISIS text at 0.9 or more → review").
 */

import type { Behaviour, Labels, SignalType } from "./model.js";
import type { Stance, StanceVerdict } from "./stance.js";

export interface RuleConditions {
  readonly signalTypes?: readonly SignalType[];
  readonly bankIds?: readonly number[];
  readonly entity?: readonly string[];
  readonly behaviour?: readonly Behaviour[];
  readonly language?: readonly string[];
  /** PDQ / vPDQ frame distance at most this. */
  readonly maxDistance?: number;
  /** Text similarity at least this. */
  readonly minSimilarity?: number;
  /** The item's text is classified with one of these stances… */
  readonly stance?: readonly Stance[];
  /** …with a calibrated score at least this. */
  readonly minStanceScore?: number;
}

/** Whether a rule says anything about matches (otherwise a stance condition alone suffices). */
function hasMatchConditions(c: RuleConditions): boolean {
  return Boolean(
    c.signalTypes?.length ||
    c.bankIds?.length ||
    c.entity?.length ||
    c.behaviour?.length ||
    c.language?.length ||
    c.maxDistance !== undefined ||
    c.minSimilarity !== undefined,
  );
}

function stanceMeets(c: RuleConditions, verdict: StanceVerdict | undefined): boolean {
  if (!c.stance?.length && c.minStanceScore === undefined) return true;
  if (!verdict) return false;
  if (c.stance?.length && (verdict.label === "unknown" || !c.stance.includes(verdict.label))) return false;
  return verdict.score >= (c.minStanceScore ?? 0);
}

export const ACTION_TYPES = ["webhook", "review", "decision"] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export type RuleAction =
  | {
      readonly type: "webhook";
      readonly url: string;
      readonly secret: string;
      /** A rotated-out secret that still signs deliveries, beside `secret`, until `previousUntil` (ms). */
      readonly previousSecret?: string;
      readonly previousUntil?: number;
    }
  | { readonly type: "review" }
  | { readonly type: "decision"; readonly decision: string };

export interface ActionRule {
  readonly id: number;
  readonly orgId: number;
  readonly name: string;
  readonly enabled: boolean;
  readonly conditions: RuleConditions;
  readonly actions: readonly RuleAction[];
}

/** What a rule sees of a match. */
export interface MatchFacts {
  readonly signalId: number;
  readonly bankId: number;
  readonly type: SignalType;
  readonly distance?: number;
  readonly similarity?: number;
  readonly labels: Labels;
  readonly suppressed?: boolean;
}

function anyOf<T>(wanted: readonly T[] | undefined, have: readonly T[]): boolean {
  return !wanted || wanted.length === 0 || wanted.some((w) => have.includes(w));
}

export function meets(c: RuleConditions, m: MatchFacts): boolean {
  if (m.suppressed) return false;
  if (c.signalTypes?.length && !c.signalTypes.includes(m.type)) return false;
  if (c.bankIds?.length && !c.bankIds.includes(m.bankId)) return false;
  if (!anyOf(c.entity, m.labels.entity) || !anyOf(c.behaviour, m.labels.behaviour)) return false;
  if (!anyOf(c.language, m.labels.language)) return false;
  if (c.maxDistance !== undefined && (m.distance === undefined || m.distance > c.maxDistance)) return false;
  if (c.minSimilarity !== undefined && (m.similarity === undefined || m.similarity < c.minSimilarity)) return false;
  return true;
}

export interface Firing {
  readonly rule: ActionRule;
  readonly matches: readonly MatchFacts[];
}

/** The enabled rules that fire for an item's matches and stance, each with the matches that met it. */
export function fire(rules: readonly ActionRule[], matches: readonly MatchFacts[], stance?: StanceVerdict): Firing[] {
  const out: Firing[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const c = rule.conditions;
    if (!stanceMeets(c, stance)) continue;
    const met = matches.filter((m) => meets(c, m));
    const byStanceAlone = Boolean(c.stance?.length || c.minStanceScore !== undefined) && !hasMatchConditions(c);
    if (met.length || byStanceAlone) out.push({ rule, matches: met });
  }
  return out;
}

/** How strongly one match says "this is the banked thing", 0..1. */
function matchStrength(m: MatchFacts): number {
  if (m.suppressed) return 0;
  if (m.similarity !== undefined) return m.similarity;
  // PDQ and vPDQ: distance 0 of 256 bits is certain; the usual threshold of 31 is still strong.
  if (m.distance !== undefined) return Math.max(0, 1 - m.distance / 128);
  return 1; // exact types: file hashes, URLs, domains
}

/**
 * A review entry's priority, 0..1, higher first: the strongest unsuppressed match, or the
 * classifier's confidence that the text is pro-ISIS, whichever is higher; incitement and
 * instruction come before other pro content of the same confidence.
 */
export function reviewPriority(matches: readonly MatchFacts[], stance?: StanceVerdict): number {
  let p = 0;
  for (const m of matches) p = Math.max(p, matchStrength(m));
  if (stance?.label === "pro") {
    const urgent = stance.behaviour === "incitement" || stance.behaviour === "instruction";
    p = Math.max(p, Math.min(1, stance.score * (urgent ? 1 : 0.95)));
  }
  return Math.round(p * 1000) / 1000;
}

/**
 * Why a rule's review action queues an item (the queue's `reason` filter): the stance model
 * alone when the rule fired without a match, ban evasion when an account matched, else a bank
 * match. An incident bank's match is told apart when the entry is stored (action-store.ts).
 */
export function queueReason(met: readonly MatchFacts[]): "match" | "stance" | "account" {
  if (met.length === 0) return "stance";
  return met.some((m) => m.type === "account") ? "account" : "match";
}

/** The banks whose signals the item matched (suppressed matches left out), for the queue's bank filter. */
export function matchedBanks(matches: readonly MatchFacts[]): number[] {
  return [...new Set(matches.filter((m) => !m.suppressed).map((m) => m.bankId))];
}

/** A rule as shown to API clients: webhook secrets never leave the server. */
export function redactRule(rule: ActionRule): ActionRule {
  return {
    ...rule,
    actions: rule.actions.map((a) =>
      a.type === "webhook" ? { type: "webhook", url: a.url, secret: "(hidden)", ...rotation(a) } : a,
    ),
  };
}

/** When a webhook's rotated-out secret stops signing (as shown to API clients), if it still does. */
function rotation(a: { readonly previousSecret?: string; readonly previousUntil?: number }): {
  previousUntil?: number;
} {
  return a.previousSecret !== undefined && a.previousUntil !== undefined ? { previousUntil: a.previousUntil } : {};
}

/** The secrets a webhook signs with at `now`: its own, then a rotated-out one still in its overlap. */
export function signingSecrets(
  a: { readonly secret: string; readonly previousSecret?: string; readonly previousUntil?: number },
  now: number,
): string[] {
  return a.previousSecret !== undefined && (a.previousUntil ?? 0) > now ? [a.secret, a.previousSecret] : [a.secret];
}
