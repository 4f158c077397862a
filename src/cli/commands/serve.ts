/** `rasd serve`: the HTTP API, the workers and the match indexes in one process. */

import { Command } from "commander";
import { RasdError } from "../../core/errors.js";
import { loadConfig } from "../../config/config.js";
import { loadDemo } from "../../server/demo.js";
import { serve } from "../../server/serve.js";
import { withStoreOptions, type StoreOptions } from "../context.js";

interface ServeOptions extends StoreOptions {
  host?: string;
  port?: string;
  rateLimit?: string;
  pipelineThreads?: string;
  roles: string;
  demo?: boolean;
  log?: boolean;
}

export function serveCommand(): Command {
  return withStoreOptions(
    new Command("serve")
      .description(
        "run the HTTP API, the hash–match–act worker and the webhook sender (embedded SQLite in ./data by default)",
      )
      .option("--host <host>", "address to listen on (default 127.0.0.1, or RASD_HOST)")
      .option("--port <port>", "port to listen on (default 8080, or RASD_PORT)")
      .option("--rate-limit <n>", "requests per second per API key (default 20000, or RASD_RATE_LIMIT)")
      .option(
        "--pipeline-threads <n>",
        "worker threads for hash–match–act and webhooks (default 1, or RASD_PIPELINE_THREADS; 0 = on the HTTP thread)",
      )
      .option("--roles <roles>", "what this process does: api, worker, or api,worker (default)", "api,worker")
      .option("--demo", "on an empty database, load sample organisations, banks, signals and keys (printed once)")
      .option("--log", "log every request (JSON lines on stdout)"),
  ).action(async (options: ServeOptions) => {
    const config = loadConfig({
      ...options,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
      ...(options.pipelineThreads !== undefined ? { pipelineThreads: options.pipelineThreads } : {}),
    });
    const roles = new Set(options.roles.split(",").map((r) => r.trim()));
    for (const r of roles)
      if (r !== "api" && r !== "worker")
        throw new RasdError("usage", `--roles: "${r}" is not a role; use api, worker or api,worker`);
    const server = await serve(config, {
      api: roles.has("api"),
      workers: roles.has("worker"),
      logger: options.log ?? false,
      pipelineThreads: config.pipelineThreads,
      ...(options.demo
        ? {
            before: async (s) => {
              const keys = await loadDemo(s);
              if (keys) {
                process.stderr.write("rasd: demo data loaded. API keys (shown once):\n");
                for (const [who, key] of Object.entries(keys)) process.stderr.write(`  ${who.padEnd(28)} ${key}\n`);
              }
            },
          }
        : {}),
    });
    if (server.app)
      process.stderr.write(
        `rasd: listening on ${server.url} (database ${config.databaseUrl}); API documentation at ${server.url}/docs\n`,
      );
    else process.stderr.write(`rasd: worker on ${config.databaseUrl}\n`);
    await server.ready;
    process.stderr.write(
      roles.has("worker") ? "rasd: match indexes loaded; workers running\n" : "rasd: match indexes loaded; API only\n",
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.stderr.write("rasd: stopping\n");
        resolve();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await server.close();
  });
}

/** `rasd worker`: the same process without the HTTP API (hash – match – act and webhooks only). */
export function workerCommand(): Command {
  return withStoreOptions(
    new Command("worker").description(
      "run only the hash–match–act worker and the webhook sender (for several processes on PostgreSQL)",
    ),
  ).action(async (options: StoreOptions) => {
    const config = loadConfig(options);
    const server = await serve(config, { api: false });
    process.stderr.write(`rasd: worker on ${config.databaseUrl}\n`);
    await server.ready;
    process.stderr.write("rasd: match indexes loaded; workers running\n");
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await server.close();
  });
}
