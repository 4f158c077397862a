/**
 * Secrets sealed at rest: AES-256-GCM with a 32-byte master key, a fresh 12-byte nonce per
 * value, and the 16-byte tag that makes any change to the stored text (or the wrong key) an
 * error rather than a different plaintext. A sealed value is text, so it fits where the plain
 * secret was: "sealed:v1:" + base64(nonce | tag | ciphertext). Pure (no I/O).
 */

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { RasdError } from "../../core/errors.js";

export const SECRET_KEY_BYTES = 32;
const PREFIX = "sealed:v1:";
const NONCE = 12;
const TAG = 16;

/** Whether a stored value is sealed (anything else is a plain secret from before sealing). */
export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

function checkKey(key: Uint8Array): void {
  if (key.length !== SECRET_KEY_BYTES)
    throw new RasdError("invalid", `the secret key must be ${SECRET_KEY_BYTES} bytes, not ${key.length}`);
}

/**
 * Seals `plain` under `key`; every call gives a different text.
 * @example open(key, seal(key, "whsec_…")) // "whsec_…"
 */
export function seal(key: Uint8Array, plain: string): string {
  checkKey(key);
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return PREFIX + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString("base64");
}

/**
 * The plaintext of a sealed value. Throws a RasdError ("invalid") when the value is not
 * sealed, is cut short, was changed, or was sealed under another key.
 */
export function open(key: Uint8Array, sealed: string): string {
  checkKey(key);
  if (!isSealed(sealed)) throw new RasdError("invalid", "not a sealed value");
  const bytes = Buffer.from(sealed.slice(PREFIX.length), "base64");
  if (bytes.length < NONCE + TAG) throw new RasdError("invalid", "a sealed value is cut short");
  const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, NONCE));
  decipher.setAuthTag(bytes.subarray(NONCE, NONCE + TAG));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(NONCE + TAG)), decipher.final()]).toString("utf8");
  } catch (error) {
    throw new RasdError(
      "invalid",
      "a sealed secret does not open with this secret key: it was sealed under another key (check RASD_SECRET_KEY or the data folder's secret.key) or changed since",
      { cause: error },
    );
  }
}

/** Reads a stored value: sealed ones are opened, plain ones (written before sealing) returned as they are. */
export function openOrPlain(key: Uint8Array, stored: string): string {
  return isSealed(stored) ? open(key, stored) : stored;
}
