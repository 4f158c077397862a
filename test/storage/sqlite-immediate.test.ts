/**
 * SQLite transactions take the write lock when they begin: a transaction that has only read
 * so far already keeps other writers out, so it can never fail to upgrade its snapshot with
 * SQLITE_BUSY (what `npm run bench -- soak` met as 500s on signal additions under load).
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import BetterSqlite3 from "better-sqlite3";
import { sql } from "kysely";
import { openDatabase } from "../../src/storage/database.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-immediate-"));
after(() => rmSync(dir, { recursive: true, force: true }));

it("a transaction holds the write lock from its first statement", async () => {
  const file = join(dir, "rasd.db");
  const open = await openDatabase(`sqlite:${file}`);
  const other = new BetterSqlite3(file);
  other.pragma("busy_timeout = 0");
  try {
    await open.db.transaction().execute(async (tx) => {
      await sql`select 1`.execute(tx); // a read only, so far
      assert.throws(() => other.exec("begin immediate"), /database is locked/);
    });
    other.exec("begin immediate"); // free again once it committed
    other.exec("commit");
  } finally {
    other.close();
    await open.close();
  }
});
