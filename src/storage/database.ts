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
  type MigrationProvider,
  type SqliteDatabase,
  type SqliteStatement,
} from "kysely";
import pg from "pg";
import { RasdError } from "../core/errors.js";
import { getLogger, redactUrl } from "../logging/logger.js";
import { MIGRATIONS } from "./migrations/index.js";
import { ImmediateSqliteDialect } from "./sqlite-immediate.js";
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

export interface OpenOptions {
  /**
   * Migrate to the latest schema (default true). False: only check that the database is
   * migrated, and refuse it (storage.not_migrated) otherwise — for processes without DDL
   * rights, started after a separate `rasd migrate`.
   */
  readonly migrate?: boolean;
  /**
   * SQLite: whether each commit of this connection waits for the disk (`synchronous = FULL`,
   * default). False (`NORMAL`) for a pipeline thread's connection, whose every write is redone
   * if lost (decision 0045): in WAL mode its commits still survive a process crash (kill -9),
   * and reach the disk with the next FULL commit of any connection (an accepted item's).
   * RASD_SQLITE_SYNC, when set, wins.
   */
  readonly syncEachCommit?: boolean;
}

/** Opens (creating if needed) and migrates the database at `url`. */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<OpenDatabase> {
  const open =
    url.startsWith("postgres://") || url.startsWith("postgresql://")
      ? openPostgres(url)
      : openSqlite(url, options.syncEachCommit === false ? "NORMAL" : "FULL");
  try {
    if (options.migrate === false) await requireMigrated(open.db, url);
    else await migrate(open.db);
  } catch (error) {
    await open.close();
    throw error;
  }
  return open;
}

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

/** Migrates the database at `url` to the latest schema; returns the migrations it applied. */
export async function migrateDatabase(url: string): Promise<string[]> {
  const open = url.startsWith("postgres://") || url.startsWith("postgresql://") ? openPostgres(url) : openSqlite(url);
  try {
    return await migrate(open.db);
  } finally {
    await open.close();
  }
}

/** Throws storage.not_migrated, naming `rasd migrate`, unless every migration has run. */
async function requireMigrated(db: Kysely<Database>, url: string): Promise<void> {
  const missing = (await new Migrator({ db, provider }).getMigrations())
    .filter((m) => !m.executedAt)
    .map((m) => m.name);
  if (missing.length === 0) return;
  const all = missing.length === Object.keys(MIGRATIONS).length;
  throw new RasdError(
    "storage.not_migrated",
    `the database ${redactUrl(url)} ${all ? "has no rasd schema" : `lacks ${missing.length} migration(s) (${missing.join(", ")})`}` +
      " and this process was told not to migrate (--no-migrate or RASD_MIGRATE=0): run `rasd migrate` with the same database first",
  );
}

function openSqlite(url: string, sync: "FULL" | "NORMAL" = "FULL"): OpenDatabase {
  const file = url.replace(/^sqlite:(\/\/)?/, "");
  if (file !== ":memory:") preparePrivateFile(file);
  const sqlite = new BetterSqlite3(file);
  // WAL with synchronous=FULL: a committed transaction survives a crash or power loss (NORMAL:
  // a crash only, until the next FULL commit on the file; see OpenOptions.syncEachCommit).
  sqlite.pragma("journal_mode = WAL");
  if (file !== ":memory:") privateSqliteSidecars(file);
  sqlite.pragma(`synchronous = ${process.env.RASD_SQLITE_SYNC ?? sync}`);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 10000");
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: cachingStatements(sqlite) }) });
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
  // A connection attempt that hangs (a host gone from the network) fails after 10 s rather
  // than holding a request or a job loop for ever.
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
  // A connection the server ends (restart, failover, pg_terminate_backend) must not crash
  // the process: every client gets an 'error' handler — idle ones through the pool's event,
  // checked-out ones through their own — and the pool replaces it on next use. The query
  // that was running fails and is retried where that is safe (src/storage/transient.ts).
  const lost = connectionLossLog();
  pool.on("error", lost);
  pool.on("connect", (client) => client.on("error", lost));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: "postgres", url, close: () => db.destroy() };
}

/**
 * Logs lost connections without flooding: a restart drops every connection at once, so
 * one line a second at most says how many were lost (the same error reaches both handlers
 * of an idle client; it is counted once).
 */
function connectionLossLog(): (error: Error) => void {
  const seen = new WeakSet<Error>();
  let lastAt = 0;
  let quiet = 0;
  return (error) => {
    if (seen.has(error)) return;
    seen.add(error);
    const now = Date.now();
    if (now - lastAt < 1000) {
      quiet++;
      return;
    }
    getLogger("postgres").warn(
      { error: error.message, code: (error as { code?: string }).code, alsoLost: quiet },
      "a PostgreSQL connection was lost; the pool opens a new one",
    );
    lastAt = now;
    quiet = 0;
  };
}

async function migrate(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "?";
    throw new RasdError("storage.migration", `database migration ${failed} failed: ${String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
