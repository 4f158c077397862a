/**
 * Transient database failures, retried: a PostgreSQL restart, failover or
 * `pg_terminate_backend` ends connections under running queries, and a moment later a new
 * connection works. Only operations that are safe to run again go through `retrying` —
 * single statements, and transactions whose effects are idempotent (the pipeline's commit
 * records each action once by its delivery id, finishing an item or a job twice changes
 * nothing). A transaction the server rolled back because its connection died simply runs
 * again; one whose COMMIT reached the server but whose answer was lost runs again to the
 * same result.
 */

import { getLogger } from "../logging/logger.js";

/** SQLSTATE codes worth a retry: connection lost, server shutting down, serialisation, deadlock. */
const TRANSIENT_CODES = new Set(["57P01", "57P02", "57P03", "40001", "40P01", "53300"]);
const TRANSIENT_ERRNO = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTCONN"]);
const TRANSIENT_MESSAGE =
  /Connection terminated|terminating connection|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable|connection is closed/i;

/** True for an error a retry on a fresh connection may cure. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (TRANSIENT_CODES.has(code) || code.startsWith("08") || TRANSIENT_ERRNO.has(code)))
    return true;
  return TRANSIENT_MESSAGE.test(error.message);
}

/** Attempts in all, and the first wait (doubling, jittered): about 3 s before giving up. */
const ATTEMPTS = 6;
const FIRST_WAIT_MS = 100;

/**
 * Runs `operation`, again on a transient failure (up to 6 times in about 3 s). `attempt`
 * is 0 on the first run, so a caller can leave out what must not be repeated.
 */
export async function retrying<T>(what: string, operation: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt + 1 >= ATTEMPTS || !isTransient(error)) throw error;
      const wait = FIRST_WAIT_MS * 2 ** attempt;
      getLogger("postgres").warn(
        { error: (error as Error).message, attempt: attempt + 1 },
        `${what} failed on a lost database connection; trying again in ${wait} ms`,
      );
      await new Promise((r) => setTimeout(r, wait / 2 + (Math.random() * wait) / 2));
    }
  }
}
