/**
 * Configuration, parsed once: from command-line options, then environment variables, then
 * defaults. Every setting is listed here with its meaning (docs/configuration.md mirrors it).
 *
 * | setting | option | environment | default |
 * | data folder | --data DIR | RASD_DATA | ./data |
 * | database URL | --db URL | RASD_DATABASE_URL | sqlite:<data>/rasd.db |
 * | shortener list file | --shorteners FILE | RASD_SHORTENERS | built-in list |
 * | listen address | --host H, --port P | RASD_HOST, RASD_PORT | 127.0.0.1, 8080 |
 * | rate limit per key | --rate-limit N | RASD_RATE_LIMIT | 20000 requests/s |
 * | NATS (signal-change notices between processes) | --nats URL | RASD_NATS_URL | none: changes polled every 100 ms |
 * | NATS subject prefix | | RASD_NATS_PREFIX | rasd |
 * | job lease | | RASD_LEASE_SECONDS | 60 (a dead worker's jobs run again after this) |
 * | pipeline worker threads | --pipeline-threads N | RASD_PIPELINE_THREADS | 1 (0: on the HTTP thread) |
 * | private webhook targets | | RASD_WEBHOOK_ALLOW_PRIVATE=1 | refused |
 * | private media URLs (/h/hash?url=) | | RASD_FETCH_ALLOW_PRIVATE=1 | refused |
 * | log level (JSON lines on stderr) | --log-level L | RASD_LOG_LEVEL | info |
 * | TLS certificate and key (PEM files; HTTPS and HSTS) | --tls-cert F, --tls-key F | RASD_TLS_CERT, RASD_TLS_KEY | none: plain HTTP |
 */

import { resolve, join } from "node:path";
import { RasdError } from "../core/errors.js";
import { LOG_LEVELS, type LogLevel } from "../logging/logger.js";

export interface Config {
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly shortenersFile: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly rateLimit: number;
  readonly pipelineThreads: number;
  readonly leaseSeconds: number;
  readonly natsUrl: string | undefined;
  readonly natsPrefix: string;
  readonly webhookAllowPrivate: boolean;
  readonly fetchAllowPrivate: boolean;
  /** The stance model file; undefined = the one shipped with rasd. */
  readonly stanceModel: string | undefined;
  /** The least severe level logged: trace, debug, info, warn, error, fatal or silent. */
  readonly logLevel: LogLevel;
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
  readonly pipelineThreads?: string | number;
  readonly nats?: string;
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
  return Object.freeze({
    dataDir,
    databaseUrl,
    shortenersFile,
    host: overrides.host ?? env.RASD_HOST ?? "127.0.0.1",
    port: intInRange(overrides.port ?? env.RASD_PORT ?? 8080, "port", 65535),
    rateLimit: intInRange(overrides.rateLimit ?? env.RASD_RATE_LIMIT ?? 20_000, "rate limit", 10_000_000) || 20_000,
    pipelineThreads: intInRange(overrides.pipelineThreads ?? env.RASD_PIPELINE_THREADS ?? 1, "pipeline threads", 64),
    natsUrl: overrides.nats ?? env.RASD_NATS_URL ?? undefined,
    natsPrefix: env.RASD_NATS_PREFIX ?? "rasd",
    leaseSeconds: intInRange(env.RASD_LEASE_SECONDS ?? 60, "RASD_LEASE_SECONDS", 86_400) || 60,
    webhookAllowPrivate: env.RASD_WEBHOOK_ALLOW_PRIVATE === "1",
    fetchAllowPrivate: env.RASD_FETCH_ALLOW_PRIVATE === "1",
    stanceModel: env.RASD_STANCE_MODEL || undefined,
    logLevel: logLevel(overrides.logLevel ?? (env.RASD_LOG_LEVEL || "info")),
    tls: tlsFiles(
      overrides.tlsCert ?? (env.RASD_TLS_CERT || undefined),
      overrides.tlsKey ?? (env.RASD_TLS_KEY || undefined),
    ),
  });
}
