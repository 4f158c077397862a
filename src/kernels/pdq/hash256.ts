/**
 * The 256-bit PDQ hash as the reference stores it: sixteen 16-bit words, bit k of the
 * hash is bit (k & 15) of word k >> 4, and the text form is the words w[15]..w[0] as
 * four lowercase hex digits each (`Hash256::format()` in pdq/cpp/common/pdqhashtypes.cpp).
 * So the hex string is the big-endian 256-bit integer whose bit k is hash bit k.
 */

/** A PDQ hash: 16 little-endian-ordered 16-bit words (w[0] holds bits 0..15). */
export type Hash256 = Uint16Array;

export const HASH256_HEX_LENGTH = 64;

const HEX_RE = /^[0-9a-f]{64}$/i;

export function emptyHash256(): Hash256 {
  return new Uint16Array(16);
}

export function setBit(hash: Hash256, k: number): void {
  const w = k >> 4;
  hash[w] = (hash[w] ?? 0) | (1 << (k & 15));
}

export function getBit(hash: Hash256, k: number): boolean {
  return (((hash[k >> 4] ?? 0) >> (k & 15)) & 1) === 1;
}

/**
 * Formats a hash as 64 lowercase hex digits, exactly like the reference.
 * @example formatHash256(h) // "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"
 */
export function formatHash256(hash: Hash256): string {
  let out = "";
  for (let w = 15; w >= 0; w--) out += (hash[w] ?? 0).toString(16).padStart(4, "0");
  return out;
}

/** True when `text` is 64 hex digits (either case). */
export function isHash256Hex(text: string): boolean {
  return HEX_RE.test(text);
}

/** Parses 64 hex digits (either case) into a hash; throws RangeError otherwise. */
export function parseHash256(text: string): Hash256 {
  if (!HEX_RE.test(text)) throw new RangeError(`not a 256-bit hex hash: "${text.slice(0, 80)}"`);
  const hash = new Uint16Array(16);
  for (let w = 0; w < 16; w++) {
    const at = (15 - w) * 4;
    hash[w] = parseInt(text.slice(at, at + 4), 16);
  }
  return hash;
}

function popcount16(x: number): number {
  x = x - ((x >> 1) & 0x5555);
  x = (x & 0x3333) + ((x >> 2) & 0x3333);
  x = (x + (x >> 4)) & 0x0f0f;
  return (x + (x >> 8)) & 0x1f;
}

/** Number of set bits (the reference's `norm`). */
export function hammingNorm(a: Hash256): number {
  let n = 0;
  for (let w = 0; w < 16; w++) n += popcount16(a[w] ?? 0);
  return n;
}

/** Hamming distance between two hashes (0..256). */
export function hammingDistance(a: Hash256, b: Hash256): number {
  let n = 0;
  for (let w = 0; w < 16; w++) n += popcount16((a[w] ?? 0) ^ (b[w] ?? 0));
  return n;
}

/** Hamming distance between two hashes given as hex text. */
export function hammingDistanceHex(a: string, b: string): number {
  return hammingDistance(parseHash256(a), parseHash256(b));
}
