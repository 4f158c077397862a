/** Action rules as the API shows them (webhook secrets hidden). */

import { Type, type Static } from "typebox";

/** When a rule fires; every condition given must hold. */
const RuleConditionsView = Type.Object({
  signal_types: Type.Optional(Type.Immutable(Type.Array(Type.String()))),
  bank_ids: Type.Optional(Type.Immutable(Type.Array(Type.Number()))),
  entity: Type.Optional(Type.Immutable(Type.Array(Type.String()))),
  behaviour: Type.Optional(Type.Immutable(Type.Array(Type.String()))),
  language: Type.Optional(Type.Immutable(Type.Array(Type.String()))),
  max_distance: Type.Optional(Type.Number()),
  min_similarity: Type.Optional(Type.Number()),
  stance: Type.Optional(Type.Immutable(Type.Array(Type.String()))),
  min_stance_score: Type.Optional(Type.Number()),
});
export type RuleConditionsView = Static<typeof RuleConditionsView>;

/** A webhook endpoint (an organisation's target origin): whether deliveries go out, and its recent failures. */
export const WebhookEndpointView = Type.Object({
  id: Type.Number(),
  origin: Type.String(),
  state: Type.Union([Type.Literal("active"), Type.Literal("disabled")]),
  since: Type.String({ description: "When it entered its state" }),
  failures: Type.Number({ description: "Failed attempts in a row since its last success" }),
  failing_since: Type.Union([Type.String(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
});
export type WebhookEndpointView = Static<typeof WebhookEndpointView>;

/** What a rule does: a webhook (its secret shown as "(hidden)"), a review entry, or a decision. */
const RuleActionView = Type.Union([
  Type.Object({
    type: Type.Literal("webhook"),
    url: Type.String(),
    secret: Type.String(),
    previous_secret_until: Type.Optional(
      Type.String({ description: "After a rotation: until when the old secret also signs deliveries" }),
    ),
    endpoint: Type.Optional(WebhookEndpointView),
  }),
  Type.Object({ type: Type.Literal("review") }),
  Type.Object({ type: Type.Literal("decision"), decision: Type.String() }),
]);
export type RuleActionView = Static<typeof RuleActionView>;

export const RuleView = Type.Object({
  id: Type.Number(),
  name: Type.String(),
  enabled: Type.Boolean(),
  conditions: RuleConditionsView,
  actions: Type.Immutable(Type.Array(RuleActionView)),
});
export type RuleView = Static<typeof RuleView>;

/** A created or changed rule, with the webhook secrets generated for it (shown once), by action index. */
export const RuleWithSecretsView = Type.Object({
  ...RuleView.properties,
  webhook_secrets: Type.Record(Type.String(), Type.String()),
});
export type RuleWithSecretsView = Static<typeof RuleWithSecretsView>;

/** A rotated webhook secret: the new one (shown once) and until when the old one still signs. */
export const RotatedSecretView = Type.Object({
  rule_id: Type.Number(),
  action_index: Type.Number(),
  secret: Type.String(),
  previous_secret_until: Type.String(),
});
export type RotatedSecretView = Static<typeof RotatedSecretView>;
