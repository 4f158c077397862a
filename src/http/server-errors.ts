/**
 * How the API logs the errors it answers with a 5xx: each unexpected error in full, and a
 * full disk once a minute (with how many requests it refused since), since every write fails
 * the same way until the operator frees space.
 */

import type { FastifyBaseLogger } from "fastify";
import { isDiskFull } from "../core/disk-full.js";
import type { Logger } from "../logging/logger.js";
import { LogThrottle } from "../logging/throttle.js";

/** A logger of one app's server errors (one throttle per app). */
export function serverErrorLog(): (log: FastifyBaseLogger, error: unknown) => void {
  const diskFull = new LogThrottle();
  return (log, error) => {
    if (isDiskFull(error))
      diskFull.error(
        log as Logger,
        { err: error, code: "storage.full" },
        "the data folder's disk (or the database's) is full: writes are refused with 507 until space is freed",
      );
    else log.error(error);
  };
}
