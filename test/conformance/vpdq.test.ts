/**
 * vPDQ against Meta's reference on the ThreatExchange sample videos, at native size and at
 * 128x128: the reference's own criterion on its published hashes (every line with quality
 * ≥ 50 within distance 31 of ours), and — with the same FFmpeg (5.1, Debian 12) as the
 * reference build in `_generated/vpdq-ffmpeg5.1` — identical lines. Plus the video-to-video
 * match decisions of python-threatexchange on the published hashes.
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hammingDistanceHex } from "../../src/kernels/pdq/hash256.js";
import { compareVpdq, parseVpdqLines } from "../../src/kernels/vpdq/match.js";
import { formatVpdqLine, vpdqHashVideoFile } from "../../src/signals/vpdq/hash-video.js";
import { FFMPEG_VERSION, needsFfmpeg } from "../support/ffmpeg.js";
import { THREATEXCHANGE, needsShared, readCsv } from "../support/shared.js";

const VIDEOS = join(THREATEXCHANGE, "tmk/sample-videos");
const SAMPLE_HASHES = join(THREATEXCHANGE, "vpdq/sample-hashes");
const FF51 = join(THREATEXCHANGE, "_generated/vpdq-ffmpeg5.1");

const skipVideo = needsShared || needsFfmpeg;
const sameFfmpeg = FFMPEG_VERSION?.startsWith("5.1") === true;

describe("vPDQ conformance on the sample videos", { skip: skipVideo }, () => {
  const videos = skipVideo
    ? []
    : readdirSync(VIDEOS)
        .filter((f) => f.endsWith(".mp4"))
        .map((f) => f.slice(0, -4))
        .sort();
  it("has the 14 sample videos", () => assert.equal(videos.length, 14));
  for (const name of videos) {
    for (const size of [0, 128]) {
      const suffix = size ? "-128x128" : "";
      it(`${name}${suffix}`, async (t) => {
        const got = (await vpdqHashVideoFile(join(VIDEOS, `${name}.mp4`), { secondsPerHash: 0, downsample: size }))
          .frames;
        const published = join(SAMPLE_HASHES, `${name}${suffix}.txt`);
        // The repository publishes no 128x128 hashes for test-padded-dimensions; the
        // reference's own output (below) still covers it.
        const expected = existsSync(published) ? parseVpdqLines(readFileSync(published, "utf8")) : [];
        if (expected.length > 0) assert.equal(got.length, expected.length, "frame count");
        let checked = 0;
        for (const [i, e] of expected.entries()) {
          const g = got[i]!;
          assert.equal(g.frameNumber, e.frameNumber);
          assert.equal(g.timestamp.toFixed(3), e.timestamp.toFixed(3));
          if (e.quality < 50) continue;
          checked++;
          const d = hammingDistanceHex(g.hash, e.hash);
          assert.ok(d <= 31, `frame ${e.frameNumber}: distance ${d} from the published hash`);
        }
        const reference = join(FF51, size ? "s128" : "full", `${name}${suffix}.txt`);
        if (sameFfmpeg && existsSync(reference)) {
          const lines = readFileSync(reference, "utf8").trim().split("\n");
          assert.deepEqual(got.map(formatVpdqLine), lines, "identical to the reference built with the same FFmpeg");
        }
        t.diagnostic(
          `${checked} frames with quality ≥ 50 within 31 of the published hashes${sameFfmpeg ? "; all lines identical to the reference on FFmpeg 5.1" : ""}`,
        );
      });
    }
  }

  it("one hash a second (python-threatexchange's default) equals the reference's -r 1 output", async () => {
    const got = await vpdqHashVideoFile(join(VIDEOS, "chair-20-sd-bar.mp4"));
    const expected = parseVpdqLines(readFileSync(join(FF51, "chair-20-sd-bar.r1.txt"), "utf8"));
    assert.deepEqual(
      got.frames.map((f) => f.frameNumber),
      expected.map((e) => e.frameNumber),
    );
    for (const [i, e] of expected.entries())
      assert.ok(hammingDistanceHex(got.frames[i]!.hash, e.hash) <= (sameFfmpeg ? 0 : 31));
  });
});

describe("vPDQ video-to-video matching: python-threatexchange's decisions", { skip: needsShared }, () => {
  const rows = needsShared
    ? []
    : readCsv(join(THREATEXCHANGE, "_generated/vpdq-match/sample-hashes_pairwise_match.csv"));
  it("reproduces all 256 pairs of the published hashes", () => {
    assert.equal(rows.length, 256);
    const load = (f: string): ReturnType<typeof parseVpdqLines> =>
      parseVpdqLines(readFileSync(join(SAMPLE_HASHES, f), "utf8"));
    const cache = new Map<string, ReturnType<typeof parseVpdqLines>>();
    const frames = (f: string): ReturnType<typeof parseVpdqLines> => cache.get(f) ?? cache.set(f, load(f)).get(f)!;
    let matches = 0;
    for (const row of rows) {
      const got = compareVpdq(frames(row.query_file!), frames(row.target_file!));
      assert.equal(
        got.queryMatchPercent.toFixed(2),
        Number(row.pytx_query_match_pct).toFixed(2),
        `${row.query_file} vs ${row.target_file}`,
      );
      assert.equal(got.comparedMatchPercent.toFixed(2), Number(row.pytx_compared_match_pct).toFixed(2));
      assert.equal(String(got.isMatch ? "True" : "False"), row["pytx_is_match(q>=80,c>=0)"]);
      if (got.isMatch) matches++;
    }
    assert.ok(matches > 16 && matches < 256);
  });
});
