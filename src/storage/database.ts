/**
 * Opening the database: embedded SQLite (default, a file in the data folder) or
 * PostgreSQL, chosen by URL, migrated to the latest schema.
 *
 *   sqlite:./data/rasd.db     (or a bare path)
 *   postgres://user@host:5432/dbname
 */

import BetterSqlite3 from "better-sqlite3";
import {
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type MigrationProvider,
  type SqliteDatabase,
  type SqliteStatement,
} from "kysely";
import pg from "pg";
import { RasdError } from "../core/errors.js";
import { getLogger } from "../logging/logger.js";
import { MIGRATIONS } from "./migrations/index.js";
import { preparePrivateFile, privateSqliteSidecars } from "./private-files.js";
import type { Database } from "./schema.js";

// int8 (bigint) as a JS number: every bigint rasd stores (times in ms, cursors) is < 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export type Dialect = "sqlite" | "postgres";

export interface OpenDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly url: string;
  close(): Promise<void>;
}

/** Opens (creating if needed) and migrates the database at `url`. */
export async function openDatabase(url: string): Promise<OpenDatabase> {
  const open = url.startsWith("postgres://") || url.startsWith("postgresql://") ? openPostgres(url) : openSqlite(url);
  await migrate(open.db);
  return open;
}

function openSqlite(url: string): OpenDatabase {
  const file = url.replace(/^sqlite:(\/\/)?/, "");
  if (file !== ":memory:") preparePrivateFile(file);
  const sqlite = new BetterSqlite3(file);
  // WAL with synchronous=FULL: a committed transaction survives a crash or power loss.
  sqlite.pragma("journal_mode = WAL");
  if (file !== ":memory:") privateSqliteSidecars(file);
  sqlite.pragma(`synchronous = ${process.env.RASD_SQLITE_SYNC ?? "FULL"}`);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 10000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(sqlite) }) });
  return { db, dialect: "sqlite", url, close: () => db.destroy() };
}

/**
 * Kysely prepares every query afresh; compiling SQL is a good part of a small query's cost
 * in SQLite. Statements are reused by their text instead (the connection runs one query at
 * a time, so a cached statement is never in use twice).
 */
function cachingStatements(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (text: string) => {
      let stmt = cache.get(text);
      if (!stmt) {
        stmt = sqlite.prepare(text);
        if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
        cache.set(text, stmt);
      }
      return stmt as unknown as SqliteStatement;
    },
  };
}

function openPostgres(url: string): OpenDatabase {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection the server closes (restart, failover) must not crash the process;
  // the pool replaces it on next use. Both it and an error on a connection in use are logged.
  const reported = new WeakSet<Error>();
  pool.on("error", (error) => {
    reported.add(error);
    getLogger("postgres").error({ err: error }, "an idle PostgreSQL connection failed; the pool replaces it");
  });
  // The pool emits its 'error' (above) first for an idle connection; this catches the others.
  pool.on("connect", (client) =>
    client.on("error", (error) => {
      if (!reported.has(error)) getLogger("postgres").error({ err: error }, "a PostgreSQL connection failed");
    }),
  );
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: "postgres", url, close: () => db.destroy() };
}

async function migrate(db: Kysely<Database>): Promise<void> {
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "?";
    throw new RasdError("storage.migration", `database migration ${failed} failed: ${String(error)}`, { cause: error });
  }
}
