/**
 * SQLite transactions that take the write lock when they begin (`BEGIN IMMEDIATE`).
 *
 * Kysely's SQLite driver begins with a plain (deferred) `BEGIN`: the transaction reads under a
 * snapshot and asks for the write lock at its first write. When another connection (the
 * pipeline's thread, another process) committed meanwhile, SQLite cannot upgrade that snapshot
 * and answers SQLITE_BUSY at once — `busy_timeout` does not wait in that case. Under mixed load
 * (`npm run bench -- soak`), adding signals while items were processed failed with a 500
 * "database is locked" on one request in 25. Beginning immediately makes a writer wait its turn
 * (up to busy_timeout) instead. Every transaction rasd opens writes, so none loses concurrency.
 */

import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver } from "kysely";

export class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection): Promise<void> => {
      await connection.executeQuery(CompiledQuery.raw("begin immediate"));
    };
    return driver;
  }
}
