/** Webhook endpoints (their state, re-enabling a disabled one) and rotating a webhook's secret. */

import { Type } from "typebox";
import { RasdError } from "../../core/errors.js";
import type { Services } from "../../server/services.js";
import { enableWebhookEndpoint, rotateWebhookSecret } from "../../services/webhook-admin.js";
import { idParam, route, type RouteDef } from "../route.js";
import { RotatedSecretView, WebhookEndpointView } from "../schemas/rules.js";
import { iso } from "../views.js";
import { auditEntry } from "./members.js";
import { endpointView } from "./rules.js";

const RotateBody = Type.Object(
  {
    secret: Type.Optional(
      Type.String({
        minLength: 24,
        maxLength: 200,
        description: 'The new secret: "whsec_" + base64 of at least 24 random bytes; left out, rasd makes one',
      }),
    ),
    overlap_hours: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 8760,
        description: "How long the old secret still signs deliveries (default RASD_WEBHOOK_ROTATION_OVERLAP_HOURS)",
      }),
    ),
  },
  { additionalProperties: false },
);

export function webhookRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/v1/webhook-endpoints",
      access: "rule.read",
      summary:
        "The organisation's webhook endpoints (target origins) with a recorded outcome: state, failures, last error",
      tags: ["rules"],
      schema: { response: { 200: Type.Object({ endpoints: Type.Array(WebhookEndpointView) }) } },
      handler: async (_req, _reply, who) => ({
        endpoints: (await s.stores.endpoints.list(who.orgId)).map(endpointView),
      }),
    }),
    route({
      method: "POST",
      url: "/v1/webhook-endpoints/:id/enable",
      access: "rule.write",
      summary: "Enable a disabled webhook endpoint again; its held deliveries go out (attempts counted afresh)",
      tags: ["rules"],
      schema: {
        response: { 200: Type.Object({ endpoint: WebhookEndpointView, released: Type.Number() }) },
      },
      handler: async (req, _reply, who) => {
        const { endpoint, released, wasDisabled } = await enableWebhookEndpoint(
          s.stores.endpoints,
          who.orgId,
          idParam(req),
        );
        s.deliverer.wake();
        await s.access.audit(
          auditEntry(req, who, "webhook_endpoint.enable", `webhook_endpoint:${endpoint.id}`, {
            origin: endpoint.origin,
            was_disabled: wasDisabled,
            released,
          }),
        );
        return { endpoint: endpointView(endpoint), released };
      },
    }),
    route({
      method: "POST",
      url: "/v1/rules/:id/actions/:index/rotate-secret",
      access: "rule.write",
      summary:
        "Give a rule's webhook a new secret (returned once); the old one keeps signing beside it for the overlap",
      tags: ["rules"],
      schema: { body: Type.Optional(RotateBody), response: { 200: RotatedSecretView } },
      handler: async (req, _reply, who) => {
        const id = idParam(req);
        const rule = Number.isNaN(id) ? undefined : await s.rules.get(id);
        if (!rule || rule.orgId !== who.orgId) throw new RasdError("not_found", "no such rule");
        const index = Number((req.params as Record<string, string>).index);
        if (!/^[0-9]{1,2}$/.test((req.params as Record<string, string>).index ?? ""))
          throw new RasdError("invalid", "index: expected the action's position in the rule (0, 1, ...)");
        const body = req.body ?? {};
        const rotated = await rotateWebhookSecret(s.rules, rule, index, {
          ...(body.secret !== undefined ? { secret: body.secret } : {}),
          overlapMs:
            body.overlap_hours !== undefined
              ? Math.round(body.overlap_hours * 3_600_000)
              : s.config.webhooks.rotationOverlapMs,
        });
        s.pipeline.invalidateRules();
        await s.access.audit(
          auditEntry(req, who, "rule.rotate_secret", `rule:${rule.id}`, {
            action_index: index,
            previous_until: iso(rotated.previousUntil),
          }),
        );
        return {
          rule_id: rule.id,
          action_index: index,
          secret: rotated.secret,
          previous_secret_until: iso(rotated.previousUntil)!,
        };
      },
    }),
  ];
}
