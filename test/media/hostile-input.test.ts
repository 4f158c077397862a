/**
 * Hostile and broken input: each gets a precise error with a code, quickly, without
 * decoding pixels it should not.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import sharp from "sharp";
import { RasdError } from "../../src/core/errors.js";
import { decodeImage } from "../../src/media/image-decode.js";
import { readFileBounded } from "../../src/media/files.js";
import { pdqHashImageFile } from "../../src/signals/pdq/hash-image.js";
import { structuredRgb } from "../support/pdq-oracle.js";
import { pngDeclaring } from "../support/images.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-hostile-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function rejects(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof RasdError, `expected a RasdError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /\n/, "one line");
    return true;
  });
}

describe("hostile input", () => {
  const jpeg = sharp(structuredRgb(300, 200, 1), { raw: { width: 300, height: 200, channels: 3 } })
    .jpeg()
    .toBuffer();

  it("an empty file", async () => {
    await rejects(decodeImage(new Uint8Array(0)), "image.empty", /empty file/);
  });

  it("a truncated JPEG", async () => {
    const bytes = await jpeg;
    await rejects(decodeImage(bytes.subarray(0, bytes.length >> 1)), "image.truncated", /truncated/);
    await rejects(decodeImage(bytes.subarray(0, 40)), "image.truncated", /truncated/);
  });

  it("a file that is not an image", async () => {
    await rejects(
      decodeImage(Buffer.from("<html><body>not a picture</body></html>\n")),
      "image.unsupported_format",
      /not an image/,
    );
    await rejects(decodeImage(Buffer.from([0x00, 0x01, 0x02, 0x03])), "image.unsupported_format", /not an image/);
  });

  it("a PNG declaring 50,000 x 50,000 pixels is refused from its header", async () => {
    const started = process.hrtime.bigint();
    await rejects(
      decodeImage(pngDeclaring(50_000, 50_000)),
      "image.too_many_pixels",
      /50000x50000 \(2\.50 gigapixels\), over the 100\.0 megapixels limit/,
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 5000, `took ${ms} ms`);
  });

  it("the pixel limit is configurable", async () => {
    const bytes = await jpeg;
    await rejects(
      decodeImage(bytes, { limits: { maxBytes: 1e9, maxPixels: 300 * 199, maxDecodedBytes: 1e9 } }),
      "image.too_many_pixels",
      /300x200/,
    );
    const ok = await decodeImage(bytes, { limits: { maxBytes: 1e9, maxPixels: 300 * 200, maxDecodedBytes: 1e9 } });
    assert.equal(ok.width, 300);
  });

  it("a PNG declaring 10000 x 9999 RGBA (under the pixel limit, 400 MB decoded) is refused from its header", async () => {
    const started = process.hrtime.bigint();
    const before = process.memoryUsage().rss;
    await rejects(
      decodeImage(pngDeclaring(10_000, 9_999, 6)),
      "image.too_many_bytes",
      /10000x9999 with 4 channels of 8 bits \(381\.4 MiB decoded\), over the 256\.0 MiB decoding budget/,
    );
    assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024, "no pixels were decoded");
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 5000, `took ${ms} ms`);
  });

  it("the budget counts bytes per sample: a 16-bit image costs twice its 8-bit version", async () => {
    const png16 = await sharp(structuredRgb(100, 100, 4), { raw: { width: 100, height: 100, channels: 3 } })
      .toColourspace("rgb16")
      .png()
      .toBuffer();
    const limits = { maxBytes: 1e9, maxPixels: 1e8, maxDecodedBytes: 100 * 100 * 3 * 2 - 1 };
    await rejects(
      decodeImage(png16, { limits }),
      "image.too_many_bytes",
      /100x100 with 3 channels of 16 bits \(58\.6 KiB/,
    );
    const ok = await decodeImage(png16, { limits: { ...limits, maxDecodedBytes: 100 * 100 * 3 * 2 } });
    assert.deepEqual([ok.width, ok.height, ok.channels], [100, 100, 3]);
  });

  it("alpha is dropped while decoding: an RGBA image decodes to 3 bytes a pixel, a grey + alpha one to 1", async () => {
    const rgba = await sharp(structuredRgb(80, 60, 5), { raw: { width: 80, height: 60, channels: 3 } })
      .ensureAlpha(0.5)
      .png()
      .toBuffer();
    const decoded = await decodeImage(rgba);
    assert.equal(decoded.channels, 3);
    assert.equal(decoded.data.length, 80 * 60 * 3);
    const greyAlpha = await sharp(rgba).toColourspace("b-w").png().toBuffer();
    const grey = await decodeImage(greyAlpha);
    assert.equal(grey.channels, 1);
    assert.equal(grey.data.length, 80 * 60);
  });

  it("a file of several hundred MB is refused before it is read", async () => {
    const big = join(dir, "huge.jpg");
    writeFileSync(big, await jpeg);
    truncateSync(big, 400 * 1024 * 1024); // sparse: takes no disk
    const before = process.memoryUsage().rss;
    await rejects(pdqHashImageFile(big), "file.too_large", /file is 400\.0 MiB, over the 100\.0 MiB limit/);
    assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024, "the file was not read into memory");
  });

  it("a missing file and a directory", async () => {
    await rejects(readFileBounded(join(dir, "nope.png"), 1000), "file.not_found", /no such file/);
    await rejects(readFileBounded(dir, 1000), "file.not_a_file", /directory|not a regular file/);
  });

  it("a JPEG with recoverable garbage in its data is hashed, as the reference's libjpeg does", async () => {
    // libjpeg resynchronises at the next restart marker and reports only a warning; the
    // reference (ImageMagick) hashes such files, so refusing them would lose matches.
    const bytes = Buffer.from(await jpeg);
    for (let i = Math.floor(bytes.length / 3); i < Math.floor(bytes.length / 3) + 64; i++) bytes[i] = 0x5a;
    const decoded = await decodeImage(bytes);
    assert.equal(decoded.width, 300);
  });

  it("a PNG with a corrupt checksum", async () => {
    const png = Buffer.from(
      await sharp(structuredRgb(64, 64, 3), { raw: { width: 64, height: 64, channels: 3 } })
        .png()
        .toBuffer(),
    );
    png[png.length - 20] = png[png.length - 20]! ^ 0xff; // inside the image data
    await assert.rejects(decodeImage(png), RasdError);
  });
});
