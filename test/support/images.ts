/**
 * Builders for image fixtures made in the test itself: encoded with sharp, or written by
 * hand where sharp cannot (BMP, a PNG that lies about its size).
 */

import { deflateSync } from "node:zlib";
import sharp from "sharp";

function crc32(buf: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    let c = (crc ^ byte) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid-looking PNG header declaring width x height RGB (colour type 2; 6 = RGBA), with a little zero data. */
export function pngDeclaring(width: number, height: number, colourType = 2): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colourType; // 2 RGB, 6 RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(Buffer.alloc(1 << 20))),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

/** A 24-bit bottom-up BITMAPINFOHEADER BMP of RGB pixels. */
export function bmp24(width: number, height: number, rgb: Uint8Array): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + rowBytes * height;
  const b = Buffer.alloc(size);
  b.write("BM", 0, "latin1");
  b.writeUInt32LE(size, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(rowBytes * height, 34);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      b[row + x * 3] = rgb[i + 2]!;
      b[row + x * 3 + 1] = rgb[i + 1]!;
      b[row + x * 3 + 2] = rgb[i]!;
    }
  }
  return b;
}

/** A 16-bit-per-sample RGB PNG (colour type 2, bit depth 16) of the given samples. */
export function png16(width: number, height: number, samples: Uint16Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16;
  ihdr[9] = 2;
  const raw = Buffer.alloc(height * (1 + width * 6));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 6);
    raw[row] = 0; // filter: none
    for (let i = 0; i < width * 3; i++) raw.writeUInt16BE(samples[y * width * 3 + i]!, row + 1 + i * 2);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

/** A smooth, detailed picture (a gradient and circles, varied by `seed`), so PDQ has something to see. */
export async function detailedPng(seed: number, size = 256): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
    <defs><linearGradient id="g"><stop offset="0" stop-color="#${(seed * 2654435761).toString(16).slice(-6).padStart(6, "0")}"/><stop offset="1" stop-color="#fff"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    ${Array.from({ length: 12 }, (_, i) => `<circle cx="${(seed * 37 + i * 53) % size}" cy="${(seed * 91 + i * 29) % size}" r="${10 + ((seed + i * 7) % 40)}" fill="#${((seed + i) * 1234567).toString(16).slice(-6).padStart(6, "0")}"/>`).join("")}
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
