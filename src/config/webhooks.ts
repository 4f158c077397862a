/**
 * The webhook settings (docs/configuration.md, docs/webhooks.md): per-endpoint concurrency,
 * when an endpoint is disabled, how long a rotated secret stays valid, and the master key
 * webhook secrets are sealed with. Parsed once, with the rest of the configuration.
 */

import { RasdError } from "../core/errors.js";

export interface WebhookSettings {
  /** Deliveries in flight at once per endpoint (an organisation's target origin). */
  readonly perEndpoint: number;
  /** Deliveries in flight (or waiting in an endpoint's lane) in one worker, over all endpoints. */
  readonly inFlight: number;
  /** An endpoint is disabled after this many failed attempts in a row… */
  readonly disableAfterFailures: number;
  /** …spanning at least this long (ms). */
  readonly disableAfterMs: number;
  /** How long a rotated-out secret still signs deliveries beside the new one (ms). */
  readonly rotationOverlapMs: number;
  /** The master key sealing webhook secrets (RASD_SECRET_KEY); undefined: the data folder's key file. */
  readonly secretKey: Uint8Array | undefined;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new RasdError("usage", `${name}: expected an integer ${min}..${max}, got "${text}"`);
  return n;
}

function secretKey(text: string | undefined): Uint8Array | undefined {
  if (text === undefined || text === "") return undefined;
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(text.trim()) ? Buffer.from(text.trim(), "base64") : Buffer.alloc(0);
  if (bytes.length !== 32)
    throw new RasdError(
      "usage",
      `RASD_SECRET_KEY: expected the base64 of 32 random bytes (e.g. openssl rand -base64 32), got ${bytes.length} bytes`,
    );
  return new Uint8Array(bytes);
}

export function webhookSettings(env: NodeJS.ProcessEnv): WebhookSettings {
  return Object.freeze({
    perEndpoint: int(env, "RASD_WEBHOOK_CONCURRENCY", 8, 1, 256),
    inFlight: int(env, "RASD_WEBHOOK_IN_FLIGHT", 1024, 1, 100_000),
    disableAfterFailures: int(env, "RASD_WEBHOOK_DISABLE_AFTER", 20, 1, 1_000_000),
    disableAfterMs: int(env, "RASD_WEBHOOK_DISABLE_MINUTES", 15, 0, 525_600) * 60_000,
    rotationOverlapMs: int(env, "RASD_WEBHOOK_ROTATION_OVERLAP_HOURS", 24, 0, 8760) * 3_600_000,
    secretKey: secretKey(env.RASD_SECRET_KEY),
  });
}
