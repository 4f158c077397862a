/** Action rules, the actions they took (webhook deliveries, with redelivery) and the review queue. */

import { RasdError } from "../../core/errors.js";
import { BEHAVIOURS, SIGNAL_TYPES } from "../../core/model.js";
import { redactRule, type RuleAction, type RuleConditions } from "../../core/rules.js";
import { STANCES, type Stance } from "../../core/stance.js";
import { newWebhookSecret } from "../../kernels/webhook/signature.js";
import type { Principal } from "../../services/access.js";
import type { Services } from "../../server/services.js";
import { idParam, pageQuery, route, type RouteDef } from "../route.js";
import { actionView, iso } from "../views.js";
import { auditEntry } from "./members.js";
import { decisionRoute } from "./reviews.js";

const conditions = {
  type: "object",
  additionalProperties: false,
  properties: {
    signal_types: { type: "array", items: { type: "string", enum: [...SIGNAL_TYPES] } },
    bank_ids: { type: "array", items: { type: "integer", minimum: 1 } },
    entity: { type: "array", items: { type: "string", maxLength: 64 } },
    behaviour: { type: "array", items: { type: "string", enum: [...BEHAVIOURS] } },
    language: { type: "array", items: { type: "string", maxLength: 3 } },
    max_distance: { type: "integer", minimum: 0, maximum: 31 },
    min_similarity: { type: "number", minimum: 0, maximum: 1 },
    stance: { type: "array", items: { type: "string", enum: [...STANCES] } },
    min_stance_score: { type: "number", minimum: 0, maximum: 1 },
  },
} as const;

const action = {
  oneOf: [
    {
      type: "object",
      additionalProperties: false,
      required: ["type", "url"],
      properties: {
        type: { const: "webhook" },
        url: { type: "string", maxLength: 2000 },
        secret: { type: "string", minLength: 24, maxLength: 200 },
      },
    },
    { type: "object", additionalProperties: false, required: ["type"], properties: { type: { const: "review" } } },
    {
      type: "object",
      additionalProperties: false,
      required: ["type", "decision"],
      properties: { type: { const: "decision" }, decision: { type: "string", minLength: 1, maxLength: 100 } },
    },
  ],
} as const;

interface ConditionsBody {
  signal_types?: RuleConditions["signalTypes"];
  bank_ids?: number[];
  entity?: string[];
  behaviour?: RuleConditions["behaviour"];
  language?: string[];
  max_distance?: number;
  min_similarity?: number;
  stance?: Stance[];
  min_stance_score?: number;
}

interface RuleBody {
  name?: string;
  enabled?: boolean;
  conditions?: ConditionsBody;
  actions?: { type: string; url?: string; secret?: string; decision?: string }[];
}

function toConditions(c: ConditionsBody): RuleConditions {
  return {
    ...(c.signal_types ? { signalTypes: c.signal_types } : {}),
    ...(c.bank_ids ? { bankIds: c.bank_ids } : {}),
    ...(c.entity ? { entity: c.entity.map((e) => e.toLowerCase()) } : {}),
    ...(c.behaviour ? { behaviour: c.behaviour } : {}),
    ...(c.language ? { language: c.language } : {}),
    ...(c.max_distance !== undefined ? { maxDistance: c.max_distance } : {}),
    ...(c.min_similarity !== undefined ? { minSimilarity: c.min_similarity } : {}),
    ...(c.stance ? { stance: c.stance } : {}),
    ...(c.min_stance_score !== undefined ? { minStanceScore: c.min_stance_score } : {}),
  };
}

/** Webhook actions without a secret get a new one, returned once in `secrets`. */
function toActions(list: NonNullable<RuleBody["actions"]>): { actions: RuleAction[]; secrets: Record<string, string> } {
  const secrets: Record<string, string> = {};
  const actions = list.map((a, i): RuleAction => {
    if (a.type === "webhook") {
      let url: URL;
      try {
        url = new URL(a.url ?? "");
      } catch {
        throw new RasdError("invalid", `actions[${i}].url: not a URL`);
      }
      if (url.protocol !== "https:" && url.protocol !== "http:")
        throw new RasdError("invalid", `actions[${i}].url: must be http or https`);
      const secret = a.secret ?? newWebhookSecret();
      if (!a.secret) secrets[String(i)] = secret;
      return { type: "webhook", url: url.href, secret };
    }
    if (a.type === "decision") return { type: "decision", decision: a.decision ?? "" };
    return { type: "review" };
  });
  return { actions, secrets };
}

function ruleView(r: ReturnType<typeof redactRule>): Record<string, unknown> {
  const c = r.conditions;
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    conditions: {
      ...(c.signalTypes ? { signal_types: c.signalTypes } : {}),
      ...(c.bankIds ? { bank_ids: c.bankIds } : {}),
      ...(c.entity ? { entity: c.entity } : {}),
      ...(c.behaviour ? { behaviour: c.behaviour } : {}),
      ...(c.language ? { language: c.language } : {}),
      ...(c.maxDistance !== undefined ? { max_distance: c.maxDistance } : {}),
      ...(c.minSimilarity !== undefined ? { min_similarity: c.minSimilarity } : {}),
      ...(c.stance ? { stance: c.stance } : {}),
      ...(c.minStanceScore !== undefined ? { min_stance_score: c.minStanceScore } : {}),
    },
    actions: r.actions,
  };
}

export function ruleRoutes(s: Services): RouteDef[] {
  const ownRule = async (who: Principal, id: number) => {
    const rule = Number.isNaN(id) ? undefined : await s.rules.get(id);
    if (!rule || rule.orgId !== who.orgId) throw new RasdError("not_found", "no such rule");
    return rule;
  };
  const ownAction = async (who: Principal, id: number) => {
    const a = Number.isNaN(id) ? undefined : await s.actions.getAction(id);
    if (!a || a.orgId !== who.orgId) throw new RasdError("not_found", "no such action");
    return a;
  };
  const checkBanks = async (who: Principal, c: ConditionsBody | undefined) => {
    const visible = await s.access.visibleBankIds(who);
    for (const id of c?.bank_ids ?? [])
      if (!visible.has(id)) throw new RasdError("invalid", `conditions.bank_ids: no bank with id ${id}`);
  };
  const ruleBody = (required: string[]) => ({
    type: "object",
    additionalProperties: false,
    required,
    properties: {
      name: { type: "string", minLength: 1, maxLength: 100 },
      enabled: { type: "boolean" },
      conditions,
      actions: { type: "array", minItems: 1, maxItems: 10, items: action },
    },
  });

  return [
    route({
      method: "GET",
      url: "/v1/rules",
      access: "rule.read",
      summary: "The organisation's action rules (webhook secrets hidden)",
      tags: ["rules"],
      handler: async (_req, _reply, who) => ({
        rules: (await s.rules.list(who.orgId)).map((r) => ruleView(redactRule(r))),
      }),
    }),
    route({
      method: "POST",
      url: "/v1/rules",
      access: "rule.write",
      summary: "Create an action rule; generated webhook secrets are returned once",
      tags: ["rules"],
      schema: { body: ruleBody(["name", "conditions", "actions"]) },
      handler: async (req, reply, who) => {
        const body = req.body as Required<Pick<RuleBody, "name" | "conditions" | "actions">> & RuleBody;
        await checkBanks(who, body.conditions);
        const { actions, secrets } = toActions(body.actions);
        const rule = await s.rules.create(who.orgId, {
          name: body.name,
          enabled: body.enabled ?? true,
          conditions: toConditions(body.conditions),
          actions,
        });
        s.pipeline.invalidateRules();
        await s.access.audit(auditEntry(req, who, "rule.create", `rule:${rule.id}`, { name: rule.name }));
        void reply.status(201);
        return { ...ruleView(redactRule(rule)), webhook_secrets: secrets };
      },
    }),
    route({
      method: "GET",
      url: "/v1/rules/:id",
      access: "rule.read",
      summary: "One action rule",
      tags: ["rules"],
      handler: async (req, _reply, who) => ruleView(redactRule(await ownRule(who, idParam(req)))),
    }),
    route({
      method: "PATCH",
      url: "/v1/rules/:id",
      access: "rule.write",
      summary: "Change an action rule",
      tags: ["rules"],
      schema: { body: ruleBody([]) },
      handler: async (req, _reply, who) => {
        const rule = await ownRule(who, idParam(req));
        const body = req.body as RuleBody;
        await checkBanks(who, body.conditions);
        const next = body.actions ? toActions(body.actions) : undefined;
        const updated = await s.rules.update(rule.id, {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
          ...(body.conditions ? { conditions: toConditions(body.conditions) } : {}),
          ...(next ? { actions: next.actions } : {}),
        });
        s.pipeline.invalidateRules();
        await s.access.audit(auditEntry(req, who, "rule.update", `rule:${rule.id}`));
        return { ...ruleView(redactRule(updated)), webhook_secrets: next?.secrets ?? {} };
      },
    }),
    route({
      method: "DELETE",
      url: "/v1/rules/:id",
      access: "rule.write",
      summary: "Delete an action rule",
      tags: ["rules"],
      handler: async (req, reply, who) => {
        const rule = await ownRule(who, idParam(req));
        await s.rules.delete(rule.id);
        s.pipeline.invalidateRules();
        await s.access.audit(auditEntry(req, who, "rule.delete", `rule:${rule.id}`, { name: rule.name }));
        void reply.status(204);
        return undefined;
      },
    }),
    route({
      method: "GET",
      url: "/v1/actions",
      access: "rule.read",
      summary: "Actions taken, newest first; status=dead lists the dead letters",
      tags: ["rules"],
      schema: {
        querystring: pageQuery(500, { status: { type: "string", enum: ["pending", "delivered", "dead", "done"] } }),
      },
      handler: async (req, _reply, who) => {
        const q = req.query as { status?: string; before?: number; limit?: number };
        const rows = await s.actions.listActions(who.orgId, {
          ...(q.status ? { status: q.status } : {}),
          ...(q.before ? { beforeId: q.before } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
        });
        return { actions: rows.map(actionView) };
      },
    }),
    route({
      method: "POST",
      url: "/v1/actions/:id/redeliver",
      access: "action.redeliver",
      summary: "Send a webhook action again (same delivery id, so receivers can de-duplicate)",
      tags: ["rules"],
      handler: async (req, reply, who) => {
        const a = await ownAction(who, idParam(req));
        if (a.type !== "webhook") throw new RasdError("invalid", `action ${a.id} is a ${a.type}, not a webhook`);
        if (a.status === "pending")
          throw new RasdError("conflict", `action ${a.id} is already waiting to be delivered`);
        await s.actions.redeliver(a);
        s.deliverer.wake();
        await s.access.audit(auditEntry(req, who, "action.redeliver", `action:${a.id}`));
        void reply.status(202);
        return actionView((await s.actions.getAction(a.id))!);
      },
    }),
    route({
      method: "GET",
      url: "/v1/reviews",
      access: "review.read",
      summary: "The review queue: open entries by priority (highest first, then oldest), or decided ones, latest first",
      tags: ["review"],
      schema: {
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            status: { type: "string", enum: ["open", "decided"] },
            limit: { type: "integer", minimum: 1, maximum: 500 },
          },
        },
      },
      handler: async (req, _reply, who) => {
        const q = req.query as { status?: string; limit?: number };
        const status = q.status ?? "open";
        // Open entries: highest priority first (strongest match or most confident pro-ISIS
        // text), then oldest first. Decided ones: the latest first.
        const rows = await s.reviews.listReviews(who.orgId, status, q.limit ?? 50);
        return {
          reviews: rows.map((r) => ({
            id: r.id,
            item_id: r.itemId,
            action_id: r.actionId,
            status: r.status,
            priority: r.priority,
            decision: r.decision,
            note: r.note,
            decided_by: r.decidedBy,
            created_at: iso(r.createdAt),
            decided_at: iso(r.decidedAt),
          })),
        };
      },
    }),
    // The decision taxonomy, its statement of reasons and adding to a bank: routes/reviews.ts.
    decisionRoute(s),
  ];
}
