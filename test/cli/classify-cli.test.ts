/**
 * `rasd classify` and `rasd eval` as a user runs them: ./bin/rasd on the compiled code, with
 * the shipped model, on small hand-written CSV files.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../support/shared.js";

const BIN = join(REPO_ROOT, "bin/rasd");
const dir = mkdtempSync(join(tmpdir(), "rasd-classify-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function rasd(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, { cwd: REPO_ROOT, input, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const LABELLED =
  "id,label,text\n" +
  '1,pro,"دولة الخلافة باقية وتتمدد، انفروا يا شباب الإسلام إلى أرض الخلافة"\n' +
  '2,anti,"الله يلعن داعش وكل من يؤيدها، الدواعش خوارج قتلة"\n' +
  '3,neutral,"مباراة ريال مدريد وبرشلونة الليلة، ""الكلاسيكو"" على الساعة التاسعة"\n' +
  "4,neutral,What a beautiful morning\n";

describe("rasd classify", () => {
  it("prints id,label,score,lang for each row, quoting ids when needed", () => {
    const r = rasd([
      "classify",
      file("in.csv", LABELLED.replace(/^id,label,text/, "id,label,text").replace(/\n1,/, '\n"a,1",')),
    ]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines[0], "id,label,score,lang");
    assert.match(lines[1]!, /^"a,1",pro,\d\.\d{4},ar$/);
    assert.match(lines[2]!, /^2,anti,\d\.\d{4},ar$/);
    assert.match(lines[3]!, /^3,neutral,\d\.\d{4},ar$/);
    assert.match(lines[4]!, /^4,neutral,\d\.\d{4},en$/);
  });
  it("reads standard input and adds behaviour on request", () => {
    const r = rasd(
      ["classify", "--behaviour", "-"],
      "id,text\nx,اقتلوا المرتدين الروافض حيث وجدتموهم #الدولة_الإسلامية\n",
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^id,label,score,lang,behaviour\nx,pro,\d\.\d{4},ar,incitement\n$/);
  });
  it("fails clearly on a missing column, invalid UTF-8 and a missing file", () => {
    const missing = rasd(["classify", file("bad.csv", "id,body\n1,hello\n")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /missing column "text"/);
    const binary = rasd([
      "classify",
      file("latin1.csv", Buffer.from([0x69, 0x64, 0x2c, 0x74, 0x65, 0x78, 0x74, 0x0a, 0x31, 0x2c, 0xe9, 0x0a])),
    ]);
    assert.equal(binary.status, 2);
    assert.match(binary.stderr, /not valid UTF-8/);
    const absent = rasd(["classify", join(dir, "nope.csv")]);
    assert.equal(absent.status, 1);
    assert.match(absent.stderr, /cannot read/);
  });
});

describe("rasd eval", () => {
  it("prints accuracy, macro-F1, per-class precision/recall and calibration", () => {
    const r = rasd(["eval", file("labelled.csv", LABELLED)]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /all: n=4 accuracy 100\.00% macro-F1 1\.0000 ECE \d\.\d{4} Brier \d\.\d{4}/);
    assert.match(r.stdout, /anti +precision +100\.00% recall +100\.00%/);
    const json = rasd(["eval", "--json", join(dir, "labelled.csv")]);
    const figures = JSON.parse(json.stdout) as {
      accuracy: number;
      model: string;
      perLanguage: Record<string, unknown>;
    };
    assert.equal(figures.accuracy, 1);
    assert.match(figures.model, /^stance-v2@[0-9a-f]{12}$/);
    assert.ok(figures.perLanguage.ar && figures.perLanguage.en);
  });
  it("refuses a bad label and a missing column", () => {
    const bad = rasd(["eval", file("badlabel.csv", "id,label,text\n1,pro_isis,hello\n")]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /bad label "pro_isis" \(expected one of pro, anti, neutral\)/);
    const missing = rasd(["eval", file("nolabel.csv", "id,text\n1,hello\n")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /missing column "label"/);
  });
  it("train, classify and eval answer --help", () => {
    for (const cmd of ["train", "classify", "eval"]) {
      const r = rasd([cmd, "--help"]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Usage: rasd ${cmd}`));
    }
  });
});
