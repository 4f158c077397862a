/**
 * `rasd hash vpdq` over several videos in one process, as a user runs it (./bin/rasd, built).
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { makeFaststartMp4, needsFfmpeg } from "../support/ffmpeg.js";
import { REPO_ROOT } from "../support/shared.js";

const BIN = join(REPO_ROOT, "bin/rasd");
const dir = mkdtempSync(join(tmpdir(), "rasd-vpdq-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function rasd(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, { cwd: REPO_ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("rasd hash vpdq", { skip: needsFfmpeg }, () => {
  it("hashes many videos and a directory in one process, each line ending with its path", () => {
    mkdirSync(join(dir, "videos/sub"), { recursive: true });
    const a = makeFaststartMp4(join(dir, "videos/a.mp4"));
    const b = join(dir, "videos/sub/b.mp4");
    copyFileSync(a, b);
    writeFileSync(join(dir, "videos/notes.txt"), "not a video, and not picked up from a directory\n");

    const one = rasd(["hash", "vpdq", "--seconds-per-hash", "0", a]);
    assert.equal(one.status, 0, one.stderr);
    const frames = one.stdout.trim().split("\n");
    assert.equal(frames.length, 21, "every frame of the 21-frame video");
    assert.match(frames[0]!, /^0,\d+,[0-9a-f]{64},0\.000$/);

    const folder = rasd(["hash", "vpdq", "--seconds-per-hash", "0", join(dir, "videos")]);
    assert.equal(folder.status, 0, folder.stderr);
    assert.deepEqual(folder.stdout.trim().split("\n"), [
      ...frames.map((line) => `${line},${a}`),
      ...frames.map((line) => `${line},${b}`),
    ]);

    // --no-progress is accepted (no bar is drawn off a terminal anyway) and changes nothing.
    const quiet = rasd(["hash", "vpdq", "--seconds-per-hash", "0", "--no-progress", join(dir, "videos")]);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stdout, folder.stdout);
    assert.equal(quiet.stderr, "");
    assert.match(rasd(["hash", "vpdq", "--help"]).stdout, /--no-progress/);

    // Frames hashed on worker threads agree with the default (this thread).
    const onWorkers = rasd(["hash", "vpdq", "--seconds-per-hash", "0", "-j", "2", a]);
    assert.equal(onWorkers.stdout, one.stdout);
  });

  it("reports a video it cannot hash, hashes the others, and exits 1", () => {
    const a = makeFaststartMp4(join(dir, "ok.mp4"));
    const missing = join(dir, "missing.mp4");
    const r = rasd(["hash", "vpdq", missing, a]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^rasd: ${missing}: no such file`, "m"));
    const lines = r.stdout.trim().split("\n");
    assert.ok(lines.length > 0 && lines.every((line) => line.endsWith(`,${a}`)), r.stdout);
  });
});
