/**
 * The WebAssembly SIMD kernel (wasm/pdq.ts) against the TypeScript kernel and a literal port
 * of the reference: the same 64x64 downsample and 16x16 DCT, bit for bit, at awkward sizes,
 * for RGB, RGBA and grey pixels. Needs `npm run build` (npm test builds first).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dct64To16 } from "../../src/kernels/pdq/dct.js";
import { jaroszTo64x64 } from "../../src/kernels/pdq/jarosz.js";
import { floatLuma, lumaOf, nearestPixelLuma, pixelLuma, type Pixels } from "../../src/kernels/pdq/luma.js";
import { PdqHasher } from "../../src/kernels/pdq/pdq.js";
import { SimdPdq } from "../../src/kernels/pdq/simd.js";
import { randomRgb, referenceDownsample, structuredRgb } from "../support/pdq-oracle.js";

const simd = SimdPdq.create();

function withChannels(rgb: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < channels; c++) out[i * channels + c] = c < 3 ? rgb[i * 3 + c]! : 255 - rgb[i * 3]!;
  }
  return out;
}

function typescriptKernel(px: Pixels, grey: boolean): { buffer64: Float64Array; dct16: Float64Array } {
  const buffer64 = new Float64Array(4096);
  const dct16 = new Float64Array(256);
  jaroszTo64x64(pixelLuma(px, grey), buffer64);
  dct64To16(buffer64, new Float64Array(16 * 64), dct16);
  return { buffer64, dct16 };
}

function assertSameBits(got: Float64Array, expected: ArrayLike<number>, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(got[i], expected[i])) assert.fail(`${what}[${i}]: ${got[i]} != ${expected[i]}`);
  }
}

describe("PDQ SIMD kernel (WebAssembly)", { skip: simd ? false : "SKIPPED: dist/wasm/pdq.wasm is not built" }, () => {
  const sizes: [number, number][] = [
    [5, 5],
    [5, 7],
    [6, 131],
    [7, 4097],
    [63, 65],
    [127, 129],
    [129, 257],
    [200, 37],
    [255, 256],
    [300, 299],
    [480, 720],
    [511, 513],
    [720, 1280],
    [1000, 141],
    [2000, 9],
  ];
  for (const [rows, cols] of sizes) {
    it(`${rows}x${cols}: RGB, RGBA and grey give the TypeScript kernel's bits`, () => {
      const rgb = (rows * cols) % 2 ? randomRgb(cols, rows, rows * 7 + cols) : structuredRgb(cols, rows, rows + cols);
      const buffer64 = new Float64Array(4096);
      const dct16 = new Float64Array(256);
      for (const [channels, grey] of [
        [3, false],
        [4, false],
        [1, true],
        [3, true],
      ] as const) {
        const px = { width: cols, height: rows, channels, data: withChannels(rgb, cols, rows, channels) };
        simd!.run(px, grey, buffer64, dct16);
        const expected = typescriptKernel(px, grey);
        assertSameBits(buffer64, expected.buffer64, `${channels}ch${grey ? " grey" : ""} buffer64`);
        assertSameBits(dct16, expected.dct16, `${channels}ch${grey ? " grey" : ""} dct16`);
      }
    });
  }

  it("equals a literal port of the reference's downsample", () => {
    const [rows, cols] = [317, 451];
    const rgb = randomRgb(cols, rows, 99);
    const luma = new Float32Array(rows * cols);
    for (let i = 0; i < rows * cols; i++) luma[i] = lumaOf(rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!);
    const buffer64 = new Float64Array(4096);
    simd!.run({ width: cols, height: rows, channels: 3, data: rgb }, false, buffer64, new Float64Array(256));
    assertSameBits(buffer64, referenceDownsample(luma, rows, cols), "buffer64");
    const viaFloats = new Float64Array(4096);
    jaroszTo64x64(floatLuma(luma, rows, cols), viaFloats);
    assertSameBits(buffer64, viaFloats, "float-luma path");
  });

  it("the 512 flavour (nearest-neighbour pre-resize) gives the TypeScript kernel's hash", () => {
    const hasher = new PdqHasher();
    for (const [w, h, channels, grey] of [
      [700, 600, 3, false],
      [1030, 513, 4, false],
      [600, 900, 1, true],
    ] as const) {
      const rgb = structuredRgb(w, h, w + h);
      const px = { width: w, height: h, channels, data: withChannels(rgb, w, h, channels) };
      const buffer64 = new Float64Array(4096);
      jaroszTo64x64(nearestPixelLuma(px, 512, 512, grey), buffer64);
      const dct16 = new Float64Array(256);
      dct64To16(buffer64, new Float64Array(16 * 64), dct16);
      const got = hasher.intermediates(nearestPixelLuma(px, 512, 512, grey));
      assertSameBits(got.buffer64, buffer64, `${w}x${h} buffer64`);
      assertSameBits(got.dct16, dct16, `${w}x${h} dct16`);
    }
  });

  it("is reused across sizes without leftovers: big, small, big again", () => {
    const hasher = new PdqHasher();
    const big = { width: 640, height: 360, channels: 3, data: structuredRgb(640, 360, 5) };
    const small = { width: 33, height: 17, channels: 3, data: randomRgb(33, 17, 6) };
    const first = hasher.hashPixels(big);
    hasher.hashPixels(small);
    assert.deepEqual(hasher.hashPixels(big), first);
    const fresh = new PdqHasher().hashPixels(small);
    assert.deepEqual(hasher.hashPixels(small), fresh);
  });

  it("gives a very large image's memory back afterwards, and hashes the same after", () => {
    const kernel = SimdPdq.create()!;
    const buffer64 = new Float64Array(4096);
    const dct16 = new Float64Array(256);
    const small = { width: 90, height: 70, channels: 3, data: randomRgb(90, 70, 3) };
    kernel.run(small, false, buffer64, dct16);
    const before = dct16.slice();
    const big = { width: 4000, height: 3000, channels: 4, data: new Uint8Array(4000 * 3000 * 4).fill(77) };
    kernel.run(big, false, buffer64, dct16);
    assert.ok(kernel.memoryBytes < 64 * 1024 * 1024, `${kernel.memoryBytes} bytes kept`);
    kernel.run(small, false, buffer64, dct16);
    assertSameBits(dct16, before, "dct16 after the big image");
  });

  it("does not read past the frame: a buffer longer than width x height x channels", () => {
    const data = new Uint8Array(40 * 30 * 3 + 100).fill(200);
    data.set(randomRgb(40, 30, 8));
    const buffer64 = new Float64Array(4096);
    const dct16 = new Float64Array(256);
    simd!.run({ width: 40, height: 30, channels: 3, data }, false, buffer64, dct16);
    const expected = typescriptKernel({ width: 40, height: 30, channels: 3, data: data.subarray(0, 3600) }, false);
    assertSameBits(buffer64, expected.buffer64, "buffer64");
  });
});
