/**
 * `rasd train` on a small subset of the shared corpora: it prints the figures, and training
 * twice gives byte-identical model files. Skips visibly without ../shared.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { hasStanceCorpora } from "../../src/signals/stance/corpus.js";
import { loadStanceModel } from "../../src/signals/stance/model.js";
import { REPO_ROOT, SHARED } from "../support/shared.js";

const BIN = join(REPO_ROOT, "bin/rasd");
const skip: string | false = hasStanceCorpora(SHARED)
  ? false
  : `SKIPPED: needs ${SHARED}/testdata/text (the shared test data)`;
const dir = mkdtempSync(join(tmpdir(), "rasd-train-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("rasd train", { skip }, () => {
  it("is deterministic: two runs write byte-identical files", () => {
    const run = (out: string) =>
      spawnSync(BIN, ["train", "--shared", SHARED, "--out", out, "--folds", "3", "--limit", "300"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
      });
    const a = run(join(dir, "a.bin"));
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, /alfifi pro vs not .*accuracy \d+\.\d\d%/);
    assert.match(a.stdout, /cross-validated, all: n=\d+ accuracy/);
    const b = run(join(dir, "b.bin"));
    assert.equal(b.status, 0, b.stderr);
    assert.ok(readFileSync(join(dir, "a.bin")).equals(readFileSync(join(dir, "b.bin"))));
    assert.equal(readFileSync(join(dir, "a.json"), "utf8"), readFileSync(join(dir, "b.json"), "utf8"));
    const model = loadStanceModel(join(dir, "a.bin"));
    assert.equal(model.validation.folds, 3);
    assert.equal(typeof model.classify("داعش").label, "string");
  });
  it("feeds --with-labels rows (text,stance,language) into training, and refuses a bad labels file", () => {
    const labels = join(dir, "labels.csv");
    writeFileSync(
      labels,
      "text,stance,language\n" +
        '"ISIS thugs destroyed ancient Palmyra",anti,en\n' +
        '"Written for this test: the caliphate lied to its recruits",anti,en\n' +
        '"no idea what this means",cant_tell,en\n',
    );
    const out = join(dir, "labels.bin");
    const r = spawnSync(
      BIN,
      ["train", "--shared", SHARED, "--out", out, "--folds", "3", "--limit", "300", "--with-labels", labels],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
    const header = JSON.parse(readFileSync(join(dir, "labels.json"), "utf8")) as {
      training: { items: Record<string, Record<string, number>> };
    };
    assert.deepEqual(header.training.items.labels, { anti: 2 });
    writeFileSync(labels, "text,stance,language\nhello,maybe,en\n");
    const bad = spawnSync(BIN, ["train", "--shared", SHARED, "--out", out, "--with-labels", labels], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /line 2: bad stance "maybe"/);
  });
  it("refuses a folder without the corpora", () => {
    const r = spawnSync(BIN, ["train", "--shared", dir, "--out", join(dir, "x.bin")], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--shared: .* has no testdata/);
  });
});
