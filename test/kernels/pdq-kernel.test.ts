import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  boxFilter8,
  decimationIndices,
  jaroszTo64x64,
  jaroszWindowSize,
  windowReciprocals,
} from "../../src/kernels/pdq/jarosz.js";
import { floatLuma, isGreyscale, lumaOf, nearestIndices, pixelLuma, readLuma } from "../../src/kernels/pdq/luma.js";
import { PdqHasher, pdqDihedralFromPixels, pdqFromLuma, pdqFromPixels } from "../../src/kernels/pdq/pdq.js";
import { hammingDistanceHex } from "../../src/kernels/pdq/hash256.js";
import { torbenMedian } from "../../src/kernels/pdq/torben.js";
import { prng, randomRgb, referenceDownsample, structuredRgb } from "../support/pdq-oracle.js";

const ZERO = "0".repeat(64);

function lumaOfRgb(data: Uint8Array, width: number, height: number): Float32Array {
  const luma = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) luma[i] = lumaOf(data[i * 3]!, data[i * 3 + 1]!, data[i * 3 + 2]!);
  return luma;
}

describe("PDQ kernel: the streaming filter equals a literal port of the reference", () => {
  const sizes: [number, number][] = [
    [5, 5],
    [5, 7],
    [6, 131],
    [64, 64],
    [63, 65],
    [127, 129],
    [128, 128],
    [129, 257],
    [200, 37],
    [255, 256],
    [300, 299],
    [511, 513],
    [512, 512],
    [640, 480],
    [1000, 141],
  ];
  for (const [rows, cols] of sizes) {
    it(`${rows}x${cols}: identical 64x64 downsample, bit for bit`, () => {
      const luma = lumaOfRgb(randomRgb(cols, rows, rows * 1000 + cols), cols, rows);
      const expected = referenceDownsample(luma, rows, cols);
      const got = new Float64Array(4096);
      jaroszTo64x64(floatLuma(luma, rows, cols), got);
      for (let i = 0; i < 4096; i++) {
        if (got[i] !== expected[i]) assert.fail(`cell ${i}: ${got[i]} != reference ${expected[i]}`);
      }
    });
  }

  it("boxFilter8 filters eight vectors exactly like one vector at a time", () => {
    const rand = prng(7);
    for (const [length, window] of [
      [97, 4],
      [5, 1],
      [6, 2],
      [130, 3],
      [40, 13],
    ] as const) {
      const pad = window + 1;
      const input = new Float32Array((length + 2 * pad) * 8);
      for (let p = 0; p < length; p++) {
        for (let l = 0; l < 8; l++) input[(pad + p) * 8 + l] = Math.fround(rand() * 255);
      }
      const out = new Float32Array(length * 8);
      boxFilter8(input, pad, length, window, windowReciprocals(length, window), out, 0);
      for (let l = 0; l < 8; l++) {
        const single = new Float32Array(length);
        for (let p = 0; p < length; p++) single[p] = input[(pad + p) * 8 + l]!;
        const expected = referenceDownsampleRow(single, window);
        for (let p = 0; p < length; p++)
          assert.equal(out[p * 8 + l], expected[p], `${length}/${window} lane ${l} at ${p}`);
      }
    }
  });
});

function referenceDownsampleRow(vec: Float32Array, window: number): Float32Array {
  // One box pass on one row: use the oracle on a 1-row "image" would also run columns, so
  // compute directly: mean of the truncated window with float32 running sums.
  const n = vec.length;
  const half = (window + 2) >> 1;
  const out = new Float32Array(n);
  let sum = 0;
  let count = 0;
  let ri = 0;
  let li = 0;
  let oi = 0;
  for (let i = 0; i < half - 1; i++) {
    sum = Math.fround(sum + vec[ri++]!);
    count++;
  }
  for (let i = 0; i < window - half + 1; i++) {
    sum = Math.fround(sum + vec[ri++]!);
    count++;
    out[oi++] = sum / count;
  }
  for (let i = 0; i < n - window; i++) {
    sum = Math.fround(sum + vec[ri++]!);
    sum = Math.fround(sum - vec[li++]!);
    out[oi++] = sum / count;
  }
  for (let i = 0; i < half - 1; i++) {
    sum = Math.fround(sum - vec[li++]!);
    count--;
    out[oi++] = sum / count;
  }
  return out;
}

describe("PDQ kernel: reference rules", () => {
  it("window size is ceil(dim / 128) and samples are cell centres", () => {
    assert.deepEqual(
      [512, 256, 1600, 34, 128, 129].map((d) => jaroszWindowSize(d)),
      [4, 2, 13, 1, 1, 2],
    );
    assert.deepEqual(Array.from(decimationIndices(128).slice(0, 4)), [1, 3, 5, 7]);
  });

  it("nearest-neighbour indices follow CImg: floor(x * from / to), identity when equal", () => {
    assert.deepEqual(Array.from(nearestIndices(1024, 512).slice(0, 4)), [0, 2, 4, 6]);
    assert.deepEqual(Array.from(nearestIndices(300, 512).slice(0, 5)), [0, 0, 1, 1, 2]);
    assert.deepEqual(Array.from(nearestIndices(512, 512).slice(510)), [510, 511]);
  });

  it("images under 5 pixels on a side hash to all zeros with quality 0", () => {
    for (const [w, h] of [
      [4, 100],
      [100, 4],
      [1, 1],
    ] as const) {
      const px = { width: w, height: h, channels: 3, data: randomRgb(w, h, 1) };
      assert.deepEqual(pdqFromPixels(px), { hash: ZERO, quality: 0 });
      assert.equal(pdqDihedralFromPixels(px).hashes.rot90, ZERO);
    }
    assert.notEqual(pdqFromPixels({ width: 5, height: 5, channels: 3, data: randomRgb(5, 5, 2) }).hash, ZERO);
  });

  it("a flat image has quality 0", () => {
    const px = { width: 100, height: 80, channels: 1, data: new Uint8Array(8000).fill(77) };
    assert.equal(pdqFromPixels(px).quality, 0);
  });

  it("greyscale takes the grey path: Y = grey, not the RGB formula on (g, g, g)", () => {
    // lumaOf(15,15,15) is 15.000001 in float32; the grey path uses exactly 15.
    assert.notEqual(lumaOf(15, 15, 15), 15);
    const grey = new Uint8Array(40 * 30).map((_, i) => (i * 7) % 256);
    const rgb = new Uint8Array(40 * 30 * 3).map((_, i) => grey[Math.floor(i / 3)]!);
    const pxGrey = { width: 40, height: 30, channels: 1, data: grey };
    const pxRgb = { width: 40, height: 30, channels: 3, data: rgb };
    assert.equal(isGreyscale(pxRgb), true);
    assert.deepEqual(pdqFromPixels(pxRgb), pdqFromPixels(pxGrey));
    const row = new Float32Array(40);
    readLuma(pixelLuma(pxRgb), 0, 1, row, 0, 1);
    assert.deepEqual(Array.from(row), Array.from(grey.slice(0, 40)));
  });

  it("alpha is ignored, not composited", () => {
    const rgb = randomRgb(50, 40, 3);
    const rgba = new Uint8Array(50 * 40 * 4);
    const rand = prng(9);
    for (let i = 0; i < 50 * 40; i++) {
      rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = Math.floor(rand() * 256);
    }
    assert.deepEqual(
      pdqFromPixels({ width: 50, height: 40, channels: 4, data: rgba }),
      pdqFromPixels({ width: 50, height: 40, channels: 3, data: rgb }),
    );
  });

  it("pdqFromLuma equals pdqFromPixels on the same luma", () => {
    const rgb = randomRgb(70, 90, 4);
    assert.deepEqual(
      pdqFromLuma(lumaOfRgb(rgb, 70, 90), 90, 70),
      pdqFromPixels({ width: 70, height: 90, channels: 3, data: rgb }),
    );
  });

  it("the 512 flavour equals hashing a nearest-neighbour 512x512 copy", () => {
    const w = 900;
    const h = 400;
    const rgb = randomRgb(w, h, 5);
    const xs = nearestIndices(w, 512);
    const ys = nearestIndices(h, 512);
    const resized = new Uint8Array(512 * 512 * 3);
    for (let y = 0; y < 512; y++) {
      for (let x = 0; x < 512; x++) {
        for (let c = 0; c < 3; c++) resized[(y * 512 + x) * 3 + c] = rgb[(ys[y]! * w + xs[x]!) * 3 + c]!;
      }
    }
    const px = { width: w, height: h, channels: 3, data: rgb };
    assert.deepEqual(pdqFromPixels(px, "512"), pdqFromPixels({ width: 512, height: 512, channels: 3, data: resized }));
    assert.notDeepEqual(pdqFromPixels(px, "512").hash, pdqFromPixels(px, "full").hash);
    // At or under 512 on both sides the flavours agree.
    const small = { width: 512, height: 300, channels: 3, data: randomRgb(512, 300, 6) };
    assert.deepEqual(pdqFromPixels(small, "512"), pdqFromPixels(small, "full"));
  });

  it("dihedral hashes track real rotations and flips of the pixels", () => {
    const w = 160;
    const h = 120;
    const rgb = structuredRgb(w, h, 8);
    const transform = (f: (x: number, y: number) => [number, number], tw: number, th: number): Uint8Array => {
      const out = new Uint8Array(tw * th * 3);
      for (let y = 0; y < th; y++) {
        for (let x = 0; x < tw; x++) {
          const [sx, sy] = f(x, y);
          for (let c = 0; c < 3; c++) out[(y * tw + x) * 3 + c] = rgb[(sy * w + sx) * 3 + c]!;
        }
      }
      return out;
    };
    const dih = pdqDihedralFromPixels({ width: w, height: h, channels: 3, data: rgb }).hashes;
    const hashOf = (data: Uint8Array, tw: number, th: number): string =>
      pdqFromPixels({ width: tw, height: th, channels: 3, data }).hash;
    const cases: [keyof typeof dih, Uint8Array, number, number][] = [
      ["rot180", transform((x, y) => [w - 1 - x, h - 1 - y], w, h), w, h],
      ["flipx", transform((x, y) => [x, h - 1 - y], w, h), w, h],
      ["flipy", transform((x, y) => [w - 1 - x, y], w, h), w, h],
      ["flipplus1", transform((x, y) => [y, x], h, w), h, w],
      ["rot90", transform((x, y) => [w - 1 - y, x], h, w), h, w], // counter-clockwise
      ["rot270", transform((x, y) => [y, h - 1 - x], h, w), h, w],
    ];
    const distances: string[] = [];
    for (const [name, data, tw, th] of cases) {
      const d = hammingDistanceHex(dih[name], hashOf(data, tw, th));
      distances.push(`${name}=${d}`);
      assert.ok(d <= 31, `${name}: dihedral hash is ${d} bits from the hash of the transformed image`);
      assert.ok(hammingDistanceHex(dih.orig, dih[name]) > 64, `${name} should differ from orig`);
    }
  });

  it("torben returns the lower median (the 128th smallest of 256)", () => {
    const rand = prng(11);
    for (let trial = 0; trial < 20; trial++) {
      const values = new Float64Array(256).map(() => Math.fround((rand() - 0.5) * 1000));
      const sorted = Float64Array.from(values).sort();
      assert.equal(torbenMedian(values), sorted[127]);
    }
  });

  it("a hasher reused across sizes gives the same answers as a fresh one", () => {
    const hasher = new PdqHasher();
    for (const [w, h] of [
      [300, 200],
      [40, 30],
      [700, 90],
      [300, 200],
    ] as const) {
      const px = { width: w, height: h, channels: 3, data: randomRgb(w, h, w + h) };
      assert.deepEqual(hasher.hashPixels(px), new PdqHasher().hashPixels(px));
    }
  });
});
