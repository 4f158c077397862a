/**
 * The settings table cannot drift from the code: every RASD_* variable read anywhere in src/
 * and every long option of `rasd serve`, `rasd worker` and `rasd migrate` is named in
 * src/config/settings.ts, and so (configuration-doc.test.ts) in docs/configuration.md.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildProgram } from "../../src/cli/program.js";
import { SETTINGS } from "../../src/config/settings.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DOC = readFileSync(join(ROOT, "docs/configuration.md"), "utf8");
const ENVS = SETTINGS.map((s) => s.env).join("\n");
const OPTIONS = SETTINGS.map((s) => s.option).join("\n");
const HOW = "add a row to src/config/settings.ts, then run `npm run docs:config`";

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

test("every RASD_* environment variable read in src/ is in the settings table and docs/configuration.md", () => {
  const names = new Set<string>();
  for (const file of sources(join(ROOT, "src")))
    for (const m of readFileSync(file, "utf8").matchAll(/\bRASD_[A-Z0-9_]+\b/g)) names.add(m[0]);
  assert.ok(names.size > 20, `only ${names.size} found: the scan is broken`);
  const missing = [...names].filter((n) => !ENVS.includes(n)).sort();
  assert.deepEqual(missing, [], `not in the settings table: ${missing.join(", ")}; ${HOW}`);
  const undocumented = [...names].filter((n) => !DOC.includes(n)).sort();
  assert.deepEqual(
    undocumented,
    [],
    `not in docs/configuration.md: ${undocumented.join(", ")}; run \`npm run docs:config\``,
  );
});

test("every option of rasd serve, worker and migrate is in the settings table", async () => {
  const program = await buildProgram();
  const missing: string[] = [];
  for (const name of ["serve", "worker", "migrate"]) {
    const cmd = program.commands.find((c) => c.name() === name);
    assert.ok(cmd, `no rasd ${name}`);
    for (const o of cmd.options) if (o.long && !OPTIONS.includes(`\`${o.long}`)) missing.push(`${name} ${o.long}`);
  }
  assert.deepEqual(missing, [], `not in the settings table: ${missing.join(", ")}; ${HOW}`);
});
