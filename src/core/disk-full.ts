/**
 * A full disk, however it is reported: SQLite's SQLITE_FULL ("database or disk is full"),
 * the file system's ENOSPC, PostgreSQL's 53100 disk_full. Recognised here once, so the HTTP
 * edge answers 507 `storage.full` and the logs say it once instead of a 500 per request.
 */

import { RasdError } from "./errors.js";

const DISK_FULL_CODES = new Set(["SQLITE_FULL", "ENOSPC", "53100"]);

export const DISK_FULL_MESSAGE =
  "the data folder's disk is full: nothing more can be stored until the operator frees space; " +
  "reads still work, and this request changed nothing";

/** Whether `error` (or anything in its `cause` chain) says the disk or the database is full. */
export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && DISK_FULL_CODES.has(code)) return true;
    if (e instanceof RasdError && e.code === "storage.full") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The domain error for a full disk, keeping the driver's error as its cause. */
export function diskFullError(cause: unknown): RasdError {
  return new RasdError("storage.full", DISK_FULL_MESSAGE, { cause });
}
