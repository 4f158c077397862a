/**
 * docs/configuration.md cannot drift from the code: every RASD_* variable read anywhere
 * in src/ and every long option of `rasd serve`, `rasd worker` and `rasd migrate` is named there.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildProgram } from "../../src/cli/program.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DOC = readFileSync(join(ROOT, "docs/configuration.md"), "utf8");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

test("every RASD_* environment variable read in src/ is in docs/configuration.md", () => {
  const names = new Set<string>();
  for (const file of sources(join(ROOT, "src")))
    for (const m of readFileSync(file, "utf8").matchAll(/\bRASD_[A-Z0-9_]+\b/g)) names.add(m[0]);
  assert.ok(names.size > 20, `only ${names.size} found: the scan is broken`);
  const missing = [...names].filter((n) => !DOC.includes(n)).sort();
  assert.deepEqual(missing, [], `add these to docs/configuration.md: ${missing.join(", ")}`);
});

test("every option of rasd serve, worker and migrate is in docs/configuration.md", async () => {
  const program = await buildProgram();
  const missing: string[] = [];
  for (const name of ["serve", "worker", "migrate"]) {
    const cmd = program.commands.find((c) => c.name() === name);
    assert.ok(cmd, `no rasd ${name}`);
    for (const o of cmd.options) if (o.long && !DOC.includes(`\`${o.long}`)) missing.push(`${name} ${o.long}`);
  }
  assert.deepEqual(missing, [], `add these to docs/configuration.md: ${missing.join(", ")}`);
});
