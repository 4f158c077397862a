/**
 * Databases for tests: a fresh SQLite file, or a fresh PostgreSQL database on the local
 * server (127.0.0.1:5432, trust auth). PostgreSQL tests skip, saying so, when the server
 * is unreachable — unless RASD_REQUIRE_POSTGRES=1 (CI sets it), when they fail instead.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export const POSTGRES_ADMIN_URL = process.env.RASD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), "rasd-db-"));
  return {
    url: `sqlite:${join(dir, "rasd.db")}`,
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

export async function postgresDatabase(): Promise<TestDatabase> {
  const name = `rasd_test_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** `skip` option for PostgreSQL suites. */
export async function postgresSkip(): Promise<string | false> {
  try {
    // Three tries of 10 s: on a loaded machine a 2 s connect timed out and whole PostgreSQL
    // suites (the two-process federation run among them) skipped although the server was up.
    for (let attempt = 1; ; attempt++) {
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 10_000 });
      try {
        await c.connect();
        await c.end();
        return false;
      } catch (error) {
        await c.end().catch(() => undefined);
        if (attempt >= 3 || !/timeout/i.test((error as Error).message)) throw error;
      }
    }
  } catch (error) {
    if (process.env.RASD_REQUIRE_POSTGRES === "1")
      throw new Error(`PostgreSQL is required but unreachable at ${POSTGRES_ADMIN_URL}: ${String(error)}`, {
        cause: error,
      });
    return `SKIPPED: PostgreSQL unreachable at ${POSTGRES_ADMIN_URL} (${(error as Error).message})`;
  }
}
