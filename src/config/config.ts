/**
 * Configuration, parsed once: from command-line options, then environment variables, then
 * defaults. What each setting means, its option, variable and default are in the one settings
 * table, settings.ts (docs/configuration.md is generated from it: `npm run docs:config`).
 */

import { resolve, join } from "node:path";
import { RasdError } from "../core/errors.js";
import { LOG_LEVELS, type LogLevel } from "../logging/logger.js";
import { parseTrustProxy, rateLimits, type RateLimits } from "./access-limits.js";
import { linkSettings, type LinkSettings } from "./links.js";
import { webhookSettings, type WebhookSettings } from "./webhooks.js";

export interface Config {
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly shortenersFile: string | undefined;
  readonly host: string;
  readonly port: number;
  /** Requests per second per key, sustained (`rateLimits.key.rate`). */
  readonly rateLimit: number;
  /** Per key, person, organisation, failed authentication and sign-in (config/access-limits.ts). */
  readonly rateLimits: RateLimits;
  /** Proxies whose X-Forwarded-For is believed (addresses, CIDRs); empty: none. */
  readonly trustProxy: readonly string[];
  readonly pipelineThreads: number;
  readonly leaseSeconds: number;
  /** Pending content jobs beyond which submissions are refused (503 busy.backlog); 0: no limit. */
  readonly maxBacklog: number;
  /** Migrate the database to the latest schema on opening (false: refuse an older one). */
  readonly migrate: boolean;
  /** A worker-only process's port for /metrics and /status/* (0: none). */
  readonly workerPort: number;
  readonly natsUrl: string | undefined;
  readonly natsPrefix: string;
  /** Replicas of the JetStream streams rasd creates (1 on a single server). */
  readonly natsReplicas: number;
  /** The longest wait between NATS connection attempts, in ms. */
  readonly natsReconnectMaxMs: number;
  /** Seconds a stopping process may take before it exits with status 1. */
  readonly shutdownSeconds: number;
  readonly webhookAllowPrivate: boolean;
  /** Webhook delivery, disabling, rotation and the secrets' master key (config/webhooks.ts). */
  readonly webhooks: WebhookSettings;
  readonly fetchAllowPrivate: boolean;
  /** Exchanges may fetch from loopback and private addresses (internal peers, tests). */
  readonly exchangeAllowPrivate: boolean;
  /**
   * What opinions carry of their organisation when they leave this instance (the change feed,
   * TAXII, exports): `named` its id and name, `anonymous` neither (decision 0042).
   */
  readonly opinionOrgs: "named" | "anonymous";
  /** Link expansion and liveness checks (config/links.ts). */
  readonly links: LinkSettings;
  /** The stance model file; undefined = the one shipped with rasd. */
  readonly stanceModel: string | undefined;
  /** Per trained language, an ONNX stance model serving it (`RASD_STANCE_ONNX`, decision 0030); empty: none. */
  readonly stanceOnnx: Readonly<Record<string, string>>;
  /** The least severe level logged: trace, debug, info, warn, error, fatal or silent. */
  readonly logLevel: LogLevel;
  /** The media store's folder: submitted images' and videos' bytes (storage/media-store-fs.ts). */
  readonly mediaDir: string;
  /** Days media is kept after its item is processed, unless a review or case holds it (0: for ever). */
  readonly mediaRetentionDays: number;
  /** Minutes between a worker's media retention sweeps. */
  readonly mediaSweepMinutes: number;
  /** Memory bounds on media (src/media/decode-gate.ts): gates and the decoding budget. */
  readonly media: {
    readonly decodes: number;
    readonly videos: number;
    readonly queue: number;
    readonly waitMs: number;
    readonly maxDecodedBytes: number;
  };
  /** PEM certificate (chain) and key files: serve HTTPS. Both or neither. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
}

export interface ConfigOverrides {
  readonly data?: string;
  readonly db?: string;
  readonly shorteners?: string;
  readonly host?: string;
  readonly port?: string | number;
  readonly rateLimit?: string | number;
  readonly rateLimitPerson?: string | number;
  readonly rateLimitOrg?: string | number;
  readonly trustProxy?: string;
  readonly pipelineThreads?: string | number;
  /** `false` (--no-migrate): do not migrate; `true` or absent: RASD_MIGRATE decides. */
  readonly migrate?: boolean;
  readonly metricsPort?: string | number;
  readonly logLevel?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

function intInRange(value: string | number, what: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new RasdError("usage", `${what}: expected an integer 0..${max}, got "${value}"`);
  return n;
}

/**
 * `RASD_STANCE_ONNX`: comma-separated `LANG=FILE` pairs, LANG one of the trained languages (ar, en).
 * @example stanceOnnxFiles("en=/models/en.onnx") // { en: "/models/en.onnx" }
 */
export function stanceOnnxFiles(value: string | undefined): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const part of (value ?? "").split(",")) {
    if (part.trim() === "") continue;
    const at = part.indexOf("=");
    const lang = part.slice(0, at).trim();
    const file = part.slice(at + 1).trim();
    if (at < 0 || file === "" || !["ar", "en"].includes(lang))
      throw new RasdError("usage", `RASD_STANCE_ONNX: expected LANG=FILE pairs with LANG ar or en, got "${part}"`);
    if (lang in out) throw new RasdError("usage", `RASD_STANCE_ONNX: "${lang}" named twice`);
    out[lang] = resolve(file);
  }
  return Object.freeze(out);
}

function logLevel(value: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level) throw new RasdError("usage", `log level: expected one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
  return level;
}

function tlsFiles(cert: string | undefined, key: string | undefined): Config["tls"] {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined)
    throw new RasdError(
      "usage",
      "TLS needs both a certificate and a key: give --tls-cert and --tls-key (or RASD_TLS_CERT and RASD_TLS_KEY)",
    );
  return { certFile: resolve(cert), keyFile: resolve(key) };
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(overrides.data ?? env.RASD_DATA ?? "./data");
  const databaseUrl = overrides.db ?? env.RASD_DATABASE_URL ?? `sqlite:${join(dataDir, "rasd.db")}`;
  const shortenersFile = overrides.shorteners ?? env.RASD_SHORTENERS ?? undefined;
  const limits = rateLimits({
    key: overrides.rateLimit ?? env.RASD_RATE_LIMIT,
    person: overrides.rateLimitPerson ?? env.RASD_RATE_LIMIT_PERSON,
    org: overrides.rateLimitOrg ?? env.RASD_RATE_LIMIT_ORG,
    failedAuth: env.RASD_RATE_LIMIT_FAILED_AUTH,
    signIn: env.RASD_RATE_LIMIT_SIGN_IN,
  });
  return Object.freeze({
    dataDir,
    databaseUrl,
    shortenersFile,
    host: overrides.host ?? env.RASD_HOST ?? "127.0.0.1",
    port: intInRange(overrides.port ?? env.RASD_PORT ?? 8080, "port", 65535),
    rateLimit: limits.key.rate,
    rateLimits: limits,
    trustProxy: parseTrustProxy(overrides.trustProxy ?? env.RASD_TRUST_PROXY),
    pipelineThreads: intInRange(overrides.pipelineThreads ?? env.RASD_PIPELINE_THREADS ?? 1, "pipeline threads", 64),
    maxBacklog: intInRange(env.RASD_MAX_BACKLOG ?? 100_000, "RASD_MAX_BACKLOG", 1_000_000_000),
    // Only `false` counts: commander's --no-migrate leaves `true` when absent, which must not hide RASD_MIGRATE=0.
    migrate: overrides.migrate !== false && env.RASD_MIGRATE !== "0",
    workerPort: intInRange(overrides.metricsPort ?? env.RASD_WORKER_PORT ?? 9464, "worker port", 65535),
    natsUrl: env.RASD_NATS_URL || undefined,
    natsPrefix: env.RASD_NATS_PREFIX ?? "rasd",
    natsReplicas: intInRange(env.RASD_NATS_REPLICAS ?? 1, "RASD_NATS_REPLICAS", 5) || 1,
    natsReconnectMaxMs:
      intInRange(env.RASD_NATS_RECONNECT_MAX_MS ?? 5000, "RASD_NATS_RECONNECT_MAX_MS", 600_000) || 5000,
    shutdownSeconds: intInRange(env.RASD_SHUTDOWN_SECONDS ?? 30, "RASD_SHUTDOWN_SECONDS", 3600) || 30,
    leaseSeconds: intInRange(env.RASD_LEASE_SECONDS ?? 10, "RASD_LEASE_SECONDS", 86_400) || 10,
    webhookAllowPrivate: env.RASD_WEBHOOK_ALLOW_PRIVATE === "1",
    webhooks: webhookSettings(env),
    fetchAllowPrivate: env.RASD_FETCH_ALLOW_PRIVATE === "1",
    exchangeAllowPrivate: env.RASD_EXCHANGE_ALLOW_PRIVATE === "1",
    opinionOrgs: opinionOrgs(env.RASD_OPINION_ORGS),
    links: linkSettings(env),
    stanceModel: env.RASD_STANCE_MODEL || undefined,
    stanceOnnx: stanceOnnxFiles(env.RASD_STANCE_ONNX),
    logLevel: logLevel(overrides.logLevel ?? (env.RASD_LOG_LEVEL || "info")),
    mediaDir: resolve(env.RASD_MEDIA_DIR || join(dataDir, "media")),
    mediaRetentionDays: intInRange(env.RASD_MEDIA_RETENTION_DAYS ?? 90, "RASD_MEDIA_RETENTION_DAYS", 36_500),
    mediaSweepMinutes: intInRange(env.RASD_MEDIA_SWEEP_MINUTES ?? 60, "RASD_MEDIA_SWEEP_MINUTES", 10_080) || 60,
    media: Object.freeze({
      decodes: intInRange(env.RASD_DECODE_CONCURRENCY ?? 2, "RASD_DECODE_CONCURRENCY", 256) || 2,
      videos: intInRange(env.RASD_VIDEO_CONCURRENCY ?? 2, "RASD_VIDEO_CONCURRENCY", 256) || 2,
      queue: intInRange(env.RASD_MEDIA_QUEUE ?? 4, "RASD_MEDIA_QUEUE", 10_000),
      waitMs: intInRange(env.RASD_MEDIA_WAIT_MS ?? 2000, "RASD_MEDIA_WAIT_MS", 600_000),
      maxDecodedBytes:
        (intInRange(env.RASD_MAX_DECODED_MIB ?? 256, "RASD_MAX_DECODED_MIB", 65_536) || 256) * 1024 * 1024,
    }),
    tls: tlsFiles(
      overrides.tlsCert ?? (env.RASD_TLS_CERT || undefined),
      overrides.tlsKey ?? (env.RASD_TLS_KEY || undefined),
    ),
  });
}

function opinionOrgs(raw: string | undefined): "named" | "anonymous" {
  if (raw === undefined || raw === "" || raw === "named") return "named";
  if (raw === "anonymous") return "anonymous";
  throw new RasdError("usage", `RASD_OPINION_ORGS: must be named or anonymous, not "${raw}"`);
}
