/**
 * Videos in banks: vPDQ signals whose frames live in the PDQ index under the video's id,
 * matched with python-threatexchange's rule; video MD5s; retraction.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Bank } from "../../src/core/model.js";
import { BankService } from "../../src/services/banks.js";
import { Matcher } from "../../src/services/matcher.js";
import { vpdqHashVideoFile, type VpdqFrame } from "../../src/signals/vpdq/hash-video.js";
import { KyselyStore } from "../../src/storage/kysely-store.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { needsFfmpeg } from "../support/ffmpeg.js";
import { THREATEXCHANGE, needsShared } from "../support/shared.js";

const skip = needsShared || needsFfmpeg;
const VIDEOS = join(THREATEXCHANGE, "tmk/sample-videos");
const compact = (frames: readonly VpdqFrame[]): string =>
  JSON.stringify(frames.map((f) => `${f.hash},${f.quality},${f.timestamp.toFixed(3)}`));

describe("videos in banks", { skip }, () => {
  let database: TestDatabase;
  let store: KyselyStore;
  let matcher: Matcher;
  let service: BankService;
  let bank: Bank;
  let chair19: VpdqFrame[];

  before(async () => {
    if (skip) return;
    database = sqliteDatabase();
    store = await KyselyStore.open(database.url);
    matcher = new Matcher(store, { pollMs: 0 });
    await matcher.load();
    service = new BankService(store, matcher);
    const org = await service.createOrg("Video Unit", "government");
    bank = await service.createBank({ orgId: org.id, name: "videos" });
    chair19 = (await vpdqHashVideoFile(join(VIDEOS, "chair-19-sd-bar.mp4"), { secondsPerHash: 0 })).frames;
    const report = await service.addSignals(bank.id, [
      { line: 1, raw: { type: "vpdq", value: compact(chair19), entity: "isis" } },
      { line: 2, raw: { type: "video_md5", value: "0A21C8F85A55A9E276FFC2C53F6887C4" } },
    ]);
    assert.equal(report.created, 2);
  });
  after(async () => {
    if (skip) return;
    await store.close();
    await database.drop();
  });

  it("a re-encoded copy, hashed at one frame a second, matches the video stored at every frame", async () => {
    const query = (await vpdqHashVideoFile(join(VIDEOS, "chair-20-sd-bar.mp4"))).frames;
    const result = matcher.matchVpdq(query);
    const video = result.matches.find((m) => m.type === "vpdq");
    assert.ok(video, JSON.stringify(result));
    assert.ok(video.queryMatchPercent! >= 80);
    assert.ok(video.comparedMatchPercent! > 0);
  });

  it("an unrelated video does not match", async () => {
    const query = (await vpdqHashVideoFile(join(VIDEOS, "pattern-sd-grey-bar.mp4"))).frames;
    assert.deepEqual(matcher.matchVpdq(query).matches, []);
  });

  it("a still image of one frame matches the video as a PDQ query", () => {
    const frame = chair19[100]!;
    const result = matcher.matchPdq([{ hash: frame.hash, quality: frame.quality }]);
    assert.deepEqual(
      result.matches.map((m) => [m.type, m.distance]),
      [["vpdq", 0]],
    );
  });

  it("video MD5s match exactly", () => {
    assert.equal(matcher.matchExact("video_md5", "0a21c8f85a55a9e276ffc2c53f6887c4").matches.length, 1);
  });

  it("a retracted video stops matching, its frames leave the index", async () => {
    const [signal] = await store.findSignals("vpdq", compact(chair19));
    await service.retract(signal!.id);
    const query = (await vpdqHashVideoFile(join(VIDEOS, "chair-19-sd-bar.mp4"))).frames;
    assert.deepEqual(matcher.matchVpdq(query).matches, []);
    assert.equal(matcher.sizes.vpdq, 0);
  });

  it("bad vPDQ values are refused with a reason", async () => {
    const report = await service.addSignals(bank.id, [
      { line: 7, raw: { type: "vpdq", value: "[]" } },
      { line: 8, raw: { type: "vpdq", value: '["zz,100,0.000"]' } },
      { line: 9, raw: { type: "vpdq", value: `0,101,${"a".repeat(64)},0.000` } },
    ]);
    assert.deepEqual(
      report.rejected.map((r) => [r.line, r.message]),
      [
        [7, "vPDQ: no frames"],
        [8, "vPDQ frame 1: not a PDQ hash"],
        [9, "vPDQ frame 1: quality must be 0..100"],
      ],
    );
  });
});
