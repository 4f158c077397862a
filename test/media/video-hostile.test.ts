/**
 * Hostile and broken video input: a clear one-line error, quickly, bounded.
 */

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { RasdError } from "../../src/core/errors.js";
import { readMp4Layout } from "../../src/media/mp4-header.js";
import { DEFAULT_VIDEO_LIMITS } from "../../src/media/video.js";
import { vpdqHashVideoFile } from "../../src/signals/vpdq/hash-video.js";
import { makeFaststartMp4, needsFfmpeg } from "../support/ffmpeg.js";
import { REPO_ROOT } from "../support/shared.js";

const skip = needsFfmpeg;
const dir = mkdtempSync(join(tmpdir(), "rasd-video-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A small test video made with ffmpeg's own test source. */
function makeVideo(name: string, size = "160x120", seconds = 2): string {
  const path = join(dir, name);
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=${size}:rate=25:duration=${seconds}`,
    "-pix_fmt",
    "yuv420p",
    "-c:v",
    "mpeg4",
    path,
  ]);
  return path;
}

/** 21 frames at 1 fps with the index (moov) before the frames, as streaming sites serve MP4. */
function makeFaststart(name: string): string {
  return makeFaststartMp4(join(dir, name));
}

async function rejects(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof RasdError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, message);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
}

describe("video input", { skip }, () => {
  it("a good video: frames every second, timestamps from the frame rate", async () => {
    const r = await vpdqHashVideoFile(makeVideo("ok.mp4"));
    assert.deepEqual(
      r.frames.map((f) => [f.frameNumber, f.timestamp]),
      [
        [0, 0],
        [25, 1],
      ],
    );
    assert.ok(r.frames.every((f) => f.quality > 50));
  });

  it("a zero-length file", async () => {
    writeFileSync(join(dir, "empty.mp4"), "");
    await rejects(vpdqHashVideoFile(join(dir, "empty.mp4")), "image.empty", /empty file/);
  });

  it("a file that is not a video", async () => {
    writeFileSync(join(dir, "notes.mp4"), "this is text, not a video\n".repeat(100));
    await rejects(vpdqHashVideoFile(join(dir, "notes.mp4")), "image.unsupported_format", /not a video/);
  });

  it("a truncated MP4 (its index is at the end) is refused, not half-hashed", async () => {
    const whole = readFileSync(makeVideo("whole.mp4", "320x240", 4));
    writeFileSync(join(dir, "cut.mp4"), whole.subarray(0, Math.floor(whole.length / 2)));
    await rejects(
      vpdqHashVideoFile(join(dir, "cut.mp4")),
      "video.truncated",
      /^truncated video: its index \(moov box\) is missing, .*the file is \d+ bytes, its boxes declare \d+/,
    );
  });

  it("a truncated MP4 with its index first (faststart) says how many of its frames it holds; nothing is hashed", async () => {
    const path = makeFaststart("fs.mp4");
    const whole = await vpdqHashVideoFile(path, { secondsPerHash: 0 });
    assert.equal(whole.frames.length, 21);
    const bytes = readFileSync(path);
    const cut = join(dir, "fs-cut.mp4");
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    const layout = await readMp4Layout(cut);
    assert.ok(layout?.videoSamples);
    const present = layout.videoSamples.present;
    assert.ok(present > 0 && present < 21, String(present));
    assert.deepEqual(await readMp4Layout(path).then((l) => l?.videoSamples), { declared: 21, present: 21 });
    const frames: unknown[] = [];
    await rejects(
      vpdqHashVideoFile(cut, { secondsPerHash: 0 }, (f) => frames.push(f)),
      "video.truncated",
      new RegExp(
        `^truncated video: it holds ${present} of the 21 frames its header declares \\(the file is ${bytes.length >> 1} bytes, its boxes declare ${bytes.length}\\); nothing was hashed`,
      ),
    );
    assert.equal(frames.length, 0, "no frame of a cut file is handed out");
  });

  it("a truncated Matroska file is refused from FFmpeg's own report of the early end", async () => {
    const path = makeVideo("whole.mkv", "160x120", 4);
    const bytes = readFileSync(path);
    writeFileSync(join(dir, "cut.mkv"), bytes.subarray(0, bytes.length >> 1));
    await rejects(
      vpdqHashVideoFile(join(dir, "cut.mkv")),
      "video.truncated",
      /^truncated video: the file ends after frame \d+ \(FFmpeg: File ended prematurely\)/,
    );
  });

  it("frames larger than the limit are refused before decoding", async () => {
    const path = makeVideo("big.mp4", "640x480", 1);
    await rejects(
      vpdqHashVideoFile(path, { limits: { ...DEFAULT_VIDEO_LIMITS, maxFramePixels: 100_000 } }),
      "image.too_many_pixels",
      /640x480 .* over the 100000 pixels limit/,
    );
  });

  it("a video longer than the limit is refused", async () => {
    const path = makeVideo("long.mp4", "64x48", 3);
    await rejects(
      vpdqHashVideoFile(path, { limits: { ...DEFAULT_VIDEO_LIMITS, maxSeconds: 2 } }),
      "file.too_large",
      /over the 2 s limit/,
    );
  });

  it("the CLI prints the reference's line format and exits 1 with one line for a bad file", () => {
    const good = makeVideo("cli.mp4");
    const r = spawnSync(join(REPO_ROOT, "bin/rasd"), ["hash", "vpdq", "--seconds-per-hash", "0", good], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 50);
    assert.match(lines[1]!, /^1,\d+,[0-9a-f]{64},0\.040$/);
    const bad = spawnSync(join(REPO_ROOT, "bin/rasd"), ["hash", "vpdq", join(dir, "notes.mp4")], { encoding: "utf8" });
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr.trim().split("\n").length, 1);
    const bytes = readFileSync(makeFaststart("cli-fs.mp4"));
    writeFileSync(join(dir, "cli-cut.mp4"), bytes.subarray(0, bytes.length >> 1));
    const cut = spawnSync(join(REPO_ROOT, "bin/rasd"), ["hash", "vpdq", join(dir, "cli-cut.mp4")], {
      encoding: "utf8",
    });
    assert.equal(cut.status, 1);
    assert.equal(cut.stdout, "", "no frame line for a cut file");
    assert.match(
      cut.stderr,
      /^rasd: .*cli-cut\.mp4: truncated video: it holds \d+ of the 21 frames its header declares/,
    );
  });
});
