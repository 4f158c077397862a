/** `rasd serve`: the HTTP API, the workers and the match indexes in one process. */

import { Command } from "commander";
import { loadConfig } from "../../config/config.js";
import { loadDemo } from "../../server/demo.js";
import { serve } from "../../server/serve.js";
import { withStoreOptions, type StoreOptions } from "../context.js";

interface ServeOptions extends StoreOptions {
  host?: string;
  port?: string;
  rateLimit?: string;
  pipelineThreads?: string;
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
      .option("--demo", "on an empty database, load sample organisations, banks, signals and keys (printed once)")
      .option("--log", "log every request (JSON lines on stdout)"),
  ).action(async (options: ServeOptions) => {
    const config = loadConfig({
      ...options,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
      ...(options.pipelineThreads !== undefined ? { pipelineThreads: options.pipelineThreads } : {}),
    });
    const server = await serve(config, {
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
    process.stderr.write(
      `rasd: listening on ${server.url} (database ${config.databaseUrl}); API documentation at ${server.url}/docs\n`,
    );
    await server.ready;
    process.stderr.write(`rasd: match indexes loaded; workers running\n`);
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
