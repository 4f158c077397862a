/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): an HMAC-SHA256 over
 * "<id>.<timestamp>.<body>" with the endpoint's secret ("whsec_" + base64 of its bytes),
 * sent as `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`
 * ("v1," + base64 of the HMAC). Receivers verify with any Standard Webhooks library.
 */

import { createHmac, randomBytes } from "node:crypto";

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
}

function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", secretBytes(secret)).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${mac}`;
}

export function webhookHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": signWebhook(secret, id, timestampSeconds, body),
  };
}

/** Exponential backoff with full jitter: attempt 1 → up to `baseMs`, doubling, capped at `maxMs`. */
export function backoffMs(attempt: number, baseMs = 1000, maxMs = 3_600_000, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
