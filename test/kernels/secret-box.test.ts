import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { isSealed, open, openOrPlain, seal } from "../../src/kernels/crypto/secret-box.js";

const key = randomBytes(32);
const secret = "whsec_" + Buffer.alloc(32, 7).toString("base64");

describe("secret box (AES-256-GCM)", () => {
  it("seals to text that does not contain the secret and opens to it again; each seal differs", () => {
    const a = seal(key, secret);
    const b = seal(key, secret);
    assert.ok(isSealed(a));
    assert.notEqual(a, b);
    assert.ok(!a.includes(secret) && !a.includes(secret.slice(6)));
    assert.equal(open(key, a), secret);
    assert.equal(open(key, b), secret);
  });

  it("a changed byte anywhere is detected, not decrypted to something else", () => {
    const sealed = seal(key, secret);
    const bytes = Buffer.from(sealed.slice("sealed:v1:".length), "base64");
    for (const at of [0, 12, 20, 28, bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[at]! ^= 1;
      assert.throws(() => open(key, "sealed:v1:" + changed.toString("base64")), /does not open|cut short/);
    }
    assert.throws(() => open(key, "sealed:v1:AAAA"), /cut short/);
  });

  it("the wrong key is an error naming the likely cause", () => {
    const sealed = seal(key, secret);
    assert.throws(() => open(randomBytes(32), sealed), /sealed under another key \(check RASD_SECRET_KEY/);
    assert.throws(() => seal(randomBytes(16), secret), /must be 32 bytes, not 16/);
  });

  it("plain values from before sealing are read as they are", () => {
    assert.equal(openOrPlain(key, secret), secret);
    assert.equal(openOrPlain(key, seal(key, secret)), secret);
  });
});
