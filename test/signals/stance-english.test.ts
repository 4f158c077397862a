/**
 * English stance on the hand-checked set (training/stance/english-check.csv, never trained on;
 * how it was made: training/stance/README.md): anti recall at least 70%, news about ISIS neutral.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import { loadStanceModel } from "../../src/signals/stance/model.js";
import { REPO_ROOT } from "../support/shared.js";

describe("the shipped model on the hand-checked English set", () => {
  const model = loadStanceModel();
  const rows = parse(readFileSync(join(REPO_ROOT, "training/stance/english-check.csv")), { columns: true }) as {
    id: string;
    label: string;
    text: string;
  }[];

  it("holds 100+ hand-labelled sentences of all three labels", () => {
    assert.ok(rows.length >= 100, `${rows.length} rows`);
    for (const label of ["pro", "anti", "neutral"]) assert.ok(rows.some((r) => r.label === label));
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length);
  });

  it("finds at least 70% of the anti sentences", () => {
    const anti = rows.filter((r) => r.label === "anti");
    const found = anti.filter((r) => model.classify(r.text).label === "anti").length;
    assert.ok(found / anti.length >= 0.7, `anti recall ${found}/${anti.length}`);
  });

  it("reads news about ISIS as neutral, and never the issue's examples as pro", () => {
    for (const text of [
      "Iraqi forces retake Mosul from the Islamic State",
      "Mosul retaken from the Islamic State",
      "ISIS thugs destroyed ancient Palmyra",
    ]) {
      assert.notEqual(model.classify(text).label, "pro", text);
    }
    assert.equal(model.classify("Iraqi forces retake Mosul from the Islamic State").label, "neutral");
    const news = rows.filter((r) => r.label === "neutral");
    const right = news.filter((r) => model.classify(r.text).label === "neutral").length;
    assert.ok(right / news.length >= 0.75, `neutral recall ${right}/${news.length}`);
  });
});
