/**
 * The Prometheus text of a process: the gauges read at scrape time (index sizes and age,
 * the job table's counts, the content backlog) set, then every series. Shared by the API's
 * /metrics and a worker's metrics port (src/server/worker-http.ts).
 */

import { SIGNAL_TYPES } from "../core/model.js";
import type { Services } from "../server/services.js";

export async function scrape(s: Services): Promise<string> {
  const sizes = s.matcher.sizes;
  for (const t of SIGNAL_TYPES) s.metrics.indexSize.set({ type: t }, sizes[t]);
  s.metrics.indexAge.set(s.matcher.syncAgeMs / 1000);
  s.metrics.jobs.reset();
  for (const [k, n] of Object.entries(await s.jobs.counts())) {
    const [kind, status] = k.split(".");
    s.metrics.jobs.set({ kind: kind!, status: status! }, n);
  }
  return s.metricsText();
}
