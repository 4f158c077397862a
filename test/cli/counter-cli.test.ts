/**
 * `rasd counter`: draft, approve, add keywords, redirect and figures from the command line, in
 * its own process on its own data folder; a second approval fails with the workflow's message
 * and a non-zero exit (needs dist/: npx tsc -p tsconfig.build.json).
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../support/shared.js";

const data = mkdtempSync(join(tmpdir(), "rasd-counter-cli-"));

function rasd(args: string[]) {
  const r = spawnSync(join(REPO_ROOT, "bin/rasd"), [...args, "--data", data], { cwd: REPO_ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("rasd counter", () => {
  after(() => rmSync(data, { recursive: true, force: true }));

  it("drafts, approves, curates keywords and serves the item for a matching query", () => {
    assert.equal(rasd(["org", "create", "Gov", "--kind", "government"]).status, 0);
    const added = rasd([
      "counter",
      "add",
      "--org",
      "Gov",
      "--title",
      "الحياة هناك",
      "--narrative",
      "caliphate-utopia",
      "--lang",
      "ar",
      "--body",
      "ما لا يقولونه",
      "--tlp",
      "CLEAR",
    ]);
    assert.equal(added.status, 0, added.stderr);
    const item = JSON.parse(added.stdout) as { id: number; status: string };
    assert.equal(item.status, "draft");
    assert.equal(rasd(["counter", "approve", String(item.id), "--org", "Gov"]).status, 0);
    const again = rasd(["counter", "approve", String(item.id), "--org", "Gov"]);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /is approved: it cannot become approved/);
    assert.equal(rasd(["counter", "keywords", "--org", "Gov", "--narrative", "caliphate-utopia", "الخلافة"]).status, 0);
    const r = rasd(["counter", "redirect", "--org", "Gov", "عاشت والخلافه"]);
    assert.equal(r.status, 0, r.stderr);
    const answer = JSON.parse(r.stdout) as { items: { item: { id: number } }[]; reasons: { source: string }[] };
    assert.deepEqual(
      answer.items.map((x) => x.item.id),
      [item.id],
    );
    assert.ok(answer.reasons.some((x) => x.source === "keyword"));
    const listed = rasd(["counter", "list", "--org", "Gov", "--status", "approved"]);
    assert.equal(listed.stdout.trim().split("\n").length, 1);
    const figures = rasd(["counter", "figures", "--org", "Gov"]);
    assert.equal(figures.status, 0, figures.stderr);
    assert.equal(figures.stdout, "", "no events yet: no rows");
    const bad = rasd(["counter", "add", "--org", "Gov", "--title", "x", "--narrative", "nonsense", "--lang", "ar"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /"nonsense" is not one of/);
  });

  it("edits a draft, and refuses to edit an approved item", () => {
    const added = rasd([
      "counter",
      "add",
      "--org",
      "Gov",
      "--title",
      "Before",
      "--narrative",
      "victimhood",
      "--lang",
      "en",
      "--body",
      "text",
    ]);
    assert.equal(added.status, 0, added.stderr);
    const id = String((JSON.parse(added.stdout) as { id: number }).id);
    const edited = rasd([
      "counter",
      "edit",
      id,
      "--org",
      "Gov",
      "--title",
      "After",
      "--narrative",
      "belonging",
      "victimhood",
    ]);
    assert.equal(edited.status, 0, edited.stderr);
    const item = JSON.parse(edited.stdout) as { title: string; narratives: string[]; lang: string; status: string };
    assert.equal(item.title, "After");
    assert.deepEqual(item.narratives, ["belonging", "victimhood"]);
    assert.equal(item.lang, "en");
    assert.equal(item.status, "draft");
    const nothing = rasd(["counter", "edit", id, "--org", "Gov"]);
    assert.notEqual(nothing.status, 0);
    assert.match(nothing.stderr, /nothing to change/);
    assert.equal(rasd(["counter", "approve", id, "--org", "Gov"]).status, 0);
    const late = rasd(["counter", "edit", id, "--org", "Gov", "--title", "Too late"]);
    assert.notEqual(late.status, 0);
    assert.match(late.stderr, /only a draft can be edited/);
  });
});
