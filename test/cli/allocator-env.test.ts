/**
 * bin/rasd starts node with glibc's allocator settings (decision 0051) and gives the programs
 * it starts the caller's environment back; the periodic collection of `rasd hash pdq`.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { decodedMemoryReleaser } from "../../src/cli/release-memory.js";
import { REPO_ROOT } from "../support/shared.js";

const BIN = join(REPO_ROOT, "bin/rasd");
const dir = mkdtempSync(join(tmpdir(), "rasd-allocator-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs bin/rasd --version with a preload that reports, at exit, what children would inherit. */
function inherited(callerTunables: string | undefined): { status: number | null; env: Record<string, string> } {
  const preload = join(dir, "report-env.mjs");
  const out = join(dir, `env-${callerTunables ?? "unset"}.json`);
  const report = `{ GLIBC_TUNABLES: process.env.GLIBC_TUNABLES, RASD_CALLER_GLIBC_TUNABLES: process.env.RASD_CALLER_GLIBC_TUNABLES }`;
  writeFileSync(
    preload,
    `import { writeFileSync } from "node:fs";\n` +
      `process.on("exit", () => writeFileSync(${JSON.stringify(out)}, JSON.stringify(${report})));\n`,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--import=${preload}` };
  delete env.GLIBC_TUNABLES;
  if (callerTunables !== undefined) env.GLIBC_TUNABLES = callerTunables;
  const r = spawnSync(BIN, ["--version"], { cwd: REPO_ROOT, env, encoding: "utf8" });
  return { status: r.status, env: JSON.parse(readFileSync(out, "utf8")) as Record<string, string> };
}

describe("bin/rasd and glibc's allocator", () => {
  it("its first line sets the mmap threshold and huge pages, the caller's own settings last", () => {
    const first = readFileSync(BIN, "utf8").split("\n")[0]!;
    assert.match(first, /^#!\/usr\/bin\/env -S /);
    assert.match(
      first,
      / GLIBC_TUNABLES=glibc\.malloc\.mmap_threshold=131072:glibc\.malloc\.hugetlb=1:\$\{GLIBC_TUNABLES\} node$/,
    );
    assert.ok(first.length < 256, "Linux reads at most 255 bytes of a #! line");
  });

  it("gives the programs it starts the caller's GLIBC_TUNABLES, or none", () => {
    const unset = inherited(undefined);
    assert.equal(unset.status, 0);
    assert.deepEqual(unset.env, {});
    const own = inherited("glibc.malloc.arena_max=2");
    assert.equal(own.status, 0);
    assert.deepEqual(own.env, { GLIBC_TUNABLES: "glibc.malloc.arena_max=2" });
  });
});

describe("decodedMemoryReleaser", () => {
  it("collects once per `every` bytes decoded", () => {
    let collections = 0;
    const released = decodedMemoryReleaser(100, () => collections++);
    for (const bytes of [40, 40, 40, 99, 1, 250]) released(bytes);
    assert.equal(collections, 3);
  });

  it("does nothing without a collector", () => {
    const released = decodedMemoryReleaser(1, null);
    released(1_000_000);
  });

  it("finds V8's collector by default", () => {
    let threw = false;
    try {
      decodedMemoryReleaser(1)(2);
    } catch {
      threw = true;
    }
    assert.equal(threw, false);
  });
});
