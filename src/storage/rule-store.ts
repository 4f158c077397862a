/** Action rules, stored as JSON conditions and actions per organisation. */

import type { Kysely, Selectable } from "kysely";
import { RasdError } from "../core/errors.js";
import type { ActionRule, RuleAction, RuleConditions } from "../core/rules.js";
import type { RuleInput, RuleStore } from "./ports/rules.js";
import type { ActionRulesTable, Database } from "./schema.js";

export type { RuleInput } from "./ports/rules.js";

function toRule(r: Selectable<ActionRulesTable>): ActionRule {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    enabled: Number(r.enabled) === 1,
    conditions: JSON.parse(r.conditions) as RuleConditions,
    actions: JSON.parse(r.actions) as RuleAction[],
  };
}

export class KyselyRuleStore implements RuleStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(orgId: number, input: RuleInput): Promise<ActionRule> {
    const now = Date.now();
    try {
      const r = await this.db
        .insertInto("action_rules")
        .values({
          org_id: orgId,
          name: input.name,
          enabled: input.enabled === false ? 0 : 1,
          conditions: JSON.stringify(input.conditions),
          actions: JSON.stringify(input.actions),
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRule(r);
    } catch (error) {
      if (
        /UNIQUE|23505|duplicate key/i.test(String((error as Error).message) + String((error as { code?: string }).code))
      )
        throw new RasdError("conflict", `the organisation already has a rule named "${input.name}"`);
      throw error;
    }
  }

  async update(id: number, input: Partial<RuleInput>): Promise<ActionRule> {
    const r = await this.db
      .updateTable("action_rules")
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
        ...(input.conditions !== undefined ? { conditions: JSON.stringify(input.conditions) } : {}),
        ...(input.actions !== undefined ? { actions: JSON.stringify(input.actions) } : {}),
        updated_at: Date.now(),
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
    if (!r) throw new RasdError("not_found", `no rule with id ${id}`);
    return toRule(r);
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom("action_rules").where("id", "=", id).execute();
  }

  async get(id: number): Promise<ActionRule | undefined> {
    const r = await this.db.selectFrom("action_rules").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toRule(r);
  }

  async list(orgId?: number): Promise<ActionRule[]> {
    let q = this.db.selectFrom("action_rules").selectAll().orderBy("id");
    if (orgId !== undefined) q = q.where("org_id", "=", orgId);
    return (await q.execute()).map(toRule);
  }
}
