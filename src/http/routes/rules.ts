/** Action rules, the actions they took (webhook deliveries, with redelivery) and the review queue. */

import { Type, type Static } from "typebox";
import { RasdError } from "../../core/errors.js";
import { BEHAVIOURS, SIGNAL_TYPES } from "../../core/model.js";
import { redactRule, type ActionRule, type RuleAction, type RuleConditions } from "../../core/rules.js";
import { webhookOrigin } from "../../core/webhook-endpoints.js";
import { STANCES } from "../../core/stance.js";
import { newWebhookSecret, webhookSecretProblem } from "../../kernels/webhook/signature.js";
import { checkWebhookTarget } from "../../media/webhook-target.js";
import type { Principal } from "../../services/access.js";
import type { Services } from "../../server/services.js";
import type { WebhookEndpoint } from "../../storage/ports/index.js";
import { idParam, pageQuery, route, type RouteDef } from "../route.js";
import { NoContent, Nullable, StringEnum } from "../schemas/common.js";
import { ActionView } from "../schemas/content.js";
import { ReviewEntryView, ReviewQueueQuery } from "../schemas/reviews.js";
import { queueFilter, reviewCursor } from "../../services/review-queue.js";
import { RuleView, RuleWithSecretsView, type WebhookEndpointView } from "../schemas/rules.js";
import { actionView, iso } from "../views.js";
import { auditEntry } from "./members.js";
import { decisionRoute, undoField } from "./reviews.js";

const conditions = Type.Object(
  {
    signal_types: Type.Optional(Type.Array(StringEnum(SIGNAL_TYPES))),
    bank_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }))),
    entity: Type.Optional(Type.Array(Type.String({ maxLength: 64 }))),
    behaviour: Type.Optional(Type.Array(StringEnum(BEHAVIOURS))),
    language: Type.Optional(Type.Array(Type.String({ maxLength: 3 }))),
    max_distance: Type.Optional(Type.Integer({ minimum: 0, maximum: 31 })),
    min_similarity: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    stance: Type.Optional(Type.Array(StringEnum(STANCES))),
    min_stance_score: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);

/** The body's action: written as `oneOf` with bare `const`s, as before TypeBox, so messages stay the same. */
type ActionBody =
  { type: "webhook"; url: string; secret?: string } | { type: "review" } | { type: "decision"; decision: string };
const action = Type.Unsafe<ActionBody>({
  oneOf: [
    {
      type: "object",
      additionalProperties: false,
      required: ["type", "url"],
      properties: {
        type: { const: "webhook" },
        url: { type: "string", maxLength: 2000 },
        secret: {
          type: "string",
          minLength: 24,
          maxLength: 200,
          description:
            'Optional: "whsec_" + base64 of at least 24 random bytes; left out, rasd makes one and returns it once',
        },
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
});

type ConditionsBody = Static<typeof conditions>;
const ruleFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  enabled: Type.Optional(Type.Boolean()),
  conditions,
  actions: Type.Array(action, { minItems: 1, maxItems: 10 }),
};
const NewRuleBody = Type.Object(ruleFields, { additionalProperties: false });
const RulePatchBody = Type.Partial(NewRuleBody);

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

/**
 * Webhook actions without a secret get a new one, returned once in `secrets`; targets are
 * checked here (https, public addresses) so a bad one is refused now, not at delivery.
 */
async function toActions(
  list: readonly ActionBody[],
  allowPrivate: boolean,
): Promise<{ actions: RuleAction[]; secrets: Record<string, string> }> {
  const secrets: Record<string, string> = {};
  const actions: RuleAction[] = [];
  for (const [i, a] of list.entries()) {
    if (a.type === "webhook") {
      const target = await checkWebhookTarget(a.url, { allowPrivate });
      if (target.problem !== undefined) throw new RasdError("invalid", `actions[${i}].url: ${target.problem}`);
      const problem = a.secret === undefined ? undefined : webhookSecretProblem(a.secret);
      if (problem) throw new RasdError("invalid", `actions[${i}].secret: ${problem}`);
      const secret = a.secret ?? newWebhookSecret();
      if (!a.secret) secrets[String(i)] = secret;
      actions.push({ type: "webhook", url: target.href, secret });
    } else if (a.type === "decision") actions.push({ type: "decision", decision: a.decision });
    else actions.push({ type: "review" });
  }
  return { actions, secrets };
}

export function endpointView(e: WebhookEndpoint): WebhookEndpointView {
  return {
    id: e.id,
    origin: e.origin,
    state: e.state,
    since: iso(e.since)!,
    failures: e.failures,
    failing_since: iso(e.failingSince),
    last_error: e.lastError,
  };
}

/** A rule as shown: secrets hidden; a webhook with its endpoint's state when it has a recorded one. */
function ruleView(rule: ActionRule, endpoints: readonly WebhookEndpoint[] = []): RuleView {
  const r = redactRule(rule);
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
    actions: r.actions.map((a) => {
      if (a.type !== "webhook") return a;
      const endpoint = endpoints.find((e) => e.orgId === rule.orgId && e.origin === webhookOrigin(a.url));
      return {
        type: "webhook",
        url: a.url,
        secret: a.secret,
        ...(a.previousUntil !== undefined ? { previous_secret_until: iso(a.previousUntil)! } : {}),
        ...(endpoint ? { endpoint: endpointView(endpoint) } : {}),
      };
    }),
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

  return [
    route({
      method: "GET",
      url: "/v1/rules",
      access: "rule.read",
      summary: "The organisation's action rules (webhook secrets hidden)",
      tags: ["rules"],
      schema: { response: { 200: Type.Object({ rules: Type.Array(RuleView) }) } },
      handler: async (_req, _reply, who) => ({
        rules: await (async () => {
          const endpoints = await s.stores.endpoints.list(who.orgId);
          return (await s.rules.list(who.orgId)).map((r) => ruleView(r, endpoints));
        })(),
      }),
    }),
    route({
      method: "POST",
      url: "/v1/rules",
      access: "rule.write",
      summary: "Create an action rule; generated webhook secrets are returned once",
      tags: ["rules"],
      schema: { body: NewRuleBody, response: { 201: RuleWithSecretsView } },
      handler: async (req, reply, who) => {
        const body = req.body;
        await checkBanks(who, body.conditions);
        const { actions, secrets } = await toActions(body.actions, s.config.webhookAllowPrivate);
        const rule = await s.rules.create(who.orgId, {
          name: body.name,
          enabled: body.enabled ?? true,
          conditions: toConditions(body.conditions),
          actions,
        });
        s.pipeline.invalidateRules();
        await s.access.audit(auditEntry(req, who, "rule.create", `rule:${rule.id}`, { name: rule.name }));
        void reply.status(201);
        return { ...ruleView(rule), webhook_secrets: secrets };
      },
    }),
    route({
      method: "GET",
      url: "/v1/rules/:id",
      access: "rule.read",
      summary: "One action rule",
      tags: ["rules"],
      schema: { response: { 200: RuleView } },
      handler: async (req, _reply, who) =>
        ruleView(await ownRule(who, idParam(req)), await s.stores.endpoints.list(who.orgId)),
    }),
    route({
      method: "PATCH",
      url: "/v1/rules/:id",
      access: "rule.write",
      summary: "Change an action rule",
      tags: ["rules"],
      schema: { body: RulePatchBody, response: { 200: RuleWithSecretsView } },
      handler: async (req, _reply, who) => {
        const rule = await ownRule(who, idParam(req));
        const body = req.body;
        await checkBanks(who, body.conditions);
        const next = body.actions ? await toActions(body.actions, s.config.webhookAllowPrivate) : undefined;
        const updated = await s.rules.update(rule.id, {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
          ...(body.conditions ? { conditions: toConditions(body.conditions) } : {}),
          ...(next ? { actions: next.actions } : {}),
        });
        s.pipeline.invalidateRules();
        await s.access.audit(auditEntry(req, who, "rule.update", `rule:${rule.id}`));
        return { ...ruleView(updated), webhook_secrets: next?.secrets ?? {} };
      },
    }),
    route({
      method: "DELETE",
      url: "/v1/rules/:id",
      access: "rule.write",
      summary: "Delete an action rule",
      tags: ["rules"],
      schema: { response: { 204: NoContent } },
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
        querystring: pageQuery(500, { status: Type.Optional(StringEnum(["pending", "delivered", "dead", "done"])) }),
        response: { 200: Type.Object({ actions: Type.Array(ActionView) }) },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
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
      schema: { response: { 202: ActionView } },
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
      summary:
        "The review queue: open entries by priority (highest first, then oldest), escalated ones waiting for " +
        "an admin (senior reviewer), or decided ones, latest first; total counts them all, with the same filters " +
        "(kind, bank, platform, language, reason). Open and escalated entries another reviewer has claimed " +
        "(POST /v1/reviews/:id/claim) are left out until the claim lapses. Pages: pass a page's `next` as `before` " +
        "for the entries after it",
      tags: ["review"],
      schema: {
        querystring: ReviewQueueQuery,
        response: {
          200: Type.Object({
            reviews: Type.Array(ReviewEntryView),
            total: Type.Number({
              description:
                "Entries of this status, with these filters, the caller would be offered, past the limit too " +
                "(from the start of the queue, whatever `before` says)",
            }),
            next: Nullable(
              Type.String({
                description: "The cursor of the next page (pass it as `before`); null on the last page",
              }),
            ),
          }),
        },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const status = q.status ?? "open";
        const limit = q.limit ?? 50;
        const filter = await queueFilter(q, status, () => s.access.visibleBankIds(who));
        // Open and escalated entries: highest priority first (strongest match or most confident
        // pro-ISIS text), then oldest first, without those another reviewer holds. Decided ones:
        // the latest first.
        const viewer = status === "decided" ? undefined : { personId: who.personId, now: Date.now() };
        const [page, total] = await Promise.all([
          s.reviews.listReviews(who.orgId, status, limit + 1, viewer, filter),
          s.reviews.countReviews(who.orgId, status, viewer, { ...filter, after: undefined }),
        ]);
        const rows = page.slice(0, limit);
        const last = rows[rows.length - 1];
        const banks = await s.reviews.reviewBanks(rows.map((r) => r.id));
        const visible = await s.access.visibleBankIds(who);
        return {
          total,
          next: page.length > limit && last ? reviewCursor(last, status) : null,
          reviews: rows.map((r) => ({
            id: r.id,
            item_id: r.itemId,
            action_id: r.actionId,
            status: r.status,
            priority: r.priority,
            reason: r.reason ?? "match",
            bank_ids: (banks.get(r.id) ?? []).filter((b) => visible.has(b)),
            decision: r.decision,
            note: r.note,
            decided_by: r.decidedBy,
            created_at: iso(r.createdAt),
            decided_at: iso(r.decidedAt),
            ...undoField(r, who.personId),
          })),
        };
      },
    }),
    // The decision taxonomy, its statement of reasons and adding to a bank: routes/reviews.ts.
    decisionRoute(s),
  ];
}
