import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  emptyHash256,
  formatHash256,
  getBit,
  hammingDistance,
  hammingDistanceHex,
  hammingNorm,
  isHash256Hex,
  parseHash256,
  setBit,
} from "../../src/kernels/pdq/hash256.js";

describe("Hash256: the reference's bit order and text form", () => {
  it("puts bit 0 in the last hex digit and bit 255 in the first", () => {
    const h = emptyHash256();
    setBit(h, 0);
    assert.equal(formatHash256(h), "0".repeat(63) + "1");
    const g = emptyHash256();
    setBit(g, 255);
    assert.equal(formatHash256(g), "8" + "0".repeat(63));
    setBit(g, 17); // word 1, bit 1 → the 15th-from-last word's hex group
    assert.equal(formatHash256(g), "8" + "0".repeat(55) + "0002" + "0000");
  });

  it("round-trips through parse and format, accepting upper case", () => {
    const text = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
    assert.equal(formatHash256(parseHash256(text.toUpperCase())), text);
    assert.equal(getBit(parseHash256(text), 1), true); // last digit 2 = bit 1
    assert.equal(getBit(parseHash256(text), 0), false);
  });

  it("refuses text that is not 64 hex digits", () => {
    for (const bad of ["", "abc", "g".repeat(64), "0".repeat(63), "0".repeat(65), " " + "0".repeat(63)]) {
      assert.equal(isHash256Hex(bad), false, bad);
      assert.throws(() => parseHash256(bad), RangeError);
    }
  });

  it("counts bits and distances", () => {
    const a = "f".repeat(64);
    const b = "0".repeat(64);
    assert.equal(hammingNorm(parseHash256(a)), 256);
    assert.equal(hammingDistanceHex(a, b), 256);
    assert.equal(hammingDistanceHex(a, a), 0);
    // The bridge photo in its two reference flavours differs by 6 bits.
    assert.equal(
      hammingDistance(
        parseHash256("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"),
        parseHash256("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"),
      ),
      6,
    );
  });
});
