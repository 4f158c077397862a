/**
 * The CLI as a user runs it: ./bin/rasd from the repository root (after the build).
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import type { Command } from "commander";
import { DIHEDRAL_NAMES } from "../../src/kernels/pdq/dihedral.js";
import { pdqFromPixels } from "../../src/kernels/pdq/pdq.js";
import { buildProgram } from "../../src/cli/program.js";
import { structuredRgb } from "../support/pdq-oracle.js";
import { pngDeclaring } from "../support/images.js";
import { REPO_ROOT } from "../support/shared.js";

const BIN = join(REPO_ROOT, "bin/rasd");

function rasd(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, { cwd: REPO_ROOT, input, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "rasd-cli-"));
const expected = new Map<string, string>();
before(async () => {
  mkdirSync(join(dir, "imgs/sub"), { recursive: true });
  for (const [name, seed] of [
    ["b.png", 1],
    ["a.png", 2],
    ["sub/c.png", 3],
  ] as const) {
    const rgb = structuredRgb(96, 64, seed);
    await sharp(rgb, { raw: { width: 96, height: 64, channels: 3 } })
      .png()
      .toFile(join(dir, "imgs", name));
    expected.set(name, pdqFromPixels({ width: 96, height: 64, channels: 3, data: rgb }).hash);
  }
  writeFileSync(join(dir, "imgs/notes.txt"), "not an image, and not picked up from a directory\n");
  writeFileSync(join(dir, "empty.jpg"), "");
  writeFileSync(join(dir, "text.png"), "hello");
  writeFileSync(join(dir, "bomb.png"), pngDeclaring(50_000, 50_000));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("rasd CLI", () => {
  it("every command answers --help with its usage", async () => {
    const paths: string[][] = [];
    const walk = (cmd: Command, path: string[]): void => {
      paths.push(path);
      for (const sub of cmd.commands) walk(sub, [...path, sub.name()]);
    };
    walk(await buildProgram(), []);
    assert.ok(paths.some((p) => p.join(" ") === "hash pdq"));
    for (const path of paths) {
      const r = rasd([...path, "--help"]);
      assert.equal(r.status, 0, `${path.join(" ")} --help: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: rasd/m, path.join(" "));
    }
  });

  it("hash pdq prints hash,quality,path for each file, directories expanded in sorted order", () => {
    const r = rasd(["hash", "pdq", join(dir, "imgs")]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.deepEqual(
      lines,
      ["a.png", "b.png", "sub/c.png"].map((name) => `${expected.get(name)},100,${join(dir, "imgs", name)}`),
    );
  });

  it("--json prints one object per line", () => {
    const path = join(dir, "imgs/a.png");
    const r = rasd(["hash", "pdq", "--json", "--flavour", "512", path]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      path,
      hash: expected.get("a.png"),
      quality: 100,
      flavour: "512",
      width: 96,
      height: 64,
      format: "png",
    });
  });

  it("--dihedral prints the 8 hashes in the reference's order", () => {
    const path = join(dir, "imgs/a.png");
    const fields = rasd(["hash", "pdq", "--dihedral", path]).stdout.trim().split(",");
    assert.equal(fields.length, 10);
    assert.equal(fields[0], expected.get("a.png"));
    assert.equal(fields[8], "100");
    assert.equal(fields[9], path);
    const json = JSON.parse(rasd(["hash", "pdq", "--dihedral", "--json", path]).stdout) as {
      dihedral: Record<string, string>;
    };
    assert.deepEqual(Object.keys(json.dihedral), [...DIHEDRAL_NAMES]);
    assert.deepEqual(Object.values(json.dihedral), fields.slice(0, 8));
  });

  it("bad files get one line each on stderr, the others are still hashed, exit status 1", () => {
    const r = rasd([
      "hash",
      "pdq",
      join(dir, "empty.jpg"),
      join(dir, "imgs/a.png"),
      join(dir, "text.png"),
      join(dir, "missing.png"),
      join(dir, "bomb.png"),
      join(dir, "imgs/b.png"),
    ]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout.trim().split("\n").length, 2);
    assert.deepEqual(r.stderr.trim().split("\n"), [
      `rasd: ${join(dir, "empty.jpg")}: empty file (0 bytes)`,
      `rasd: ${join(dir, "text.png")}: not an image, or an unsupported format`,
      `rasd: ${join(dir, "missing.png")}: no such file`,
      `rasd: ${join(dir, "bomb.png")}: image declares 50000x50000 (2.50 gigapixels), over the 100.0 megapixels limit (raise it with --max-pixels)`,
    ]);
  });

  it("--max-decoded-bytes bounds the decoded size; the error says how to raise it", () => {
    const r = rasd(["hash", "pdq", "--max-decoded-bytes", "1000", join(dir, "imgs/a.png")]);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr.trim(),
      /: image declares \d+x\d+ with \d channels? of 8 bits \([\d.]+ KiB decoded\), over the 1000 bytes decoding budget \(raise it with --max-decoded-bytes\)$/,
    );
    assert.equal(rasd(["hash", "pdq", join(dir, "imgs/a.png")]).status, 0);
  });

  it("--stdin reads paths, one per line", () => {
    const r = rasd(["hash", "pdq", "--stdin"], `${join(dir, "imgs/b.png")}\n\n${join(dir, "imgs/a.png")}\n`);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => l.split(",")[0]),
      [expected.get("b.png"), expected.get("a.png")],
    );
  });

  it("hash distance gives the Hamming distance", () => {
    const r = rasd(["hash", "distance", "f".repeat(64), "f".repeat(60) + "0000"]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, "16\n");
    const bad = rasd(["hash", "distance", "xyz", "0".repeat(64)]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /not a 256-bit hex hash/);
  });

  it("usage errors exit with status 2", () => {
    assert.equal(rasd(["hash", "pdq"]).status, 2);
    assert.equal(rasd(["hash", "pdq", "--flavour", "1024", "x.png"]).status, 2);
    assert.equal(rasd(["no-such-command"]).status, 2);
  });
});
