/**
 * Migrating as its own step: a process opened with `migrate: false` (--no-migrate,
 * RASD_MIGRATE=0) refuses an empty or older database with storage.not_migrated naming
 * `rasd migrate`, and opens it once `migrateDatabase` (the command's work) has run.
 * On SQLite and PostgreSQL.
 */

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationProvider } from "kysely";
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

/** Migration 0015: every signal there before becomes an HMA content under its own id. */
async function hmaBackfill(db: TestDatabase): Promise<void> {
  try {
    // Stop just before 0015 (and everything after it), then migrate to the latest.
    const after = NAMES.length - 1 - NAMES.indexOf("0015-hma-contents");
    assert.ok(after >= 0, "migration 0015-hma-contents is registered");
    await migrateWithout(db.url, after + 1);
    const stores0 = db.url.startsWith("postgres")
      ? new Kysely<unknown>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: db.url, max: 1 }) }),
        })
      : new Kysely<unknown>({
          dialect: new SqliteDialect({ database: new BetterSqlite3(db.url.replace(/^sqlite:/, "")) }),
        });
    try {
      const now = Date.now();
      await sql`insert into orgs (name, kind, created_at) values ('Org', 'ngo', ${now})`.execute(stores0);
      await sql`insert into banks (org_id, name, created_at, updated_at) values (1, 'b', ${now}, ${now})`.execute(
        stores0,
      );
      for (const [i, status, source] of [
        [1, "active", "from v1"],
        [2, "retracted", ""],
      ] as const)
        await sql`insert into signals (bank_id, type, value, value_key, first_seen, last_seen, status, created_at, updated_at, change_seq, source)
          values (1, 'md5', ${String(i).repeat(32)}, ${String(i)}, ${now}, ${now}, ${status}, ${now}, ${now}, ${i}, ${source})`.execute(
          stores0,
        );
    } finally {
      await stores0.destroy();
    }
    await migrateDatabase(db.url);
    const stores = await openStores(db.url, { migrate: false });
    try {
      const [one, two] = [await stores.hma.getContent(1), await stores.hma.getContent(2)];
      assert.deepEqual([one?.signalIds, one?.disableUntilTs, one?.note, one?.originSignalId], [[1], 1, "from v1", 1]);
      assert.deepEqual([two?.signalIds, two?.disableUntilTs, two?.note], [[2], 0, null]);
      // New contents are numbered after the ones carried over (PostgreSQL's sequence was moved).
      const fresh = await stores.hma.createContent({ bankId: 1, signalIds: [1] });
      assert.ok(fresh.id > 2, String(fresh.id));
      assert.deepEqual(
        (await stores.hma.contentsOfSignals([1])).map((c) => c.id),
        [1, fresh.id],
      );
    } finally {
      await stores.close();
    }
  } finally {
    await db.drop();
  }
}

describe("migration 0015: HMA contents carried over", () => {
  test("SQLite", () => hmaBackfill(sqliteDatabase()));
  test("PostgreSQL", { skip: skipPostgres }, async () => hmaBackfill(await postgresDatabase()));
});

/**
 * Migration 0025: entries queued before it get their reason and banks from their item's matches
 * and their action — an incident bank's match, a hop action (`…_links`), an account match, a
 * bank match, or none (the stance model) — run down and up again on a database with entries.
 */
async function reviewBackfill(db: TestDatabase): Promise<void> {
  const { down, up } = await import("../../src/storage/migrations/0025-review-queue-filters.js");
  try {
    const stores = await openStores(db.url);
    const org = await stores.signals.createOrg("Org", "platform");
    const person = (await stores.access.createPerson(org.id, "p", "reviewer")).id;
    const banks = [];
    for (const name of ["plain", "accounts", "incident"])
      banks.push((await stores.signals.createBank({ orgId: org.id, name })).id);
    const [plain, accounts, incident] = banks as [number, number, number];
    const rule = await stores.rules.create(org.id, { name: "r", conditions: {}, actions: [{ type: "review" }] });
    const specs: [string, { bankId: number; type: string; suppressed?: boolean }[], string][] = [
      ["msg", [{ bankId: plain, type: "pdq" }], "match"],
      ["msg", [{ bankId: accounts, type: "account" }], "account"],
      ["links", [{ bankId: plain, type: "url" }], "link"],
      ["msg", [{ bankId: incident, type: "url" }], "incident"],
      ["msg", [{ bankId: plain, type: "text", suppressed: true }], "stance"],
    ];
    const ids = [];
    for (const [i] of specs.entries()) {
      const r = (
        await stores.content.accept([
          {
            orgId: org.id,
            personId: person,
            idempotencyKey: `k${i}`,
            requestHash: `h${i}`,
            kind: "text",
            contentId: `c${i}`,
            authorId: "a",
            postedAt: null,
            mediaType: null,
            media: null,
            url: null,
            text: `t${i}`,
            receivedAt: Date.now(),
          },
        ])
      )[0] as { id: number };
      ids.push(r.id);
    }
    await stores.actions.commitResults({
      actions: ids.map((itemId, i) => ({
        itemId,
        orgId: org.id,
        ruleId: rule.id,
        actionIndex: 0,
        type: "review" as const,
        deliveryId: specs[i]![0] === "links" ? `msg_${itemId}_${rule.id}_0_links` : `msg_${itemId}_${rule.id}_0`,
        target: "",
        payload: "{}",
      })),
      finish: () => [],
      classifications: [],
      completedJobs: [],
      now: Date.now(),
    });
    await stores.close();
    const raw = db.url.startsWith("postgres")
      ? new Kysely<unknown>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: db.url, max: 1 }) }),
        })
      : new Kysely<unknown>({
          dialect: new SqliteDialect({ database: new BetterSqlite3(db.url.replace(/^sqlite:/, "")) }),
        });
    try {
      for (const [i, [, matches]] of specs.entries())
        await sql`update content_items set matches = ${JSON.stringify(matches)} where id = ${ids[i]}`.execute(raw);
      const now = Date.now();
      await sql`insert into incidents (org_id, declared_by, tier, title, bank_id, declared_at, updated_at)
        values (${org.id}, ${person}, 1, 'i', ${incident}, ${now}, ${now})`.execute(raw);
      await down(raw);
      await up(raw);
      const rows = (
        await sql<{
          item_id: number;
          reason: string;
        }>`select item_id, reason from review_items order by item_id`.execute(raw)
      ).rows;
      assert.deepEqual(
        rows.map((r) => r.reason),
        specs.map((s) => s[2]),
      );
      const links = (
        await sql<{ review_id: number; bank_id: number }>`select review_id, bank_id from review_banks`.execute(raw)
      ).rows;
      assert.equal(links.length, 4, "a bank for each unsuppressed match");
      assert.deepEqual(
        [...new Set(links.map((l) => Number(l.bank_id)))].sort((a, b) => a - b),
        [plain, accounts, incident].sort((a, b) => a - b),
      );
    } finally {
      await raw.destroy();
    }
  } finally {
    await db.drop();
  }
}

describe("migration 0025: review entries' reasons and banks filled in", () => {
  test("SQLite", () => reviewBackfill(sqliteDatabase()));
  test("PostgreSQL", { skip: skipPostgres }, async () => reviewBackfill(await postgresDatabase()));
});
