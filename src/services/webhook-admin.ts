/**
 * What an organisation's admin does to its webhooks, for the API and the CLI alike: rotate
 * a webhook's secret (the old one keeps signing beside the new for an overlap, so receivers
 * can switch without losing a delivery) and enable a disabled endpoint again (its held
 * deliveries go out). Both are written to the organisation's audit log by the caller's edge.
 */

import { RasdError } from "../core/errors.js";
import type { ActionRule } from "../core/rules.js";
import { newWebhookSecret, webhookSecretProblem } from "../kernels/webhook/signature.js";
import type { RuleStore, WebhookEndpoint, WebhookEndpointStore } from "../storage/ports/index.js";

export interface Rotated {
  readonly rule: ActionRule;
  /** The new secret (shown once). */
  readonly secret: string;
  /** Until when the old secret still signs deliveries (ms). */
  readonly previousUntil: number;
}

/**
 * Gives the webhook at `index` of `rule` a new secret (`secret`, or one rasd makes); the old
 * one signs beside it until `now + overlapMs`. A rotation during an overlap drops the oldest.
 */
export async function rotateWebhookSecret(
  rules: RuleStore,
  rule: ActionRule,
  index: number,
  options: { readonly secret?: string; readonly overlapMs: number; readonly now?: number },
): Promise<Rotated> {
  const action = rule.actions[index];
  if (!action || action.type !== "webhook")
    throw new RasdError("invalid", `rule ${rule.id} has no webhook at actions[${index}]`);
  const problem = options.secret === undefined ? undefined : webhookSecretProblem(options.secret);
  if (problem) throw new RasdError("invalid", `secret: ${problem}`);
  const secret = options.secret ?? newWebhookSecret();
  if (secret === action.secret)
    throw new RasdError("invalid", "secret: the new secret must differ from the current one");
  const previousUntil = (options.now ?? Date.now()) + options.overlapMs;
  const actions = rule.actions.map((a, i) =>
    i === index && a.type === "webhook"
      ? { type: "webhook" as const, url: a.url, secret, previousSecret: a.secret, previousUntil }
      : a,
  );
  return { rule: await rules.update(rule.id, { actions }), secret, previousUntil };
}

/** Enables one of `orgId`'s endpoints again; "not_found" for another organisation's. */
export async function enableWebhookEndpoint(
  endpoints: WebhookEndpointStore,
  orgId: number,
  id: number,
): Promise<{ endpoint: WebhookEndpoint; released: number; wasDisabled: boolean }> {
  const found = Number.isNaN(id) ? undefined : await endpoints.get(id);
  if (!found || found.orgId !== orgId) throw new RasdError("not_found", `no webhook endpoint with id ${id}`);
  const { endpoint, released } = await endpoints.enable(id, Date.now());
  return { endpoint, released, wasDisabled: found.state === "disabled" };
}
