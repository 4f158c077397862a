/**
 * The data folder and the embedded database are private (issue 15, item 11): folders rasd
 * creates are 0700, the database and its -wal/-shm files 0600, whatever the umask.
 */

import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openDatabase } from "../../src/storage/database.js";

const mode = (path: string) => statSync(path).mode & 0o777;

test("with umask 000 the data folder is created 0700 and the database, -wal and -shm 0600", async () => {
  const root = mkdtempSync(join(tmpdir(), "rasd-modes-"));
  chmodSync(root, 0o755);
  const previous = process.umask(0o000);
  try {
    const file = join(root, "data", "nested", "rasd.db");
    const db = await openDatabase(`sqlite:${file}`);
    try {
      assert.equal(mode(root).toString(8), "755", "a folder that existed is left as it was");
      assert.equal(mode(join(root, "data")).toString(8), "700");
      assert.equal(mode(join(root, "data", "nested")).toString(8), "700");
      for (const f of [file, `${file}-wal`, `${file}-shm`]) {
        assert.ok(existsSync(f), `${f} exists`);
        assert.equal(mode(f).toString(8), "600", f);
      }
    } finally {
      await db.close();
    }
  } finally {
    process.umask(previous);
    rmSync(root, { recursive: true, force: true });
  }
});

test("an existing world-readable database is made 0600 when opened", async () => {
  const root = mkdtempSync(join(tmpdir(), "rasd-modes-"));
  try {
    const file = join(root, "old.db");
    writeFileSync(file, "");
    chmodSync(file, 0o644);
    const db = await openDatabase(file);
    await db.close();
    assert.equal(mode(file).toString(8), "600");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
