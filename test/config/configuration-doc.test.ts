/**
 * docs/configuration.md's tables are generated from the one settings table
 * (src/config/settings.ts): the committed page must be exactly what `npm run docs:config`
 * writes, and the generator must keep the hand-written prose around the tables.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { CONFIG_DOC, generateConfigDoc } from "../../scripts/gen-config-doc.js";
import { SETTINGS, SETTINGS_SECTIONS } from "../../src/config/settings.js";

test("docs/configuration.md is what `npm run docs:config` generates from src/config/settings.ts", async () => {
  const committed = readFileSync(CONFIG_DOC, "utf8");
  const generated = await generateConfigDoc(committed);
  if (generated !== committed) {
    const a = committed.split("\n");
    const b = generated.split("\n");
    let line = 0;
    while (line < a.length && a[line] === b[line]) line++;
    assert.fail(
      `docs/configuration.md differs from src/config/settings.ts (first at line ${line + 1}: ` +
        `committed ${JSON.stringify(a[line] ?? "")}, generated ${JSON.stringify(b[line] ?? "")}): run \`npm run docs:config\``,
    );
  }
});

test("the generator rewrites a changed table, keeps the prose, and names a missing marker", async () => {
  const committed = readFileSync(CONFIG_DOC, "utf8");
  const tampered = committed
    .replace("| `RASD_DATA`", "| `RASD_DATA_TYPO`")
    .replace("# Configuration\n", "# Configuration\n\nProse of my own.\n");
  assert.notEqual(tampered, committed);
  const fixed = await generateConfigDoc(tampered);
  assert.ok(!fixed.includes("RASD_DATA_TYPO"), "the table is regenerated");
  assert.ok(fixed.includes("Prose of my own."), "the prose is kept");
  const noMarker = committed.replace(/<!-- \/settings:media -->/, "");
  await assert.rejects(generateConfigDoc(noMarker), /lacks the markers of the "media" table/);
});

test("every section has settings and every setting is in a table of the page", () => {
  const doc = readFileSync(CONFIG_DOC, "utf8");
  for (const section of SETTINGS_SECTIONS)
    assert.ok(
      SETTINGS.some((s) => s.section === section),
      section,
    );
  for (const s of SETTINGS) if (s.env) assert.ok(doc.includes(s.env.replace(/\|/g, "\\|")), s.env);
});
