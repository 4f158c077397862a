/**
 * `rasd key create|list|rotate|revoke` (issue 15, item 3): keys with a name and an expiry,
 * listed without secrets, rotated (the new secret printed once) and revoked.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../support/shared.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-key-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, "data");

function rasd(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(REPO_ROOT, "bin/rasd"), [...args, "--data", data], { cwd: REPO_ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("rasd key", () => {
  it("creates with a name and an expiry, lists without secrets, rotates and revokes", () => {
    assert.equal(rasd(["org", "create", "Key Org", "--kind", "platform"]).status, 0);
    const made = rasd([
      "key",
      "create",
      "--org",
      "Key Org",
      "--role",
      "submitter",
      "--person",
      "uploader",
      "--name",
      "eu-west ingest",
      "--expires",
      "90d",
    ]);
    assert.equal(made.status, 0, made.stderr);
    const token = made.stdout.trim();
    assert.match(token, /^rasd_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    assert.match(made.stderr, /expires \d{4}-/);

    const listed = rasd(["key", "list", "--org", "Key Org"]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.ok(!listed.stdout.includes(token.slice(18)), "no secret in the listing");
    const [id, prefix, state, person, role, name, , lastUsed, expires] = listed.stdout.trim().split("\t");
    assert.deepEqual(
      [prefix, state, person, role, name, lastUsed],
      [`rasd_${token.split("_")[1]}_…`, "active", "uploader", "submitter", "eu-west ingest", "-"],
    );
    const days = (Date.parse(expires!) - Date.now()) / 86_400_000;
    assert.ok(days > 89.9 && days <= 90, `expires in ${days} days`);

    const rotated = rasd(["key", "rotate", id!, "--org", "Key Org", "--overlap", "10m"]);
    assert.equal(rotated.status, 0, rotated.stderr);
    const fresh = rotated.stdout.trim();
    assert.notEqual(fresh, token);
    assert.equal(fresh.split("_")[1], token.split("_")[1], "same key, same prefix");
    assert.match(rotated.stderr, /the old secret works until \d{4}-/);

    assert.equal(rasd(["key", "revoke", id!, "--org", "Key Org"]).status, 0);
    assert.match(rasd(["key", "list", "--org", "Key Org"]).stdout, /\trevoked\t/);
    const again = rasd(["key", "rotate", id!, "--org", "Key Org"]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /is revoked/);
  });

  it("refuses an expiry over 366 days, a bad duration, and another organisation's key", () => {
    const long = rasd(["key", "create", "--org", "Key Org", "--role", "reader", "--expires", "400d"]);
    assert.equal(long.status, 2, long.stderr);
    assert.match(long.stderr, /--expires: a key may live at most 366 days/);
    const bad = rasd(["key", "create", "--org", "Key Org", "--role", "reader", "--expires", "soon"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--expires: expected a duration/);
    assert.equal(rasd(["org", "create", "Other Org", "--kind", "ngo"]).status, 0);
    const foreign = rasd(["key", "revoke", "1", "--org", "Other Org"]);
    assert.equal(foreign.status, 1);
    assert.match(foreign.stderr, /Other Org has no API key 1/);
  });
});
