/**
 * Migrating as its own step: a process opened with `migrate: false` (--no-migrate,
 * RASD_MIGRATE=0) refuses an empty or older database with storage.not_migrated naming
 * `rasd migrate`, and opens it once `migrateDatabase` (the command's work) has run.
 * On SQLite and PostgreSQL.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from "kysely";
import pg from "pg";
import { isRasdError } from "../../src/core/errors.js";
import { migrateDatabase } from "../../src/storage/database.js";
import { MIGRATIONS } from "../../src/storage/migrations/index.js";
import { openStores } from "../../src/storage/open.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";

const skipPostgres = await postgresSkip();
const NAMES = Object.keys(MIGRATIONS);

function notMigrated(pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(isRasdError(e), String(e));
    assert.equal(e.code, "storage.not_migrated");
    assert.match(e.message, pattern);
    assert.match(e.message, /run `rasd migrate` with the same database first$/);
    return true;
  };
}

async function migrateStep(db: TestDatabase): Promise<void> {
  try {
    await assert.rejects(openStores(db.url, { migrate: false }), notMigrated(/has no rasd schema/));
    assert.deepEqual(await migrateDatabase(db.url), NAMES);
    assert.deepEqual(await migrateDatabase(db.url), []);
    const stores = await openStores(db.url, { migrate: false });
    const org = await stores.signals.createOrg("Org", "ngo");
    assert.ok(org.id > 0);
    await stores.close();
  } finally {
    await db.drop();
  }
}

async function olderDatabase(db: TestDatabase): Promise<void> {
  try {
    // A database one migration behind this version, as after an upgrade of the code.
    await migrateWithout(db.url, 1);
    const last = NAMES.at(-1)!;
    await assert.rejects(
      openStores(db.url, { migrate: false }),
      notMigrated(new RegExp(`lacks 1 migration\\(s\\) \\(${last}\\)`)),
    );
    assert.deepEqual(await migrateDatabase(db.url), [last]);
    await (await openStores(db.url, { migrate: false })).close();
  } finally {
    await db.drop();
  }
}

/** Migrates with every migration but the last `n`, on a connection of its own. */
async function migrateWithout(url: string, n: number): Promise<void> {
  const db = url.startsWith("postgres")
    ? new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) })
    : new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(url.replace(/^sqlite:/, "")) }) });
  try {
    const older = Object.fromEntries(Object.entries(MIGRATIONS).slice(0, -n));
    const provider: MigrationProvider = { getMigrations: () => Promise.resolve(older) };
    const { error } = await new Migrator({ db, provider }).migrateToLatest();
    if (error) throw error as Error;
  } finally {
    await db.destroy();
  }
}

describe("rasd migrate and --no-migrate", () => {
  test("SQLite: refused unmigrated, opened after migrating", () => migrateStep(sqliteDatabase()));
  test("SQLite: refused one migration behind", () => olderDatabase(sqliteDatabase()));
  test("PostgreSQL: refused unmigrated, opened after migrating", { skip: skipPostgres }, async () =>
    migrateStep(await postgresDatabase()),
  );
  test("PostgreSQL: refused one migration behind", { skip: skipPostgres }, async () =>
    olderDatabase(await postgresDatabase()),
  );
});
