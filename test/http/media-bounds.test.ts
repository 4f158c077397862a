/**
 * Memory bounds on media at the HTTP edge (issue 15, item 2): the decoding budget, the
 * decode and video gates (503 with Retry-After for requests, a wait for pipeline jobs), and
 * uploads streamed to the data folder rather than held whole.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import sharp from "sharp";
import { loadConfig } from "../../src/config/config.js";
import { RasdError } from "../../src/core/errors.js";
import { Gate, configureGates, gates, DEFAULT_GATE_SETTINGS } from "../../src/media/decode-gate.js";
import { streamToFile } from "../../src/http/upload.js";
import { hashMedia } from "../../src/services/media-hashing.js";
import { detailedPng, pngDeclaring } from "../support/images.js";
import { json, startTestService, type TestService } from "../support/service.js";

function upload(field: string, bytes: Uint8Array, fields: Record<string, string> = {}) {
  const boundary = "----rasd-media-bounds";
  const head = Object.entries(fields)
    .map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join("");
  return {
    payload: Buffer.concat([
      Buffer.from(
        `${head}--${boundary}\r\ncontent-disposition: form-data; name="${field}"; filename="f"\r\n` +
          "content-type: application/octet-stream\r\n\r\n",
      ),
      Buffer.from(bytes),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

/** Holds one slot of `gate` until the returned function is called. */
async function hold(gate: Gate): Promise<() => void> {
  let release!: () => void;
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  void gate.run(
    () =>
      new Promise<void>((r) => {
        release = r;
        started();
      }),
    "job",
  );
  await running;
  return release;
}

describe("the gate", () => {
  it("runs `limit` at once; a request waits in the queue, then is refused with busy when it is full", async () => {
    const gate = new Gate("busy.decode", "image decodes", 1, 1, 60_000);
    const release = await hold(gate);
    const queued = gate.run(async () => "second", "request");
    await assert.rejects(
      gate.run(async () => "third", "request"),
      (e: unknown) => {
        assert.ok(e instanceof RasdError);
        assert.equal(e.code, "busy.decode");
        assert.match(e.message, /1 image decodes already running and 1 waiting/);
        return true;
      },
    );
    assert.deepEqual(gate.state, { running: 1, waiting: 1, limit: 1 });
    release();
    assert.equal(await queued, "second");
    assert.deepEqual(gate.state, { running: 0, waiting: 0, limit: 1 });
  });

  it("a request that waits past waitMs is refused; a job waits as long as it takes and is never refused", async () => {
    const gate = new Gate("busy.video", "video hashes", 1, 0, 30);
    const release = await hold(gate);
    await assert.rejects(
      gate.run(async () => 1, "request"),
      { code: "busy.video" },
    );
    const jobs = [gate.run(async () => 1, "job"), gate.run(async () => 2, "job"), gate.run(async () => 3, "job")];
    await new Promise((r) => setTimeout(r, 60)); // longer than waitMs
    assert.equal(gate.state.waiting, 3);
    release();
    assert.deepEqual(await Promise.all(jobs), [1, 2, 3]);
  });

  it("a slot is given back when the work throws", async () => {
    const gate = new Gate("busy.decode", "image decodes", 1, 0, 0);
    await assert.rejects(
      gate.run(async () => {
        throw new Error("boom");
      }, "request"),
      /boom/,
    );
    assert.equal(await gate.run(async () => "free", "request"), "free");
  });
});

describe("media settings", () => {
  it("come from the environment, with defaults, and a bad value is a usage error naming the variable", () => {
    assert.deepEqual(loadConfig({}, {}).media, {
      decodes: 2,
      videos: 2,
      queue: 4,
      waitMs: 2000,
      maxDecodedBytes: 256 * 1024 * 1024,
    });
    const env = {
      RASD_DECODE_CONCURRENCY: "3",
      RASD_VIDEO_CONCURRENCY: "1",
      RASD_MEDIA_QUEUE: "0",
      RASD_MEDIA_WAIT_MS: "500",
      RASD_MAX_DECODED_MIB: "64",
    };
    assert.deepEqual(loadConfig({}, env).media, {
      decodes: 3,
      videos: 1,
      queue: 0,
      waitMs: 500,
      maxDecodedBytes: 64 * 1024 * 1024,
    });
    assert.throws(() => loadConfig({}, { RASD_MAX_DECODED_MIB: "lots" }), /RASD_MAX_DECODED_MIB: expected an integer/);
  });
});

describe("uploads streamed to disk", () => {
  it("64 MiB streamed to a file, hashed on the way, without holding it in memory", async () => {
    const dir = join(process.env.TMPDIR ?? "/tmp", `rasd-upload-${process.pid}`);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const total = 1024; // 64 MiB
    let sent = 0;
    let peak = 0;
    const base = process.memoryUsage().arrayBuffers;
    const source = new Readable({
      read() {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
        this.push(sent++ < total ? chunk : null);
      },
    });
    const file = await streamToFile(source, dir, "video", "video/mp4");
    try {
      const md5 = createHash("md5");
      const sha = createHash("sha256");
      for (let i = 0; i < total; i++) {
        md5.update(chunk);
        sha.update(chunk);
      }
      assert.equal(file.size, total * chunk.length);
      assert.equal(file.md5, md5.digest("hex"));
      assert.equal(file.sha256, sha.digest("hex"));
      assert.ok(existsSync(file.path) && file.path.startsWith(join(dir, "uploads")));
      // The same 64 KiB chunk was pushed 1024 times: nothing accumulated on the way.
      assert.ok(peak < 16 * 1024 * 1024, `external memory grew by ${peak} bytes while streaming 64 MiB`);
    } finally {
      await file.remove();
    }
    assert.equal(existsSync(file.path), false);
  });
});

describe("HTTP media bounds", () => {
  let t: TestService;
  let dataDir: string;
  let png: Buffer;

  before(async () => {
    t = await startTestService({ workers: true });
    dataDir = t.s.config.dataDir;
    png = await detailedPng(7, 256);
  });
  after(async () => {
    configureGates(DEFAULT_GATE_SETTINGS);
    await t?.close();
  });

  const hash = (bytes: Uint8Array, field = "photo") => {
    const m = upload(field, bytes);
    return t.call(t.keys.a.submitter, { method: "POST", url: "/h/hash", ...m });
  };

  it("a PNG declaring 10000 x 9999 RGBA is refused from its header (413, the budget named)", async () => {
    const r = await hash(pngDeclaring(10_000, 9_999, 6));
    assert.equal(r.statusCode, 413, r.body);
    assert.match(json<{ message: string }>(r).message, /10000x9999 .*381\.4 MiB decoded.*256\.0 MiB decoding budget$/);
    const m = upload("image", pngDeclaring(10_000, 9_999, 6));
    const c = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      ...m,
      headers: { ...m.headers, "idempotency-key": "bomb-1" },
    });
    assert.equal(c.statusCode, 413, c.body);
    assert.equal(json<{ error: { code: string } }>(c).error.code, "image.too_many_bytes");
  });

  it("the budget is configurable (RASD_MAX_DECODED_MIB)", async () => {
    configureGates({ ...DEFAULT_GATE_SETTINGS, maxDecodedBytes: 1024 });
    try {
      const r = await hash(png);
      assert.equal(r.statusCode, 413, r.body);
      assert.match(json<{ message: string }>(r).message, /256x256 with 4 channels of 8 bits .* over the 1\.0 KiB/);
    } finally {
      configureGates(DEFAULT_GATE_SETTINGS);
    }
    configureGates({ ...DEFAULT_GATE_SETTINGS, maxDecodedBytes: 256 * 1024 * 1024 });
    assert.equal((await hash(png)).statusCode, 200);
  });

  it("with every decode slot taken and the queue full, /h/hash answers 503 with Retry-After; then 200", async () => {
    configureGates({ decodes: 1, videos: 1, queue: 0, waitMs: 0 });
    const release = await hold(gates.image);
    try {
      const r = await hash(png);
      assert.equal(r.statusCode, 503, r.body);
      assert.equal(r.headers["retry-after"], "2");
      assert.match(json<{ message: string }>(r).message, /^busy: 1 image decodes already running/);
      // A bomb is still refused from its header at once, not told to come back.
      assert.equal((await hash(pngDeclaring(10_000, 9_999, 6))).statusCode, 413);
      // rasd's own error shape carries the code.
      const m = upload("photo", png);
      const lookup = await t.call(t.keys.a.submitter, { method: "POST", url: "/m/lookup", ...m });
      assert.equal(lookup.statusCode, 503, lookup.body);
      // A pipeline job waits for the slot instead of failing.
      const job = hashMedia(png, "image", ["pdq"]);
      const early = await Promise.race([
        job.then(() => "done"),
        new Promise((r) => setTimeout(() => r("waiting"), 50)),
      ]);
      assert.equal(early, "waiting");
      release();
      assert.match((await job).values.pdq ?? "", /^[0-9a-f]{64}$/);
    } finally {
      release();
      configureGates(DEFAULT_GATE_SETTINGS);
    }
    assert.equal((await hash(png)).statusCode, 200);
  });

  it("an upload is hashed from its file in the data folder and the file is removed afterwards", async () => {
    const r = await hash(png);
    assert.equal(r.statusCode, 200, r.body);
    const expected = await hashMedia(png, "image", ["pdq"]);
    assert.equal(json<{ pdq: string }>(r).pdq, expected.values.pdq);
    const uploads = join(dataDir, "uploads");
    assert.ok(existsSync(uploads));
    assert.deepEqual(readdirSync(uploads), []);
    // Refused uploads leave nothing behind either.
    assert.equal((await hash(pngDeclaring(10_000, 9_999, 6))).statusCode, 413);
    assert.equal((await hash(Buffer.from("not an image"))).statusCode, 400);
    assert.deepEqual(readdirSync(uploads), []);
  });

  it("a video submitted to /v1/content is stored whole from the streamed file (it survives a restart)", async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    const m = upload("video", bytes, { text: "caption" });
    const r = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      ...m,
      headers: { ...m.headers, "idempotency-key": "video-whole-1" },
    });
    assert.equal(r.statusCode, 202, r.body);
    const stored = await t.s.content.getMedia(json<{ id: number }>(r).id);
    assert.ok(stored && Buffer.from(stored).equals(bytes), "the stored media is the bytes sent");
    assert.deepEqual(readdirSync(join(dataDir, "uploads")), []);
  });

  it("an image over the budget is refused at submission, before anything is stored", async () => {
    const big = await sharp({ create: { width: 40, height: 40, channels: 3, background: "#123" } })
      .png()
      .toBuffer();
    configureGates({ ...DEFAULT_GATE_SETTINGS, maxDecodedBytes: 40 * 40 * 3 - 1 });
    try {
      const m = upload("image", big);
      const r = await t.call(t.keys.a.submitter, {
        method: "POST",
        url: "/v1/content",
        ...m,
        headers: { ...m.headers, "idempotency-key": "budget-1" },
      });
      assert.equal(r.statusCode, 413, r.body);
      assert.match(json<{ error: { message: string } }>(r).error.message, /40x40 .* decoding budget$/);
    } finally {
      configureGates(DEFAULT_GATE_SETTINGS);
    }
  });
});
