/**
 * Properties of the MP4 header reader (src/media/mp4-header.ts): any bytes give a layout or
 * null, never an exception; on a well-formed file built here (random sample sizes and chunking,
 * 32- or 64-bit chunk offsets) it counts every sample, and cut at any byte it reports the cut
 * and exactly the samples that still lie wholly in the file.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isTruncated, mp4LayoutOfBytes } from "../../src/media/mp4-header.js";
import { params } from "./arbitraries.js";

function box(type: string, ...body: Buffer[]): Buffer {
  const content = Buffer.concat(body);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + content.length, 0);
  head.write(type, 4, "latin1");
  return Buffer.concat([head, content]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

function u64(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(value));
  return b;
}

interface Movie {
  readonly sizes: readonly number[];
  /** Samples per chunk, in order (their sum is the sample count). */
  readonly chunks: readonly number[];
  readonly co64: boolean;
  readonly width: number;
  readonly height: number;
}

/** ftyp, moov (one video track with its sample tables), mdat: the faststart layout. */
function buildMp4(m: Movie): { bytes: Buffer; sampleEnds: number[] } {
  const stsd = box(
    "stsd",
    u32(0, 1),
    box(
      "mp4v",
      Buffer.alloc(24),
      Buffer.from([m.width >> 8, m.width & 255, m.height >> 8, m.height & 255]),
      Buffer.alloc(50),
    ),
  );
  const stts = box("stts", u32(0, 1, m.sizes.length, 512));
  const stsz = box("stsz", u32(0, 0, m.sizes.length, ...m.sizes));
  const stsc = box("stsc", u32(0, m.chunks.length), ...m.chunks.map((n, i) => u32(i + 1, n, 1)));
  const chunkTable = (offsets: number[]) =>
    m.co64
      ? box("co64", u32(0, offsets.length), ...offsets.map(u64))
      : box("stco", u32(0, offsets.length), u32(...offsets));
  const moovWith = (offsets: number[]) =>
    box(
      "moov",
      box(
        "trak",
        box(
          "mdia",
          box("mdhd", u32(0, 0, 0, 12800, m.sizes.length * 512, 0)),
          box("hdlr", u32(0, 0), Buffer.from("vide"), Buffer.alloc(13)),
          box("minf", box("stbl", stsd, stts, stsz, stsc, chunkTable(offsets))),
        ),
      ),
    );
  const ftyp = box("ftyp", Buffer.from("isom"), u32(512), Buffer.from("isomiso2mp41"));
  // The moov's size does not depend on the offsets' values, so lay it out once with zeros.
  const mdatStart = ftyp.length + moovWith(m.chunks.map(() => 0)).length + 8;
  const offsets: number[] = [];
  const sampleEnds: number[] = [];
  let at = mdatStart;
  let sample = 0;
  for (const n of m.chunks) {
    offsets.push(at);
    for (let i = 0; i < n; i++) sampleEnds.push((at += m.sizes[sample++]!));
  }
  const payload = Buffer.alloc(at - mdatStart, 0x5a);
  return { bytes: Buffer.concat([ftyp, moovWith(offsets), box("mdat", payload)]), sampleEnds };
}

const movie: fc.Arbitrary<Movie> = fc
  .record({
    sizes: fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 60 }),
    co64: fc.boolean(),
    width: fc.integer({ min: 1, max: 4096 }),
    height: fc.integer({ min: 1, max: 4096 }),
    split: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 60 }),
  })
  .map(({ sizes, co64, width, height, split }) => {
    const chunks: number[] = [];
    let left = sizes.length;
    for (let i = 0; left > 0; i++) {
      const n = Math.min(left, split[i % split.length]!);
      chunks.push(n);
      left -= n;
    }
    return { sizes, chunks, co64, width, height };
  });

describe("MP4 header reader properties", () => {
  it("any bytes: a layout or null, never an exception; present never exceeds declared", async () => {
    const boxy = fc
      .array(
        fc.tuple(
          fc.constantFrom(
            "ftyp",
            "moov",
            "trak",
            "mdia",
            "hdlr",
            "minf",
            "stbl",
            "stsz",
            "stsc",
            "stco",
            "co64",
            "mdat",
          ),
          fc.uint8Array({ maxLength: 64 }),
          fc.constantFrom(0, 1, 7, 8, 0xffffffff, -1),
        ),
        { maxLength: 8 },
      )
      .map((parts) =>
        Buffer.concat(
          parts.map(([type, body, size]) => {
            const b = box(type, Buffer.from(body));
            if (size >= 0) b.writeUInt32BE(size, 0);
            return b;
          }),
        ),
      );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 512 }), boxy), async (bytes) => {
        const layout = await mp4LayoutOfBytes(bytes);
        if (layout?.videoSamples) assert.ok(layout.videoSamples.present <= layout.videoSamples.declared);
        if (layout) assert.equal(layout.fileBytes, bytes.length);
      }),
      params(1500),
    );
  });

  it("a whole file: every sample present, not truncated, the frame size read", async () => {
    await fc.assert(
      fc.asyncProperty(movie, async (m) => {
        const { bytes } = buildMp4(m);
        const layout = await mp4LayoutOfBytes(bytes);
        assert.deepEqual(layout?.videoSamples, { declared: m.sizes.length, present: m.sizes.length });
        assert.equal(layout && isTruncated(layout), false);
        assert.deepEqual([layout?.hint?.width, layout?.hint?.height], [m.width, m.height]);
      }),
      params(300),
    );
  });

  it("cut at any byte: truncated, and exactly the samples that end within the cut are present", async () => {
    await fc.assert(
      fc.asyncProperty(movie, fc.double({ min: 0, max: 1, noNaN: true }), async (m, where) => {
        const { bytes, sampleEnds } = buildMp4(m);
        const cut = Math.min(bytes.length - 1, Math.floor(where * bytes.length));
        const layout = await mp4LayoutOfBytes(bytes.subarray(0, cut));
        if (layout === null) return; // cut inside ftyp: not recognisable as an MP4 any more
        assert.ok(isTruncated(layout), `cut at ${cut} of ${bytes.length} not reported`);
        if (layout.videoSamples) {
          assert.equal(layout.videoSamples.present, sampleEnds.filter((end) => end <= cut).length);
          assert.equal(layout.videoSamples.declared, m.sizes.length);
        }
      }),
      params(300),
    );
  });
});
