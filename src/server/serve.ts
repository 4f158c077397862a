/**
 * `rasd serve`: the HTTP API and the workers in one process. Loads the match indexes in
 * the background (GET /status answers 503 until they are in), then starts the workers.
 * SIGINT/SIGTERM stop taking requests, let the workers finish their batch, and close.
 */

import type { FastifyInstance } from "fastify";
import type { Config } from "../config/config.js";
import { buildApp } from "../http/app.js";
import { createLogger, getLogger, redactUrl, setLogger, type Logger } from "../logging/logger.js";
import { allRoutes } from "../http/routes/index.js";
import type { Worker } from "node:worker_threads";
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from "prom-client";
import { startWorker } from "../parallel/worker-pool.js";
import { PdqSignalIndex } from "../signals/types/pdq.js";
import { serveReplica } from "./shared-pdq.js";
import { closeServices, openServices, startWorkers, type Services } from "./services.js";
import { stopStep } from "./lifecycle.js";
import { readTls } from "./tls.js";
import { startWorkerHttp } from "./worker-http.js";

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Worker threads for the pipeline; the HTTP thread wakes them and merges their metrics. */
function startPipelineThreads(
  s: Services,
  config: Config,
  n: number,
  pdq: PdqSignalIndex,
): { ready: Promise<void>; indexLoaded: (error?: unknown) => void; stop: () => Promise<void> } {
  const script = new URL(`./pipeline-thread${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);
  const workers: Worker[] = [];
  const latest = new Map<Worker, MetricsJson>();
  const ready: Promise<void>[] = [];
  let indexLoaded: (error?: unknown) => void = () => undefined;
  const loaded = new Promise<void>((resolve, reject) => {
    indexLoaded = (error) => (error === undefined ? resolve() : reject(error));
  });
  loaded.catch(() => undefined); // reported by serve; replicas get it as an error reply
  for (let i = 0; i < n; i++) {
    // Each thread's matcher searches this thread's PDQ index through a replica (one copy).
    const { port1, port2 } = new MessageChannel();
    serveReplica(s.matcher, pdq, port1, loaded);
    const w = startWorker(script, { config, pdq: port2 }, [port2]);
    workers.push(w);
    ready.push(
      new Promise((resolve, reject) => {
        w.on("message", (m: unknown) => {
          if (m === "ready") resolve();
          else if (m && typeof m === "object" && "metrics" in m) latest.set(w, (m as { metrics: MetricsJson }).metrics);
        });
        w.once("error", reject);
      }),
    );
  }
  const all = (message: string): void => workers.forEach((w) => w.postMessage(message));
  const accepted = s.submissions.onAccepted; // e.g. publishing to the work queue
  s.submissions.onAccepted = (ids) => {
    accepted(ids);
    all("wake");
  };
  const invalidated = s.access.onInvalidate; // e.g. the notice to other processes
  s.access.onInvalidate = (what) => {
    invalidated?.(what);
    // Pipeline threads cache sharing, not keys (they serve no requests).
    if (what === "sharing") all("invalidate");
  };
  s.pipeline.onInvalidateRules = () => all("invalidate");
  s.pipeline.onWebhooks = () => all("wake");
  s.metricsText = async () =>
    AggregatorRegistry.aggregate([await s.metrics.registry.getMetricsAsJSON(), ...latest.values()]).metrics();
  return {
    ready: Promise.all(ready).then(() => undefined),
    indexLoaded,
    stop: async () => {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.on("message", (m) => m === "stopped" && resolve());
              w.once("exit", () => resolve());
              w.postMessage("stop");
            }),
        ),
      );
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * Which database and NATS a process uses, for its first log line: kind, host, port, name
 * and user of the database (never its password) and NATS's URL (credentials redacted) and
 * subject prefix.
 */
export function backends(config: Config): {
  database: Record<string, string>;
  nats: { url: string; prefix: string } | "off";
  summary: string;
} {
  const url = config.databaseUrl;
  let database: Record<string, string>;
  let what: string;
  if (/^postgres(ql)?:\/\//.test(url)) {
    const u = new URL(url);
    const name = decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres";
    const host = u.hostname || "localhost";
    const port = u.port || "5432";
    const user = decodeURIComponent(u.username);
    database = { kind: "postgresql", host, port, name, ...(user ? { user } : {}) };
    what = `PostgreSQL database ${name} on ${host}:${port}${user ? ` as ${user}` : ""}`;
  } else {
    const file = url.replace(/^sqlite:(\/\/)?/, "");
    database = { kind: "sqlite", file };
    what = `SQLite database ${file}`;
  }
  const nats = config.natsUrl ? { url: redactUrl(config.natsUrl), prefix: config.natsPrefix } : ("off" as const);
  const bus = nats === "off" ? "no NATS" : `NATS at ${nats.url} (prefix ${nats.prefix})`;
  return { database, nats, summary: `${what} and ${bus}` };
}

export interface Server {
  readonly services: Services;
  /** The HTTP API (absent in a worker-only process). */
  readonly app: FastifyInstance | undefined;
  /** The address it listens on, e.g. http://127.0.0.1:8080 ("" without the API). */
  readonly url: string;
  /** A worker-only process's /metrics and /status/* address ("" without one). */
  readonly metricsUrl: string;
  /** Resolves when the indexes are loaded and the workers run. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Serve the HTTP API (default true). A process without it is a worker only. */
  readonly api?: boolean;
  /** Run hash – match – act and webhook delivery (default true). */
  readonly workers?: boolean;
  /** Run hash – match – act and webhooks on this many worker threads (0: on the HTTP thread). */
  readonly pipelineThreads?: number;
  readonly backoffBaseMs?: number;
  /**
   * The process's log while it serves (default: one made from `config.logLevel`, on stderr).
   * Pipeline threads log on stderr at `config.logLevel`.
   */
  readonly logger?: Logger;
  /** A log line per request arriving and answered (`rasd serve --log`). */
  readonly logRequests?: boolean;
  /**
   * A worker-only process's port for /metrics and /status/* (default `config.workerPort`;
   * 0: none; tests pass "any" for a free port).
   */
  readonly metricsPort?: number | "any";
  /** Runs on the open services before listening (e.g. loading demo data). */
  readonly before?: (s: Services) => Promise<void>;
}

export async function serve(config: Config, options: ServeOptions = {}): Promise<Server> {
  // Read first: a wrong certificate path stops serve before anything is opened.
  const tls = config.tls && options.api !== false ? await readTls(config.tls) : undefined;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const previousLogger = setLogger(logger);
  const using = backends(config);
  logger.info(
    { database: using.database, nats: using.nats, api: options.api !== false, workers: options.workers !== false },
    `using ${using.summary}`,
  );
  const api = options.api !== false;
  // A worker-only process is itself the worker: no extra threads.
  const threads = options.workers === false || !api ? 0 : (options.pipelineThreads ?? 0);
  // With pipeline threads, this thread's PDQ index is the one they search (shared memory).
  const pdq = threads > 0 ? new PdqSignalIndex("shared") : undefined;
  const services = await openServices(config, {
    ...(options.backoffBaseMs ? { backoffBaseMs: options.backoffBaseMs } : {}),
    ...(pdq ? { pdqIndex: pdq } : {}),
  });
  await options.before?.(services);
  const app = api
    ? await buildApp({
        access: services.access,
        routes: allRoutes(services),
        rateLimits: config.rateLimits,
        trustProxy: config.trustProxy,
        logger,
        logRequests: options.logRequests ?? false,
        ...(tls ? { tls } : {}),
      })
    : undefined;
  const address = app ? await app.listen({ host: config.host, port: config.port }) : "";
  const metricsPort = options.metricsPort ?? config.workerPort;
  const workerHttp =
    !app && metricsPort !== 0
      ? await startWorkerHttp(services, config.host, metricsPort === "any" ? 0 : metricsPort)
      : undefined;
  const pool = pdq ? startPipelineThreads(services, config, threads, pdq) : undefined;
  const ready = (async () => {
    try {
      await startWorkers(services, options.workers !== false && threads === 0, options.workers !== false);
    } catch (error) {
      pool?.indexLoaded(error);
      throw error;
    }
    pool?.indexLoaded();
    await pool?.ready;
  })();
  ready.catch((error: unknown) => getLogger("serve").error({ err: error }, "loading the indexes failed"));
  return {
    services,
    app,
    url: address,
    metricsUrl: workerHttp?.url ?? "",
    ready,
    close: async () => {
      // Stop taking requests, then work; every step runs even if one before it failed.
      await stopStep("the HTTP API", () => app?.close());
      await stopStep("the metrics port", () => workerHttp?.close());
      await ready.catch(() => undefined);
      await stopStep("the pipeline threads", () => pool?.stop());
      await closeServices(services);
      if (getLogger() === logger) setLogger(previousLogger);
    },
  };
}
