/** The action-rule port: each organisation's rules (JSON conditions and actions). */

import type { ActionRule, RuleAction, RuleConditions } from "../../core/rules.js";

export interface RuleInput {
  readonly name: string;
  readonly enabled?: boolean;
  readonly conditions: RuleConditions;
  readonly actions: readonly RuleAction[];
}

export interface RuleStore {
  /** Throws "conflict" when the organisation already has a rule of that name. */
  create(orgId: number, input: RuleInput): Promise<ActionRule>;
  /** Throws "not_found" for an unknown id. */
  update(id: number, input: Partial<RuleInput>): Promise<ActionRule>;
  delete(id: number): Promise<void>;
  get(id: number): Promise<ActionRule | undefined>;
  /** Every rule (of one organisation when given), in id order. */
  list(orgId?: number): Promise<ActionRule[]>;
}
