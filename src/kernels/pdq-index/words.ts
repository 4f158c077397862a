/**
 * PDQ hashes as eight 32-bit words for fast distance computation. Word i holds hash bits
 * 32i .. 32i+31, i.e. the reference's 16-bit words 2i (low half) and 2i+1 (high half),
 * so chunk c of the multi-index (16 bits) is the reference's word c.
 */

import { parseHash256, type Hash256 } from "../pdq/hash256.js";

export const WORDS = 8;

/** Writes the 8 words of `hash` into `out` at `offset`. */
export function hashToWords(hash: Hash256, out: Uint32Array, offset = 0): Uint32Array {
  for (let i = 0; i < WORDS; i++) out[offset + i] = ((hash[2 * i]! | (hash[2 * i + 1]! << 16)) >>> 0) as number;
  return out;
}

/** Hex digit values by character code (-1: not a hex digit). */
const HEX_VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let c = 0; c < 16; c++) {
    t["0123456789abcdef".charCodeAt(c)] = c;
    t["0123456789ABCDEF".charCodeAt(c)] = c;
  }
  return t;
})();

/**
 * The 8 words of a hash given as 64 hex digits (either case; throws RangeError otherwise).
 * Parsed digit by digit with no allocation: loading millions of signals parses every hash.
 */
export function hexToWords(hex: string, out: Uint32Array = new Uint32Array(WORDS), offset = 0): Uint32Array {
  if (hex.length === 64) {
    let bad = 0;
    for (let i = 0; i < WORDS; i++) {
      // Word i is hex digits 8(7-i) .. 8(7-i)+7 (the hex string starts with the top word).
      const at = (WORDS - 1 - i) * 8;
      let w = 0;
      for (let j = 0; j < 8; j++) {
        const c = hex.charCodeAt(at + j);
        const v = c < 128 ? HEX_VALUE[c]! : -1;
        bad |= v;
        w = (w << 4) | (v & 15);
      }
      out[offset + i] = w >>> 0;
    }
    if (bad >= 0) return out;
  }
  return hashToWords(parseHash256(hex), out, offset); // throws the precise error
}

/** 64 hex digits of the hash at `offset` in `words`. */
export function wordsToHex(words: Uint32Array, offset = 0): string {
  let out = "";
  for (let i = WORDS - 1; i >= 0; i--) out += words[offset + i]!.toString(16).padStart(8, "0");
  return out;
}

/** Bits set in a 32-bit integer. */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
}

/** Hamming distance between the hashes at offsets `a` and `b` (full count, no early exit). */
export function wordsDistance(x: Uint32Array, a: number, y: Uint32Array, b: number): number {
  let d = 0;
  for (let i = 0; i < WORDS; i++) d += popcount32((x[a + i]! ^ y[b + i]!) >>> 0);
  return d;
}

/** 16-bit chunk `c` (0..15) of the hash at `offset`. */
export function chunkOf(words: Uint32Array, offset: number, c: number): number {
  const w = words[offset + (c >> 1)]!;
  return c & 1 ? w >>> 16 : w & 0xffff;
}

type TypedCtor<T> = { new (length: number): T; new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number };

/**
 * A zeroed typed array, on a SharedArrayBuffer when `shared` (so worker threads can search
 * the same index without a copy).
 */
export function alloc<T>(ctor: TypedCtor<T>, length: number, shared: boolean): T {
  return shared ? new ctor(new SharedArrayBuffer(length * ctor.BYTES_PER_ELEMENT)) : new ctor(length);
}

/** `array` itself when it already lives where it should, else a copy there. */
export function placed<T extends Uint32Array | Int32Array | Uint16Array>(array: T, shared: boolean): T {
  if (!shared || array.buffer instanceof SharedArrayBuffer) return array;
  const ctor = array.constructor as unknown as TypedCtor<T>;
  const copy = alloc(ctor, array.length, true) as unknown as T;
  copy.set(array as never);
  return copy;
}
