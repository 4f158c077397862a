/**
 * Action rules: an organisation's conditions on what matched → what to do. Pure.
 *
 * A rule fires once per item when at least one of the item's unsuppressed matches meets
 * every condition given (an absent condition always holds; a list holds when any of its
 * values does).
 */

import type { Behaviour, Labels, SignalType } from "./model.js";

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
}

export const ACTION_TYPES = ["webhook", "review", "decision"] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export type RuleAction =
  | { readonly type: "webhook"; readonly url: string; readonly secret: string }
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

/** The enabled rules that fire for these matches, each with the matches that met it. */
export function fire(rules: readonly ActionRule[], matches: readonly MatchFacts[]): Firing[] {
  const out: Firing[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const met = matches.filter((m) => meets(rule.conditions, m));
    if (met.length) out.push({ rule, matches: met });
  }
  return out;
}

/** A rule as shown to API clients: webhook secrets never leave the server. */
export function redactRule(rule: ActionRule): ActionRule {
  return {
    ...rule,
    actions: rule.actions.map((a) => (a.type === "webhook" ? { ...a, secret: "(hidden)" } : a)),
  };
}
