/**
 * CPython's `random.Random(seed).random()` for a str seed, reproduced exactly: HMA flips
 * its matching coin with it, and a client sending `seed=` must get the same answer from
 * rasd as from HMA.
 */

import { createHash } from "node:crypto";

/** MT19937, as CPython's `random` module seeds and runs it. */
class MersenneTwister {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  constructor(key: readonly number[]) {
    const mt = this.mt;
    mt[0] = 19650218;
    for (let i = 1; i < 624; i++) mt[i] = Math.imul(1812433253, mt[i - 1]! ^ (mt[i - 1]! >>> 30)) + i;
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k > 0; k--) {
      mt[i] = (mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1664525)) + key[j]! + j;
      i++;
      j++;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      mt[i] = (mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1566083941)) - i;
      i++;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/**
 * `random.Random(seed).random()` for a str seed, as HMA flips its coin: the seed's UTF-8
 * bytes followed by their SHA-512 make one big-endian integer, whose 32-bit words (least
 * significant first) seed MT19937; random() takes 53 bits from two outputs.
 * @example pythonSeededRandom("a") // the float Python's random.Random("a").random() gives
 */
export function pythonSeededRandom(seed: string): number {
  const text = Buffer.from(seed, "utf8");
  let bytes = Buffer.concat([text, createHash("sha512").update(text).digest()]);
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = Buffer.concat([Buffer.alloc((4 - ((bytes.length - start) % 4)) % 4), bytes.subarray(start)]);
  const key: number[] = [];
  for (let at = bytes.length - 4; at >= 0; at -= 4) key.push(bytes.readUInt32BE(at));
  const mt = new MersenneTwister(key);
  const a = mt.nextUint32() >>> 5;
  const b = mt.nextUint32() >>> 6;
  return (a * 67108864 + b) / 9007199254740992;
}
