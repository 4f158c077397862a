/**
 * `rasd serve`: the HTTP API, the workers and the match indexes in one process.
 *
 * The server (Fastify, TypeBox, the routes) is imported when the command runs, not when the
 * CLI starts: every other command (`rasd hash pdq` once per file, say) would otherwise pay for
 * loading it — about a third of a second.
 */

import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { loadConfig } from "../../config/config.js";
import { getLogger, redactUrl } from "../../logging/logger.js";
import { withStoreOptions, type StoreOptions } from "../context.js";

interface ServeOptions extends StoreOptions {
  host?: string;
  port?: string;
  rateLimit?: string;
  rateLimitPerson?: string;
  rateLimitOrg?: string;
  trustProxy?: string;
  pipelineThreads?: string;
  roles: string;
  migrate?: boolean;
  metricsPort?: string;
  demo?: boolean;
  log?: boolean;
  logLevel?: string;
  tlsCert?: string;
  tlsKey?: string;
}

const LOG_LEVEL_HELP =
  "least severe level logged: trace, debug, info, warn, error, fatal, silent (default info, or RASD_LOG_LEVEL)";

export function serveCommand(): Command {
  return withStoreOptions(
    new Command("serve")
      .description(
        "run the HTTP API, the hash–match–act worker and the webhook sender (embedded SQLite in ./data by default)",
      )
      .option("--host <host>", "address to listen on (default 127.0.0.1, or RASD_HOST)")
      .option("--port <port>", "port to listen on (default 8080, or RASD_PORT)")
      .option(
        "--rate-limit <rate[:burst]>",
        "requests per second per API key or session, and at once (default 2000:40000, or RASD_RATE_LIMIT)",
      )
      .option(
        "--rate-limit-person <rate[:burst]>",
        "requests per second per person, all keys and sessions (default: the per-key limit, or RASD_RATE_LIMIT_PERSON)",
      )
      .option(
        "--rate-limit-org <rate[:burst]>",
        "requests per second per organisation (default 5000:100000, or RASD_RATE_LIMIT_ORG)",
      )
      .option(
        "--trust-proxy <list>",
        "proxies whose X-Forwarded-For names the client: addresses or CIDRs, comma-separated (default none, or RASD_TRUST_PROXY)",
      )
      .option(
        "--pipeline-threads <n>",
        "worker threads for hash–match–act and webhooks (default 1, or RASD_PIPELINE_THREADS; 0 = on the HTTP thread)",
      )
      .option("--roles <roles>", "what this process does: api, worker, or api,worker (default)", "api,worker")
      .option(
        "--no-migrate",
        "do not migrate the database; refuse one not migrated by `rasd migrate` (or RASD_MIGRATE=0)",
      )
      .option(
        "--metrics-port <port>",
        "with --roles worker: port for /metrics and /status/* (default 9464, or RASD_WORKER_PORT; 0 = none)",
      )
      .option("--demo", "on an empty database, load sample organisations, banks, signals and keys (printed once)")
      .option("--tls-cert <file>", "serve HTTPS with this PEM certificate (chain) (or RASD_TLS_CERT); needs --tls-key")
      .option("--tls-key <file>", "the certificate's PEM private key (or RASD_TLS_KEY)")
      .option("--log", "log every request (JSON lines on stderr)")
      .option("--log-level <level>", LOG_LEVEL_HELP),
  ).action(async (options: ServeOptions) => {
    const config = loadConfig({
      ...options,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
      ...(options.rateLimitPerson !== undefined ? { rateLimitPerson: options.rateLimitPerson } : {}),
      ...(options.rateLimitOrg !== undefined ? { rateLimitOrg: options.rateLimitOrg } : {}),
      ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
      ...(options.pipelineThreads !== undefined ? { pipelineThreads: options.pipelineThreads } : {}),
    });
    const roles = new Set(options.roles.split(",").map((r) => r.trim()));
    for (const r of roles)
      if (r !== "api" && r !== "worker")
        throw new RasdError("usage", `--roles: "${r}" is not a role; use api, worker or api,worker`);
    const { serve } = await import("../../server/serve.js");
    const { loadDemo } = await import("../../server/demo.js");
    const server = await serve(config, {
      api: roles.has("api"),
      workers: roles.has("worker"),
      logRequests: options.log ?? false,
      pipelineThreads: config.pipelineThreads,
      ...(options.demo
        ? {
            before: async (s) => {
              const keys = await loadDemo(s);
              if (keys) {
                // Plain text for the person at the terminal, not log lines: the keys and the
                // password must never reach a log aggregator.
                process.stderr.write("rasd: demo data loaded. API keys (shown once):\n");
                for (const [who, key] of Object.entries(keys)) process.stderr.write(`  ${who.padEnd(28)} ${key}\n`);
              }
            },
          }
        : {}),
    });
    const database = redactUrl(config.databaseUrl);
    if (server.app)
      getLogger().info(
        { url: server.url, database },
        `listening on ${server.url} (database ${database}); API documentation at ${server.url}/docs`,
      );
    else
      getLogger().info(
        { database, metrics: server.metricsUrl || "off" },
        `worker on ${database}${server.metricsUrl ? `; /metrics and /status/ready on ${server.metricsUrl}` : ""}`,
      );
    await server.ready;
    getLogger().info(roles.has("worker") ? "match indexes loaded; workers running" : "match indexes loaded; API only");
    await untilSignalled();
    await stopWithin(server, config.shutdownSeconds);
  });
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignalled(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      getLogger().info({ signal }, "stopping");
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/**
 * Stops the server in order; exits with status 1 if that takes over `seconds` or another
 * signal comes (see src/server/lifecycle.ts).
 */
async function stopWithin(server: { close(): Promise<void> }, seconds: number): Promise<void> {
  const { exitDeadline } = await import("../../server/lifecycle.js");
  exitDeadline(seconds);
  await server.close();
  getLogger().info("stopped");
}

/** `rasd worker`: the same process without the HTTP API (hash – match – act and webhooks only). */
export function workerCommand(): Command {
  return withStoreOptions(
    new Command("worker")
      .description("run only the hash–match–act worker and the webhook sender (for several processes on PostgreSQL)")
      .option(
        "--no-migrate",
        "do not migrate the database; refuse one not migrated by `rasd migrate` (or RASD_MIGRATE=0)",
      )
      .option(
        "--metrics-port <port>",
        "port for /metrics, /status/live and /status/ready (default 9464, or RASD_WORKER_PORT; 0 = none)",
      )
      .option("--log-level <level>", LOG_LEVEL_HELP),
  ).action(async (options: StoreOptions & { logLevel?: string; migrate?: boolean; metricsPort?: string }) => {
    const config = loadConfig(options);
    const { serve } = await import("../../server/serve.js");
    const server = await serve(config, { api: false });
    const database = redactUrl(config.databaseUrl);
    getLogger().info(
      { database, metrics: server.metricsUrl || "off" },
      `worker on ${database}${server.metricsUrl ? `; /metrics and /status/ready on ${server.metricsUrl}` : ""}`,
    );
    await server.ready;
    getLogger().info("match indexes loaded; workers running");
    await untilSignalled();
    await stopWithin(server, config.shutdownSeconds);
  });
}
