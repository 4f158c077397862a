/**
 * `rasd serve`: the HTTP API and the workers in one process. Loads the match indexes in
 * the background (GET /status answers 503 until they are in), then starts the workers.
 * SIGINT/SIGTERM stop taking requests, let the workers finish their batch, and close.
 */

import type { FastifyInstance } from "fastify";
import type { Config } from "../config/config.js";
import { buildApp } from "../http/app.js";
import { allRoutes } from "../http/routes/index.js";
import { closeServices, openServices, startWorkers, type Services } from "./services.js";

export interface Server {
  readonly services: Services;
  readonly app: FastifyInstance;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** Resolves when the indexes are loaded and the workers run. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface ServeOptions {
  readonly workers?: boolean;
  readonly backoffBaseMs?: number;
  readonly logger?: boolean;
  /** Runs on the open services before listening (e.g. loading demo data). */
  readonly before?: (s: Services) => Promise<void>;
}

export async function serve(config: Config, options: ServeOptions = {}): Promise<Server> {
  const services = await openServices(config, options.backoffBaseMs ? { backoffBaseMs: options.backoffBaseMs } : {});
  await options.before?.(services);
  const app = await buildApp({
    access: services.access,
    routes: allRoutes(services),
    rateLimit: config.rateLimit,
    logger: options.logger ?? false,
  });
  const address = await app.listen({ host: config.host, port: config.port });
  const ready = startWorkers(services, options.workers ?? true);
  ready.catch((error: unknown) => process.stderr.write(`rasd: loading the indexes failed: ${String(error)}\n`));
  return {
    services,
    app,
    url: address,
    ready,
    close: async () => {
      await app.close();
      await ready.catch(() => undefined);
      await closeServices(services);
    },
  };
}
