#!/usr/bin/env node
// npm run bench -- NAME [ARGS...]: runs bench/NAME.ts after a build. Prints JSON lines.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(new URL("../bench", import.meta.url))
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .map((f) => f.slice(0, -3));
if (!name || !existsSync(new URL(`../bench/${name}.ts`, import.meta.url))) {
  console.error(`usage: npm run bench -- NAME\navailable: ${available.join(", ")}`);
  process.exit(2);
}
const build = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);
// For the index: glibc.malloc.hugetlb=1 makes glibc ask for transparent huge pages on large
// allocations (the index's typed arrays), which cuts TLB misses in random lookups. Not for
// the others: image decoding allocates and frees large buffers all the time. And (both as the
// Dockerfile runs `rasd serve`) a fixed mmap threshold: every array above 128 KiB gets its
// own mapping, returned to the system when freed. With glibc's default (a threshold that
// rises to the largest block freed), a merge's freed arrays stay in the heap as holes and
// RSS grew by about 90 bytes a hash with each full merge at 1M.
const env =
  name === "index"
    ? { GLIBC_TUNABLES: "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=131072", ...process.env }
    : process.env;
const run = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", `bench/${name}.ts`, ...args], {
  cwd: root,
  stdio: "inherit",
  env,
});
process.exit(run.status ?? 1);
