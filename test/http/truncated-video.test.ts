/**
 * A cut video over HTTP (issue 15, item 9): a truncated MP4 used to hash 9 of its 21 frames and
 * be reported done. Now the content item ends `failed` with the truncation in its error and no
 * hash, and HMA's `POST /h/hash` answers 400 saying how many frames the file holds.
 */

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeFaststartMp4, needsFfmpeg } from "../support/ffmpeg.js";
import { json, startTestService, type TestService } from "../support/service.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-cut-video-"));

/** 21 frames at 1 fps, index first (faststart), made here with ffmpeg's test source. */
function faststartMp4(): Buffer {
  return readFileSync(makeFaststartMp4(join(dir, "whole.mp4")));
}

function multipart(field: string, bytes: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----rasdcut${process.pid}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="${field}"; filename="v.mp4"\r\ncontent-type: video/mp4\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

describe("a truncated video over HTTP", { skip: needsFfmpeg }, () => {
  let t: TestService;
  let whole: Buffer;
  let cut: Buffer;

  before(async () => {
    t = await startTestService();
    whole = faststartMp4();
    cut = whole.subarray(0, whole.length >> 1);
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("POST /v1/content: the item ends failed with the truncation, not done with half the frames", async () => {
    const ids: number[] = [];
    for (const [n, bytes] of [whole, cut].entries()) {
      const { payload, headers } = multipart("video", bytes);
      const r = await t.call(t.keys.a.submitter, {
        method: "POST",
        url: "/v1/content",
        headers: { ...headers, "idempotency-key": `cut-video-${process.pid}-${n}` },
        payload,
      });
      assert.equal(r.statusCode, 202, r.body);
      ids.push(json<{ id: number }>(r).id);
    }
    await t.drain();
    const [done, failed] = await Promise.all(
      ids.map(async (id) =>
        json<{ status: string; error: string | null; hashes: Record<string, unknown> }>(
          await t.call(t.keys.a.submitter, { method: "GET", url: `/v1/content/${id}` }),
        ),
      ),
    );
    assert.equal(done?.status, "done", String(done?.error));
    assert.equal(done?.hashes.vpdq_frames, 21);
    assert.equal(failed?.status, "failed");
    assert.match(String(failed?.error), /^truncated video: it holds \d+ of the 21 frames its header declares/);
    assert.deepEqual(failed?.hashes, {}, "no partial hash is kept");
  });

  it("POST /h/hash: 400 with HMA's {message}, naming the frames held and declared", async () => {
    const ok = await t.call(t.keys.a.submitter, { method: "POST", url: "/h/hash", ...multipart("video", whole) });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.match(String(json(ok).vpdq), /\S/);
    const r = await t.call(t.keys.a.submitter, { method: "POST", url: "/h/hash", ...multipart("video", cut) });
    assert.equal(r.statusCode, 400, r.body);
    assert.match(
      String(json(r).message),
      /^truncated video: it holds \d+ of the 21 frames its header declares \(the file is \d+ bytes, its boxes declare \d+\)/,
    );
  });
});
