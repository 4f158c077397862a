/**
 * A worker thread running hash – match – act and webhook delivery on its own connection to
 * the database and its own match indexes (the PDQ index excepted: a replica of the HTTP
 * thread's, over shared memory; see shared-pdq.ts), so that the HTTP thread only accepts and answers.
 * The same arrangement as many worker processes on PostgreSQL, inside one process. Messages:
 * "wake" (new work was queued), "invalidate" (sharing or rules changed), "stop".
 */

import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import type { Config } from "../config/config.js";
import { createLogger, setLogger } from "../logging/logger.js";
import { closeServices, openServices, startWorkers } from "./services.js";
import { followOwner } from "./shared-pdq.js";

// `pdq`: the port to the HTTP thread's PDQ index, searched here as a replica (no copy).
const { config, pdq } = workerData as { config: Config; pdq?: MessagePort };
// The thread's own logger, from the same configuration: JSON lines on stderr like the main thread's.
setLogger(createLogger({ level: config.logLevel }).child({ thread: "pipeline" }));
// Its commits do not wait for the disk: everything it writes is redone if a power loss takes
// it (leases run out; the same delivery ids), and the HTTP thread's next commit syncs it
// anyway (decision 0045). Accepting an item, on the HTTP thread, still waits for the disk.
const s = await openServices(config, {
  defaultMetrics: false,
  syncEachCommit: false,
  ...(pdq ? { pdqIndex: followOwner(pdq) } : {}),
});
await startWorkers(s, true, false); // media retention: on the HTTP thread (see startWorkers)
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
