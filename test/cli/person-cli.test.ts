/**
 * `rasd person password|disable|role`: an operator sets a person's web password, disables a
 * person (password cleared, sessions ended, every API key of theirs revoked), and gives a person
 * another role (their keys act with it).
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../support/shared.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-person-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, "data");

function rasd(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(REPO_ROOT, "bin/rasd"), [...args, "--data", data], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    ...(input !== undefined ? { input } : {}),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("rasd person", () => {
  it("sets a password, then disables the person: their keys are revoked", () => {
    assert.equal(rasd(["org", "create", "Person Org", "--kind", "ngo"]).status, 0);
    for (const name of ["first", "second"]) {
      const made = rasd([
        "key",
        "create",
        "--org",
        "Person Org",
        "--role",
        "reader",
        "--person",
        "dana",
        "--name",
        name,
      ]);
      assert.equal(made.status, 0, made.stderr);
    }
    const set = rasd(["person", "password", "--org", "Person Org", "--person", "dana"], "a long enough password\n");
    assert.equal(set.status, 0, set.stderr);

    const off = rasd(["person", "disable", "--org", "Person Org", "--person", "dana"]);
    assert.equal(off.status, 0, off.stderr);
    assert.match(off.stderr, /dana \(reader, Person Org\) is disabled: .*2 API key\(s\) revoked/);
    const states = rasd(["key", "list", "--org", "Person Org"])
      .stdout.trim()
      .split("\n")
      .map((line) => line.split("\t")[2]);
    assert.deepEqual(states, ["revoked", "revoked"]);

    const nobody = rasd(["person", "disable", "--org", "Person Org", "--person", "nobody"]);
    assert.notEqual(nobody.status, 0);
    assert.match(nobody.stderr, /has no person named "nobody"/);
  });

  it("gives a person another role: their key is listed with it; a role that is none is refused", () => {
    assert.equal(rasd(["org", "create", "Role Org", "--kind", "platform"]).status, 0);
    const made = rasd(["key", "create", "--org", "Role Org", "--role", "reader", "--person", "lee"]);
    assert.equal(made.status, 0, made.stderr);
    const changed = rasd(["person", "role", "--org", "Role Org", "--person", "lee", "--role", "curator"]);
    assert.equal(changed.status, 0, changed.stderr);
    assert.match(changed.stderr, /lee \(Role Org\) is now curator \(was reader\)/);
    const roles = rasd(["key", "list", "--org", "Role Org"])
      .stdout.trim()
      .split("\n")
      .map((line) => line.split("\t")[4]);
    assert.deepEqual(roles, ["curator"]);
    const bad = rasd(["person", "role", "--org", "Role Org", "--person", "lee", "--role", "boss"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--role: "boss" is not one of admin, curator/);
  });
});
