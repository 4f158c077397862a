/**
 * A worker thread running hash – match – act and webhook delivery on its own connection to
 * the database and its own match indexes, so that the HTTP thread only accepts and answers.
 * The same arrangement as many worker processes on PostgreSQL, inside one process. Messages:
 * "wake" (new work was queued), "invalidate" (sharing or rules changed), "stop".
 */

import { parentPort, workerData } from "node:worker_threads";
import type { Config } from "../config/config.js";
import { createLogger, setLogger } from "../logging/logger.js";
import { closeServices, openServices, startWorkers } from "./services.js";

const { config } = workerData as { config: Config };
// The thread's own logger, from the same configuration: JSON lines on stderr like the main thread's.
setLogger(createLogger({ level: config.logLevel }).child({ thread: "pipeline" }));
const s = await openServices(config, { defaultMetrics: false });
await startWorkers(s, true);
parentPort!.on("message", (message: string) => {
  if (message === "wake") s.pipeline.wake();
  else if (message === "invalidate") {
    s.access.invalidate();
    s.pipeline.invalidateRules();
  } else if (message === "stop") {
    void closeServices(s).then(() => parentPort!.postMessage("stopped"));
  }
});
// Metrics of this thread's work go to the HTTP thread's registry.
setInterval(() => {
  void s.metrics.registry.getMetricsAsJSON().then((m) => parentPort!.postMessage({ metrics: m }));
}, 1000).unref();
parentPort!.postMessage("ready");
