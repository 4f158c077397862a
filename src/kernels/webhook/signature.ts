/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): an HMAC-SHA256 over
 * "<id>.<timestamp>.<body>" with the endpoint's secret ("whsec_" + base64 of its bytes),
 * sent as `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`
 * ("v1," + base64 of the HMAC). Receivers verify with any Standard Webhooks library.
 * While a rotated secret overlaps its successor, the header carries one signature per
 * secret, space-separated, and a receiver holding either secret accepts the delivery.
 */

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Random bytes in a secret rasd makes. */
export const NEW_WEBHOOK_SECRET_BYTES = 32;

/** A new secret: "whsec_" + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(NEW_WEBHOOK_SECRET_BYTES).toString("base64")}`;
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
}

/** Standard Webhooks' shortest secret: 24 random bytes (rasd makes its own of 32). */
export const MIN_WEBHOOK_SECRET_BYTES = 24;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Why a secret given by a member cannot sign webhooks, or undefined when it can: it must be
 * base64 (optionally after "whsec_") of at least 24 bytes. A string that merely has 24
 * characters may decode to nothing ("!!!!…"), and an HMAC with an empty key is forgeable.
 * @example webhookSecretProblem("whsec_" + "A".repeat(32)) // undefined (24 bytes)
 */
export function webhookSecretProblem(secret: string): string | undefined {
  const body = secret.startsWith("whsec_") ? secret.slice(6) : secret;
  if (!BASE64.test(body) || body.length % 4 === 1)
    return 'not base64: use "whsec_" followed by the base64 of at least 24 random bytes, or leave it out and rasd makes one';
  const bytes = Buffer.from(body, "base64").length;
  if (bytes < MIN_WEBHOOK_SECRET_BYTES)
    return `${bytes} bytes once decoded; at least ${MIN_WEBHOOK_SECRET_BYTES} random bytes are needed`;
  return undefined;
}

function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", secretBytes(secret)).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/**
 * The three Standard Webhooks headers; with several secrets (a rotation's overlap), one
 * signature per secret in `webhook-signature`, space-separated, the newest first.
 * @example webhookHeaders(["whsec_new…", "whsec_old…"], "msg_1", 1700000000, "{}")["webhook-signature"] // "v1,… v1,…"
 */
export function webhookHeaders(
  secret: string | readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  const secrets = typeof secret === "string" ? [secret] : secret;
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": secrets.map((s) => signWebhook(s, id, timestampSeconds, body)).join(" "),
  };
}

/**
 * Whether a `webhook-signature` header (one or more "v1,<base64>" separated by spaces) holds
 * a valid signature of "<id>.<timestamp>.<body>" under `secret`: the receiving side of
 * `webhookHeaders`, for requests members sign to rasd (counter-messaging events). Constant time
 * per signature compared.
 */
export function verifyWebhookSignature(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
  header: string,
): boolean {
  const expected = Buffer.from(signWebhook(secret, id, timestampSeconds, body));
  return header
    .split(" ")
    .map((s) => Buffer.from(s.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}

/** Exponential backoff with full jitter: attempt 1 → up to `baseMs`, doubling, capped at `maxMs`. */
export function backoffMs(attempt: number, baseMs = 1000, maxMs = 3_600_000, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
