/**
 * npm run bench -- media [items] [kib]      (default 1000 items of 64 KiB)
 *
 * Media out of PostgreSQL (issue 21): a database as the previous version left it (migration
 * 0008, `items` image items with their bytes in `content_media`), then `rasd migrate`'s move
 * into the media store. Prints the database's size before, after the move and after
 * `VACUUM FULL content_media`, the media folder's size, the move's rate, and a retention sweep
 * of every item. Needs PostgreSQL at RASD_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 * The machine's load average is printed with every figure (others may share the cores).
 */

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Kysely, Migrator, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { sweepMedia } from "../dist/services/media-retention.js";
import { MIGRATIONS } from "../dist/storage/migrations/index.js";
import { migrateStores, openStores } from "../dist/storage/open.js";
import { emit, note } from "./_util.js";

const ITEMS = Number(process.argv[2] ?? 1000);
const KIB = Number(process.argv[3] ?? 64);
const ADMIN = process.env.RASD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const load = (): number => Math.round(loadavg()[0]! * 100) / 100;
const fig = (c: string, metric: string, value: number): void =>
  emit({ bench: "media", case: c, impl: "postgres+files", metric, value, items: ITEMS, kib: KIB, load1: load() });

const name = `rasd_bench_media_${process.pid}`;
const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`create database ${name}`);
const url = ADMIN.replace(/\/[^/]*$/, `/${name}`);
const dir = mkdtempSync(join(tmpdir(), "rasd-bench-media-"));
const db = new Kysely<Record<string, Record<string, unknown>>>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
});
const size = async (): Promise<number> =>
  Number((await sql<{ n: string }>`select pg_database_size(current_database()) as n`.execute(db)).rows[0]!.n);
try {
  const { error } = await new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(MIGRATIONS) },
  }).migrateTo("0008-audit-chain");
  if (error) throw error;
  const org = await db
    .insertInto("orgs")
    .values({ name: "Bench", kind: "platform", created_at: 0 })
    .returning("id")
    .executeTakeFirstOrThrow();
  note(`writing ${ITEMS} items of ${KIB} KiB into content_media`);
  for (let i = 0; i < ITEMS; i++) {
    const bytes = randomBytes(KIB * 1024);
    const { id } = await db
      .insertInto("content_items")
      .values({
        org_id: org.id,
        person_id: 1,
        idempotency_key: `b${i}`,
        request_hash: "",
        kind: "image",
        content_id: `b${i}`,
        author_id: "a",
        media_type: "image/jpeg",
        media_size: bytes.length,
        status: "done",
        received_at: 0,
        hashed_at: 0,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db.insertInto("content_media").values({ item_id: id, bytes }).execute();
  }
  fig("before", "database_mib", (await size()) / 2 ** 20);
  const t0 = performance.now();
  const { moved } = await migrateStores(url, { mediaDir: dir });
  const seconds = (performance.now() - t0) / 1000;
  fig("move", "items_per_s", moved.items / seconds);
  fig("move", "mib_per_s", moved.bytes / 2 ** 20 / seconds);
  fig("after move", "database_mib", (await size()) / 2 ** 20);
  await sql`vacuum full content_media`.execute(db);
  fig("after vacuum full content_media", "database_mib", (await size()) / 2 ** 20);
  fig("media folder", "mib", Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split("\t")[0]) / 1024);
  const stores = await openStores(url, { mediaDir: dir, migrate: false });
  try {
    const t1 = performance.now();
    // As if 11 minutes later: a sweep leaves bytes written in the last 10 (the move just wrote them).
    const r = await sweepMedia(
      { content: stores.content, media: stores.media },
      { retentionDays: 1, now: Date.now() + 11 * 60_000 },
    );
    const s = (performance.now() - t1) / 1000;
    fig("sweep (every item expired)", "items_per_s", r.expiredItems / s);
    fig("sweep (every item expired)", "objects_deleted", r.deletedObjects);
  } finally {
    await stores.close();
  }
} finally {
  await db.destroy();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
