/**
 * How videos are decoded for vPDQ: the MP4 header read without FFmpeg, decoding that starts
 * while ffprobe runs (and restarts when the header was wrong), display rotation ignored as
 * the reference does, and limits still checked before any frame is read.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { RasdError } from "../../src/core/errors.js";
import { readMp4VideoHint } from "../../src/media/mp4-header.js";
import { DEFAULT_VIDEO_LIMITS, decodeFrames, probeVideo } from "../../src/media/video.js";
import { vpdqHashVideoFile, type VpdqFrame } from "../../src/signals/vpdq/hash-video.js";
import { needsFfmpeg } from "../support/ffmpeg.js";

const skip = needsFfmpeg;
const dir = mkdtempSync(join(tmpdir(), "rasd-decode-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function ffmpeg(...args: string[]): void {
  execFileSync("ffmpeg", ["-v", "error", "-y", ...args]);
}

/** A moving test pattern: frames differ, so hashes tell frames apart. */
function makeVideo(name: string, size: string, rate: number, seconds: number, codec = "mpeg4"): string {
  const path = join(dir, name);
  ffmpeg(
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`,
    "-pix_fmt",
    "yuv420p",
    "-c:v",
    codec,
    path,
  );
  return path;
}

/** A copy whose visual sample entry claims another frame size (the stream is unchanged). */
function withHeaderSize(path: string, name: string, width: number, height: number): string {
  const data = readFileSync(path);
  const at = data.indexOf("mp4v");
  assert.ok(at > 0, "mp4v sample entry");
  data.writeUInt16BE(width, at + 28);
  data.writeUInt16BE(height, at + 30);
  const out = join(dir, name);
  writeFileSync(out, data);
  return out;
}

const lines = (frames: VpdqFrame[]): string[] => frames.map((f) => `${f.frameNumber},${f.quality},${f.hash}`);

describe("video decoding for vPDQ", { skip }, () => {
  it("reads frame size, rate and duration from an MP4 header as ffprobe reports them", async () => {
    for (const [size, rate] of [
      ["320x240", 25],
      ["176x144", 30],
      ["240x320", 15],
    ] as const) {
      const path = makeVideo(`h-${size}-${rate}.mp4`, size, rate, 2);
      const hint = await readMp4VideoHint(path);
      const probe = await probeVideo(path);
      assert.ok(hint);
      assert.deepEqual([hint.width, hint.height, hint.frameRate], [probe.width, probe.height, probe.frameRate]);
      assert.ok(Math.abs(hint.durationSeconds - probe.durationSeconds) < 0.1);
    }
  });

  it("gives no header hint for other containers and non-video files", async () => {
    const mkv = join(dir, "clip.mkv");
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=1", "-c:v", "mpeg4", mkv);
    assert.equal(await readMp4VideoHint(mkv), null);
    writeFileSync(join(dir, "text.mp4"), "not a video at all\n".repeat(50));
    assert.equal(await readMp4VideoHint(join(dir, "text.mp4")), null);
    assert.equal(await readMp4VideoHint(join(dir, "missing.mp4")), null);
    // A box that claims to be longer than the file.
    const bogus = Buffer.alloc(64);
    bogus.writeUInt32BE(0xffffff, 0);
    bogus.write("moov", 4, "latin1");
    writeFileSync(join(dir, "bogus.mp4"), bogus);
    assert.equal(await readMp4VideoHint(join(dir, "bogus.mp4")), null);
  });

  it("an MKV (no header hint) and the same stream in MP4 hash alike", async () => {
    const mp4 = makeVideo("same.mp4", "160x120", 25, 3);
    const mkv = join(dir, "same.mkv");
    ffmpeg("-i", mp4, "-c", "copy", mkv);
    const a = await vpdqHashVideoFile(mp4, { secondsPerHash: 0 });
    const b = await vpdqHashVideoFile(mkv, { secondsPerHash: 0 });
    assert.equal(a.frames.length, 75);
    assert.deepEqual(lines(b.frames), lines(a.frames));
  });

  it("a header that misstates the frame size: the probe decides, and the hashes are the honest file's", async () => {
    const honest = makeVideo("honest.mp4", "320x240", 25, 3);
    const lying = withHeaderSize(honest, "lying.mp4", 64, 64);
    assert.equal((await readMp4VideoHint(lying))?.width, 64);
    assert.equal((await probeVideo(lying)).width, 320);
    for (const secondsPerHash of [0, 1]) {
      const a = await vpdqHashVideoFile(honest, { secondsPerHash });
      const b = await vpdqHashVideoFile(lying, { secondsPerHash });
      assert.ok(a.frames.length > 0);
      assert.deepEqual(lines(b.frames), lines(a.frames), `seconds per hash ${secondsPerHash}`);
    }
  });

  it("a header that understates the frame size still meets the pixel limit", async () => {
    const big = withHeaderSize(makeVideo("big.mp4", "640x480", 25, 1), "big-lying.mp4", 16, 16);
    await assert.rejects(
      vpdqHashVideoFile(big, { limits: { ...DEFAULT_VIDEO_LIMITS, maxFramePixels: 100_000 } }),
      (e: unknown) => e instanceof RasdError && e.code === "image.too_many_pixels" && /640x480/.test(e.message),
    );
  });

  it("frames are kept when FFmpeg finishes before anyone reads them (a short video, a slow probe)", async () => {
    const path = makeVideo("short.mp4", "64x48", 10, 2);
    // Four frames, 37 KB: FFmpeg writes them all into the pipe and exits at once.
    const decode = decodeFrames(path, { every: 5, width: 64, height: 48 });
    // Wait until FFmpeg has exited, and a little longer (Node flushes unread stdio on exit).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const numbers: number[] = [];
    for await (const f of decode.frames) {
      numbers.push(f.frameNumber);
      assert.equal(f.data.length, 64 * 48 * 3);
    }
    assert.deepEqual(numbers, [0, 5, 10, 15]);
  });

  it("a decode stopped before it is read ends without frames or a stray process", async () => {
    const path = makeVideo("stopped.mp4", "128x96", 10, 2);
    const decode = decodeFrames(path, { every: 1, width: 128, height: 96 });
    decode.stop();
    decode.stop();
    await assert.rejects(
      (async () => {
        for await (const frame of decode.frames) assert.fail(`no frame expected, got ${frame.frameNumber}`);
      })(),
      RasdError,
    );
  });

  it("display rotation is ignored, as the reference hashes frames as decoded", async () => {
    const plain = makeVideo("plain.mp4", "320x240", 25, 2);
    const rotated = join(dir, "rotated.mp4");
    ffmpeg("-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated);
    const a = await vpdqHashVideoFile(plain, { secondsPerHash: 0 });
    const b = await vpdqHashVideoFile(rotated, { secondsPerHash: 0 });
    assert.deepEqual(lines(b.frames), lines(a.frames));
  });

  it("one hash a second takes exactly the every-frame hashes at multiples of the frame step", async () => {
    const path = makeVideo("step.mp4", "200x150", 24, 4);
    const every = await vpdqHashVideoFile(path, { secondsPerHash: 0 });
    const sampled = await vpdqHashVideoFile(path, { secondsPerHash: 1 });
    assert.deepEqual(lines(sampled.frames), lines(every.frames.filter((f) => f.frameNumber % 24 === 0)));
    const half = await vpdqHashVideoFile(path, { secondsPerHash: 0.5 });
    assert.deepEqual(
      half.frames.map((f) => f.frameNumber),
      [0, 12, 24, 36, 48, 60, 72, 84],
    );
  });
});
