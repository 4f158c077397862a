/**
 * Media out of the database (issue 21): the file media store, items naming their bytes by
 * SHA-256, the move of bytes an older rasd stored in `content_media` (also when the moving
 * process is killed midway), and the retention sweep. On SQLite and on PostgreSQL.
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { isRasdError, type RasdError } from "../../src/core/errors.js";
import { MediaRetention, sweepMedia } from "../../src/services/media-retention.js";
import { FileMediaStore } from "../../src/storage/media-store-fs.js";
import { MIGRATIONS } from "../../src/storage/migrations/index.js";
import { migrateStores, openStores } from "../../src/storage/open.js";
import type { Accepted, NewContent, Stores } from "../../src/storage/ports/index.js";
import { postgresDatabase, postgresSkip, sqliteDatabase, type TestDatabase } from "../support/databases.js";

const DAY = 86_400_000;
const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const bytesOf = (seed: number, n = 2000): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i) & 255);

function bareDatabase(url: string): Kysely<Record<string, Record<string, unknown>>> {
  return new Kysely({
    dialect: url.startsWith("postgres")
      ? new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) })
      : new SqliteDialect({ database: new BetterSqlite3(url.replace(/^sqlite:(\/\/)?/, "")) }),
  });
}

function image(orgId: number, personId: number, key: string, media: Uint8Array): NewContent {
  return {
    orgId,
    personId,
    idempotencyKey: key,
    requestHash: `h-${key}`,
    kind: "image",
    contentId: key,
    authorId: "a",
    postedAt: null,
    mediaType: "image/png",
    media,
    url: null,
    text: null,
    receivedAt: Date.now(),
  };
}

function accepted(r: Accepted | RasdError): number {
  if (isRasdError(r)) throw r;
  return r.id;
}

describe("the file media store", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "rasd-media-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("stores bytes once under their SHA-256, privately, with nothing left in its temporary folder", async () => {
    const store = await FileMediaStore.open(join(dir, "a", "media"));
    assert.equal(existsSync(join(dir, "a")), false, "made by the first put, not on opening");
    for await (const o of store.list()) assert.fail(`an empty store lists ${o.key}`);
    assert.equal(await store.get(sha(bytesOf(1))), undefined);
    const b = bytesOf(1);
    const put = await store.put(b);
    assert.deepEqual(put, { key: sha(b), size: b.byteLength });
    assert.deepEqual(new Uint8Array((await store.get(put.key))!), b);
    assert.deepEqual(await store.put(b), put, "the same bytes again: the same key");
    const file = join(store.location, put.key.slice(0, 2), put.key.slice(2, 4), put.key);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    for (const d of [join(dir, "a"), store.location, join(store.location, put.key.slice(0, 2))])
      assert.equal(statSync(d).mode & 0o777, 0o700, d);
    assert.deepEqual(readdirSync(join(store.location, ".tmp")), []);
    const listed = [];
    for await (const o of store.list()) listed.push(o.key);
    assert.deepEqual(listed, [put.key]);
    assert.equal(await store.get(sha(bytesOf(2))), undefined);
    await assert.rejects(store.get("../../etc/passwd"), /not a media key/);
  });

  it("a delete loses to a put of the same bytes made after the sweep looked", async () => {
    const store = await FileMediaStore.open(join(dir, "b"));
    const { key } = await store.put(bytesOf(3));
    const lookedAt = Date.now() + 1;
    await new Promise((r) => setTimeout(r, 20));
    await store.put(bytesOf(3)); // renews the file
    assert.equal(await store.delete(key, lookedAt), false);
    assert.ok(await store.get(key));
    assert.equal(await store.delete(key, Date.now() + 1000), true);
    assert.equal(await store.get(key), undefined);
    assert.equal(await store.delete(key), false, "deleting what is gone is no error");
  });

  it("removes a killed writer's temporary files once they are an hour old", async () => {
    const store = await FileMediaStore.open(join(dir, "c"));
    await store.put(bytesOf(4));
    const old = join(store.location, ".tmp", "old.part");
    const recent = join(store.location, ".tmp", "recent.part");
    writeFileSync(old, "x");
    writeFileSync(recent, "y");
    utimesSync(old, new Date(Date.now() - 2 * 3_600_000), new Date(Date.now() - 2 * 3_600_000));
    await FileMediaStore.open(store.location);
    assert.equal(existsSync(old), false);
    assert.equal(existsSync(recent), true);
  });
});

function mediaContract(name: string, makeDatabase: () => Promise<TestDatabase>, skip: string | false): void {
  describe(`media out of the database: ${name}`, { skip }, () => {
    let database: TestDatabase;
    let mediaDir: string;
    let s: Stores;
    let orgId: number;
    let personId: number;
    let raw: Kysely<Record<string, Record<string, unknown>>>;

    before(async () => {
      if (skip) return;
      database = await makeDatabase();
      mediaDir = mkdtempSync(join(tmpdir(), "rasd-media-"));
      s = await openStores(database.url, { mediaDir });
      orgId = (await s.signals.createOrg("Platform", "platform")).id;
      personId = (await s.access.createPerson(orgId, "alice", "submitter")).id;
      raw = bareDatabase(database.url);
    });
    after(async () => {
      if (skip) return;
      await raw.destroy();
      await s.close();
      await database.drop();
      rmSync(mediaDir, { recursive: true, force: true });
    });

    it("accepting keeps the bytes in the media store and only their key in the database", async () => {
      const b = bytesOf(10);
      const id = accepted((await s.content.accept([image(orgId, personId, "store-1", b)]))[0]!);
      const item = (await s.content.getItem(id))!;
      assert.equal(item.mediaKey, sha(b));
      assert.equal(item.mediaExpiredAt, null);
      assert.deepEqual(new Uint8Array((await s.content.getMedia(id))!), b);
      assert.deepEqual(await raw.selectFrom("content_media").selectAll().execute(), []);
      assert.deepEqual(new Uint8Array((await s.media.get(sha(b)))!), b);
    });

    /** A database as rasd left it at migration 0008, with `n` images whose bytes are in `content_media`. */
    async function oldDatabase(n: number): Promise<{ db: TestDatabase; ids: number[]; bytes: Uint8Array[] }> {
      const db = await makeDatabase();
      const old = bareDatabase(db.url);
      try {
        const { error } = await new Migrator({
          db: old,
          provider: { getMigrations: () => Promise.resolve(MIGRATIONS) },
        }).migrateTo("0008-audit-chain");
        assert.equal(error, undefined);
        const org = await old
          .insertInto("orgs")
          .values({ name: "Old Org", kind: "platform", created_at: 1000 })
          .returning("id")
          .executeTakeFirstOrThrow();
        const ids: number[] = [];
        const bytes: Uint8Array[] = [];
        for (let i = 0; i < n; i++) {
          const b = bytesOf(100 + i, 500 + i);
          const row = await old
            .insertInto("content_items")
            .values({
              org_id: org.id,
              person_id: 1,
              idempotency_key: `old-${i}`,
              request_hash: "",
              kind: "image",
              content_id: `old-${i}`,
              author_id: "a",
              media_type: "image/png",
              media_size: b.byteLength,
              status: "received",
              received_at: 1000,
            })
            .returning("id")
            .executeTakeFirstOrThrow();
          await old.insertInto("content_media").values({ item_id: row.id, bytes: b }).execute();
          ids.push(row.id as number);
          bytes.push(b);
        }
        return { db, ids, bytes };
      } finally {
        await old.destroy();
      }
    }

    it("the migration moves bytes an older rasd stored in the database into the media store", async () => {
      const { db, ids, bytes } = await oldDatabase(5);
      const dir = mkdtempSync(join(tmpdir(), "rasd-media-"));
      try {
        const { applied, moved } = await migrateStores(db.url, { mediaDir: dir });
        // From 0008 on: the media store's migration and every later one.
        assert.equal(applied[0], "0009-media-store");
        assert.deepEqual(applied, [...applied].sort());
        assert.deepEqual(moved, { items: 5, bytes: bytes.reduce((n, b) => n + b.byteLength, 0) });
        const again = await migrateStores(db.url, { mediaDir: dir });
        assert.deepEqual(again, { applied: [], moved: { items: 0, bytes: 0 } }, "idempotent");
        const stores = await openStores(db.url, { mediaDir: dir, migrate: false });
        try {
          for (let i = 0; i < ids.length; i++) {
            assert.deepEqual(new Uint8Array((await stores.content.getMedia(ids[i]!))!), bytes[i]);
            assert.equal((await stores.content.getItem(ids[i]!))!.mediaKey, sha(bytes[i]!));
          }
        } finally {
          await stores.close();
        }
        const old = bareDatabase(db.url);
        assert.deepEqual(await old.selectFrom("content_media").selectAll().execute(), []);
        await old.destroy();
      } finally {
        await db.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    /** Runs the move in a child process that SIGKILLs itself after the 3rd put (or the 3rd row moved). */
    function killedMove(url: string, dir: string, at: "put" | "moved"): Promise<NodeJS.Signals | null> {
      const script = `
        const { KyselyStore } = await import(${JSON.stringify(new URL("../../src/storage/kysely-store.ts", import.meta.url).href)});
        const { FileMediaStore } = await import(${JSON.stringify(new URL("../../src/storage/media-store-fs.ts", import.meta.url).href)});
        const { moveMediaToStore } = await import(${JSON.stringify(new URL("../../src/storage/media-move.ts", import.meta.url).href)});
        const [url, dir, at] = process.argv.slice(1);
        const signals = await KyselyStore.open(url);
        const store = await FileMediaStore.open(dir);
        let puts = 0, moved = 0;
        const put = store.put.bind(store);
        store.put = async (b) => { const r = await put(b); if (at === "put" && ++puts === 3) process.kill(process.pid, "SIGKILL"); return r; };
        await moveMediaToStore(signals.db, store, () => { if (at === "moved" && ++moved === 3) process.kill(process.pid, "SIGKILL"); });
        await signals.close();`;
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, url, dir, at], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      return new Promise((resolve, reject) =>
        child.on("exit", (code, signal) => (code ? reject(new Error(stderr)) : resolve(signal))),
      );
    }

    for (const at of ["put", "moved"] as const)
      it(`a move killed (SIGKILL) ${at === "put" ? "between storing bytes and the database's commit" : "just after a row's commit"} loses nothing, and the next run finishes it`, async () => {
        const { db, ids, bytes } = await oldDatabase(6);
        const dir = mkdtempSync(join(tmpdir(), "rasd-media-"));
        try {
          assert.equal(await killedMove(db.url, dir, at), "SIGKILL");
          // In between: every item's bytes are in the database or named and in the store.
          const old = bareDatabase(db.url);
          const left = new Set(
            (await old.selectFrom("content_media").select("item_id").execute()).map((r) => r.item_id as number),
          );
          const named = new Map(
            (await old.selectFrom("content_items").select(["id", "media_sha256"]).execute()).map((r) => [
              r.id as number,
              r.media_sha256 as string | null,
            ]),
          );
          await old.destroy();
          assert.equal(left.size, at === "put" ? 4 : 3, "the kill came midway");
          const store = await FileMediaStore.open(dir);
          for (let i = 0; i < ids.length; i++) {
            const key = named.get(ids[i]!);
            if (left.has(ids[i]!)) assert.equal(key, null);
            else assert.deepEqual(new Uint8Array((await store.get(key!))!), bytes[i]);
          }
          const { moved } = await migrateStores(db.url, { mediaDir: dir });
          assert.equal(moved.items, left.size);
          const stores = await openStores(db.url, { mediaDir: dir });
          try {
            for (let i = 0; i < ids.length; i++)
              assert.deepEqual(new Uint8Array((await stores.content.getMedia(ids[i]!))!), bytes[i]);
          } finally {
            await stores.close();
          }
        } finally {
          await db.drop();
          rmSync(dir, { recursive: true, force: true });
        }
      });

    it("retention lets processed media go after its days, unless a review or a case holds it; hashes stay", async () => {
      const now = Date.now();
      const old = now - 100 * DAY;
      const items: Record<string, number> = {};
      const shared = bytesOf(50);
      const defs: [string, Uint8Array, number | null][] = [
        ["expires", bytesOf(51), old],
        ["open-review", bytesOf(52), old],
        ["escalated", bytesOf(53), old],
        ["complaint", bytesOf(54), old],
        ["complaint-answered", bytesOf(55), old],
        ["recent", shared, now - DAY],
        ["old-shared", shared, old],
        ["unprocessed", bytesOf(56), null],
      ];
      for (const [key, b, hashedAt] of defs) {
        items[key] = accepted((await s.content.accept([image(orgId, personId, `ret-${key}`, b)]))[0]!);
        if (hashedAt !== null)
          await raw
            .updateTable("content_items")
            .set({ status: "done", hashed_at: hashedAt, hashes: '{"pdq":"x"}' })
            .where("id", "=", items[key])
            .execute();
      }
      let action = -1;
      const review = (item: string, status: string, decision: string | null) =>
        raw
          .insertInto("review_items")
          .values({ org_id: orgId, item_id: items[item], action_id: action--, status, decision, created_at: now })
          .execute();
      await review("open-review", "open", null);
      await review("escalated", "decided", "escalate");
      await review("expires", "decided", "violating");
      const outcome = (item: string, kind: string) =>
        s.content.addOutcome(
          { itemId: items[item]!, orgId, personId, kind, basis: "", reason: "", authority: "", note: "", at: now },
          () => {},
        );
      await outcome("complaint", "complaint");
      await outcome("complaint-answered", "complaint");
      await outcome("complaint-answered", "complaint_rejected");
      // Bytes no item names: one two days old (goes), one fresh (a submission may be committing).
      const orphan = await s.media.put(bytesOf(57));
      const orphanFile = join(mediaDir, orphan.key.slice(0, 2), orphan.key.slice(2, 4), orphan.key);
      utimesSync(orphanFile, new Date(now - 2 * DAY), new Date(now - 2 * DAY));
      const fresh = await s.media.put(bytesOf(58));

      assert.deepEqual(await sweepMedia({ content: s.content, media: s.media }, { retentionDays: 0, now }), {
        dryRun: false,
        expiredItems: 0,
        expiredBytes: 0,
        expiredKeys: 0,
        deletedObjects: 0,
        orphansDeleted: 1,
      });
      await s.media.put(bytesOf(57)); // the orphan again, two days old
      utimesSync(orphanFile, new Date(now - 2 * DAY), new Date(now - 2 * DAY));

      const dry = await sweepMedia({ content: s.content, media: s.media }, { retentionDays: 90, now, dryRun: true });
      assert.deepEqual(dry, {
        dryRun: true,
        expiredItems: 3,
        expiredBytes: 2000 * 3,
        expiredKeys: 3,
        deletedObjects: 0,
        orphansDeleted: 1,
      });
      for (const key of Object.keys(items)) assert.ok(await s.content.getMedia(items[key]!), `dry run kept ${key}`);

      // Files are deleted only when unchanged for 10 minutes: the sweep runs "later".
      const later = now + 11 * 60_000;
      const r = await sweepMedia({ content: s.content, media: s.media }, { retentionDays: 90, now: later });
      assert.deepEqual(r, {
        dryRun: false,
        expiredItems: 3,
        expiredBytes: 6000,
        expiredKeys: 3,
        deletedObjects: 2, // old-shared's bytes stay: "recent" still keeps them
        orphansDeleted: 1,
      });
      const gone = ["expires", "complaint-answered", "old-shared"];
      for (const [key] of defs) {
        const item = (await s.content.getItem(items[key]!))!;
        const media = await s.content.getMedia(items[key]!);
        if (gone.includes(key)) {
          assert.equal(item.mediaExpiredAt, later, key);
          assert.equal(media, undefined, key);
          assert.equal(item.hashes, '{"pdq":"x"}', "hashes are kept");
          assert.ok(item.mediaKey, "the key (a hash) is kept");
        } else {
          assert.equal(item.mediaExpiredAt, null, key);
          assert.ok(media, key);
        }
      }
      assert.equal(await s.media.get(sha(bytesOf(51))), undefined);
      assert.ok(await s.media.get(sha(shared)));
      assert.equal(await s.media.get(orphan.key), undefined);
      assert.ok(await s.media.get(fresh.key));
      // A second sweep finds nothing more.
      const second = await sweepMedia({ content: s.content, media: s.media }, { retentionDays: 90, now: later });
      assert.equal(second.expiredItems, 0);
    });

    it("a worker's sweep runs by itself every interval and stops when told", async () => {
      const b = bytesOf(60);
      const id = accepted((await s.content.accept([image(orgId, personId, "worker-sweep", b)]))[0]!);
      await raw
        .updateTable("content_items")
        .set({ status: "done", hashed_at: Date.now() - 3 * DAY })
        .where("id", "=", id)
        .execute();
      const retention = new MediaRetention({ content: s.content, media: s.media }, { retentionDays: 2, everyMs: 30 });
      retention.start();
      try {
        for (let i = 0; i < 200 && (await s.content.getItem(id))!.mediaExpiredAt === null; i++)
          await new Promise((r) => setTimeout(r, 25));
      } finally {
        await retention.stop();
      }
      assert.ok((await s.content.getItem(id))!.mediaExpiredAt, "the sweep expired the item");
      assert.equal(await s.content.getMedia(id), undefined);
    });
  });
}

mediaContract("SQLite", () => Promise.resolve(sqliteDatabase()), false);
mediaContract("PostgreSQL", postgresDatabase, await postgresSkip());
