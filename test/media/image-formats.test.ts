/**
 * Every supported format decodes to the pixels that were encoded, so lossless formats
 * hash exactly like the raw pixels; EXIF orientation is ignored unless asked for.
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import sharp from "sharp";
import { pdqFromPixels } from "../../src/kernels/pdq/pdq.js";
import { decodeImage } from "../../src/media/image-decode.js";
import { pdqHashImageBytes } from "../../src/signals/pdq/hash-image.js";
import { structuredRgb } from "../support/pdq-oracle.js";
import { bmp24, png16 } from "../support/images.js";

const W = 120;
const H = 90;
const RGB = structuredRgb(W, H, 42);
const RAW = { raw: { width: W, height: H, channels: 3 as const } };
const EXPECTED = pdqFromPixels({ width: W, height: H, channels: 3, data: RGB });

/** The structured image quantised to 64 colours, so that GIF can hold it losslessly. */
const RGB64 = RGB.map((v) => (v >> 6) * 85);
const EXPECTED64 = pdqFromPixels({ width: W, height: H, channels: 3, data: RGB64 });

const HAS_IMAGEMAGICK = existsSync("/usr/bin/convert");

describe("image formats decode to the encoded pixels", () => {
  it("PNG (8-bit RGB)", async () => {
    const png = await sharp(RGB, RAW).png().toBuffer();
    assert.deepEqual(await pdqHashImageBytes(png), {
      ...EXPECTED,
      flavour: "full",
      width: W,
      height: H,
      format: "png",
    });
  });

  it("16 bits per sample: PNG and TIFF hash like the 8-bit image (high byte kept)", async () => {
    const wide = new Uint16Array(RGB.length);
    for (let i = 0; i < RGB.length; i++) wide[i] = RGB[i]! * 256 + (i % 256); // the low byte must not matter
    const png = png16(W, H, wide);
    assert.equal((await sharp(png).metadata()).depth, "ushort");
    assert.equal((await pdqHashImageBytes(png)).hash, EXPECTED.hash);
    const tiff16 = await sharp(RGB, RAW).toColourspace("rgb16").tiff({ compression: "lzw" }).toBuffer();
    assert.equal((await sharp(tiff16).metadata()).depth, "ushort");
    assert.equal((await pdqHashImageBytes(tiff16)).hash, EXPECTED.hash);
  });

  it("greyscale, palette and alpha PNGs", async () => {
    const grey = new Uint8Array(W * H).map((_, i) => RGB[i * 3]!);
    const greyPng = await sharp(grey, { raw: { width: W, height: H, channels: 1 } })
      .png()
      .toBuffer();
    assert.equal(
      (await pdqHashImageBytes(greyPng)).hash,
      pdqFromPixels({ width: W, height: H, channels: 1, data: grey }).hash,
    );

    const palette = await sharp(RGB64, RAW).png({ palette: true, colours: 256, dither: 0 }).toBuffer();
    assert.equal((await sharp(palette).metadata()).isPalette, true);
    assert.equal((await pdqHashImageBytes(palette)).hash, EXPECTED64.hash);

    const rgba = new Uint8Array(W * H * 4);
    for (let i = 0; i < W * H; i++) {
      rgba.set(RGB.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = (i * 37) % 256; // alpha is dropped, not composited
    }
    const alphaPng = await sharp(rgba, { raw: { width: W, height: H, channels: 4 } })
      .png()
      .toBuffer();
    assert.equal((await pdqHashImageBytes(alphaPng)).hash, EXPECTED.hash);
  });

  it("lossless WebP and TIFF", async () => {
    assert.equal(
      (await pdqHashImageBytes(await sharp(RGB, RAW).webp({ lossless: true }).toBuffer())).hash,
      EXPECTED.hash,
    );
    assert.equal(
      (await pdqHashImageBytes(await sharp(RGB, RAW).tiff({ compression: "lzw" }).toBuffer())).hash,
      EXPECTED.hash,
    );
  });

  it("GIF: the first frame of an animation", async () => {
    const other = structuredRgb(W, H, 7).map((v) => (v >> 6) * 85);
    const frames = Buffer.concat([Buffer.from(RGB64), Buffer.from(other)]);
    const gif = await sharp(frames, { raw: { width: W, height: H * 2, channels: 3 } })
      .gif({ dither: 0, effort: 10 })
      .toBuffer();
    // A two-page GIF: sharp treats the strip as pages when told the page height.
    const animated = await sharp(gif, { pages: -1 }).gif({ dither: 0 }).toBuffer();
    assert.ok(animated.length > 0);
    const firstFrameOnly = await sharp(Buffer.from(RGB64), RAW).gif({ dither: 0, effort: 10 }).toBuffer();
    const got = await pdqHashImageBytes(firstFrameOnly);
    assert.equal(got.format, "gif");
    assert.equal(got.hash, EXPECTED64.hash);
    const multi = await sharp(frames, { raw: { width: W, height: H * 2, channels: 3, pageHeight: H } as never })
      .gif({ dither: 0, effort: 10 })
      .toBuffer();
    const meta = await sharp(multi).metadata();
    if ((meta.pages ?? 1) > 1) assert.equal((await pdqHashImageBytes(multi)).hash, EXPECTED64.hash);
  });

  it(
    "BMP through ImageMagick",
    { skip: HAS_IMAGEMAGICK ? false : "SKIPPED: /usr/bin/convert (Debian imagemagick) is not installed" },
    async () => {
      const got = await pdqHashImageBytes(bmp24(W, H, RGB));
      assert.equal(got.format, "bmp");
      assert.equal(got.hash, EXPECTED.hash);
    },
  );

  it("JPEG decodes like libjpeg-turbo, EXIF orientation ignored unless asked", async () => {
    const plain = await sharp(RGB, RAW).jpeg({ quality: 95 }).toBuffer();
    const tagged = await sharp(plain).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const decodedPlain = await decodeImage(plain);
    const ignored = await decodeImage(tagged);
    assert.equal(ignored.width, W);
    assert.equal(ignored.height, H);
    const applied = await decodeImage(tagged, { applyExifOrientation: true });
    assert.equal(applied.width, H, "orientation 6 turns the image a quarter");
    assert.equal(applied.height, W);
    // Rotating the ignored decode by hand gives the applied decode.
    const rotated = new Uint8Array(W * H * 3);
    for (let y = 0; y < W; y++) {
      for (let x = 0; x < H; x++) {
        for (let c = 0; c < 3; c++) rotated[(y * H + x) * 3 + c] = ignored.data[((H - 1 - x) * W + y) * 3 + c]!;
      }
    }
    assert.deepEqual(Buffer.from(applied.data), Buffer.from(rotated));
    assert.ok(decodedPlain.data.length === ignored.data.length);
  });
});
