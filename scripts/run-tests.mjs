#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner (Node 20's --test takes no globs).
// Builds first, because the CLI tests run ./bin/rasd on the compiled code and the PDQ
// kernel loads dist/wasm/pdq.wasm.
// Usage: npm test [-- FILTER...]   (only test files whose path contains a FILTER)
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const filters = process.argv.slice(2);

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const files = find(join(root, "test"))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}

for (const step of [
  ["npx", ["tsc", "-p", "tsconfig.build.json"]],
  [process.execPath, ["scripts/build-wasm.mjs"]],
]) {
  const build = spawnSync(step[0], step[1], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const reporter = process.env.TEST_REPORTER ?? "spec";
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-reporter=${reporter}`, "--test-concurrency=2", ...files],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
