/**
 * A worker process's own small HTTP listener (it serves no API): `/metrics` (Prometheus
 * text), `/status/live` and `/status/ready` (readiness as the API's /status judges it:
 * indexes loaded and following signal changes, the database answering; NATS states shown).
 * On `config.host` and `--metrics-port`/RASD_WORKER_PORT; no authentication — keep the
 * port on the private network, as the API's /metrics key is not asked for here.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getLogger } from "../logging/logger.js";
import { readiness } from "../http/readiness.js";
import { scrape } from "../http/scrape.js";
import type { Services } from "./services.js";

export interface WorkerHttp {
  /** e.g. http://127.0.0.1:9464 */
  readonly url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

async function answer(s: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "GET only\n");
  switch (path) {
    case "/status/live":
      return send(res, 200, "application/json", JSON.stringify({ status: "live" }));
    case "/status/ready":
    case "/status": {
      const r = await readiness(s);
      const body = {
        status: r.ready ? "ready" : s.matcher.ready ? "unavailable" : "loading",
        ...(r.ready ? {} : { message: r.problems.join("; ") }),
        database: r.database,
        nats: r.nats,
        work_queue: s.work?.state ?? "off",
        signal_feed: r.signalFeed,
        index_sync_age_ms: r.indexSyncAgeMs,
      };
      return send(res, r.ready ? 200 : 503, "application/json", JSON.stringify(body));
    }
    case "/metrics":
      return send(res, 200, s.metrics.registry.contentType, await scrape(s));
    default:
      return send(res, 404, "text/plain", "not found: /metrics, /status/live or /status/ready\n");
  }
}

/** Listens on `host:port` (port 0 in tests: any free port). */
export async function startWorkerHttp(s: Services, host: string, port: number): Promise<WorkerHttp> {
  const server = createServer((req, res) => {
    answer(s, req, res).catch((error: unknown) => {
      getLogger("worker http").error({ err: error, url: req.url }, "answering failed");
      if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `the worker's port ${port} on ${host} is in use (another worker on this host?): give each worker ` +
                "its own --metrics-port / RASD_WORKER_PORT, or 0 for none",
            )
          : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const { address, port: bound } = server.address() as AddressInfo;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${bound}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
