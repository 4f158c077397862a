/** `rasd account add|list|match` against a data directory: bank a suspended account, find its return. */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../support/shared.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-account-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, "data");

function rasd(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(REPO_ROOT, "bin/rasd"), [...args, "--data", data], {
    cwd: REPO_ROOT,
    input,
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SUSPENDED = JSON.stringify({
  platform: "twitter",
  id: "1001",
  handle: "GunsandCoffee70",
  name: "GunsandCoffee",
  suspended: "2016-05-01",
  reason: ["glorification"],
});

describe("rasd account", () => {
  it("adds, lists and matches a suspended account", () => {
    assert.equal(rasd(["org", "create", "Sawab Center", "--kind", "government"]).status, 0);
    assert.equal(rasd(["bank", "create", "accounts", "--org", "Sawab Center"]).status, 0);
    const added = rasd(["account", "add", "accounts", "-", "--behaviour", "glorification"], SUSPENDED);
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stdout, /^1 created/);
    const listed = rasd(["account", "list", "accounts"]);
    assert.match(listed.stdout, /\tactive\ttwitter\t@GunsandCoffee70\tGunsandCoffee\t2016-05-01/);
    const found = rasd(["account", "match", '{"platform":"twitter","handle":"_GunsandCoffee_2"}']);
    assert.equal(found.status, 0, found.stderr);
    assert.match(found.stdout, /handle=GunsandCoffee70 score=0\.\d+ evidence=handle:/);
    const none = rasd(["account", "match", '{"platform":"twitter","handle":"GunsandRoses"}']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no matches/);
  });

  it("a bank's account threshold (rasd bank set) decides what matches", () => {
    const query = '{"platform":"twitter","handle":"_GunsandCoffee_2"}';
    const strict = rasd(["bank", "set", "accounts", "--org", "Sawab Center", "--account-min-score", "0.999"]);
    assert.equal(strict.status, 0, strict.stderr);
    assert.match(strict.stdout, /Sawab Center\/accounts\t.*account>=0\.999/);
    const none = rasd(["account", "match", query]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no matches/);
    assert.equal(rasd(["bank", "set", "Sawab Center/accounts", "--account-min-score", "0.7"]).status, 0);
    assert.equal(rasd(["account", "match", query]).status, 0);
    const nothing = rasd(["bank", "set", "accounts", "--org", "Sawab Center"]);
    assert.notEqual(nothing.status, 0);
    assert.match(nothing.stderr, /nothing to set/);
    const bad = rasd(["bank", "set", "accounts", "--org", "Sawab Center", "--account-min-score", "1.5"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /1\.5|\(0, 1\]/);
  });

  it("rejects a bad account with the field at fault", () => {
    const bad = rasd(["account", "match", '{"platform":"twitter","handle":"x","reason":["shouting"]}']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /reason "shouting" is not one of/);
  });
});
