/**
 * The embedded database's files are private to the account that runs rasd: the folders rasd
 * creates for it are 0700 and the database with its -wal and -shm files 0600, set explicitly so
 * a permissive umask (022 gives 0644, world-readable) does not decide. The database holds API
 * key hashes, webhook secrets and the audit log. Folders that already existed are left as they
 * are (`--db /srv/x.db` must not change /srv); an existing database file is tightened.
 */

import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the missing folders above `file` as 0700, and `file` (if missing) as 0600. */
export function preparePrivateFile(file: string): void {
  const missing: string[] = [];
  for (let dir = dirname(resolve(file)); !existsSync(dir); dir = dirname(dir)) missing.unshift(dir);
  for (const dir of missing) {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    chmodSync(dir, PRIVATE_DIR_MODE);
  }
  closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  chmodSync(file, PRIVATE_FILE_MODE);
}

/** Sets 0600 on the SQLite database's journal files that exist (SQLite copies the main file's mode; this is belt and braces). */
export function privateSqliteSidecars(file: string): void {
  for (const suffix of ["-wal", "-shm", "-journal"]) {
    const path = `${file}${suffix}`;
    if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE);
  }
}
