/**
 * Tracking tokens for counter-content served by a redirect (issue 20): what was served, to
 * which member, for which narrative and language, and a random impression id — nothing of
 * the searcher (no query, no address, no account). Signed with HMAC-SHA256 (truncated to 128
 * bits) under a key derived from the server's secret key, so a platform cannot make up
 * impressions of items it was never served, and events can be tied to the serving. Pure.
 *
 * Form: base64url(payload) "." base64url(MAC), the payload binary (see `signTrackingToken`).
 */

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { COUNTER_LANGS, NARRATIVES, type CounterLang, type Narrative } from "../../core/counter.js";
import { RasdError } from "../../core/errors.js";

export interface TrackingClaims {
  /** The counter item served. */
  readonly item: number;
  /** The member it was served to. */
  readonly org: number;
  /** The narrative it answered. */
  readonly narrative: string;
  readonly lang: string;
  /** When it was served, Unix seconds. */
  readonly at: number;
  /** A random impression id (16 hex digits). */
  readonly imp: string;
}

const MAC_BYTES = 16;

/** The token key from the master key: separate from every other use of it. */
export function trackingKey(masterKey: Uint8Array): Buffer {
  return createHmac("sha256", masterKey).update("rasd counter tracking token v1").digest();
}

function mac(key: Uint8Array, payload: string): Buffer {
  return createHmac("sha256", key).update(payload).digest().subarray(0, MAC_BYTES);
}

/** A new impression id. */
export function newImpressionId(): string {
  return randomBytes(8).toString("hex");
}

const VERSION = 1;
/** version 1 | item 4 | org 4 | narrative 1 | lang 1 | at 4 | impression 8. */
const PAYLOAD_BYTES = 23;

/**
 * Signs claims into a token: a 23-byte binary payload and a 16-byte MAC, 53 characters in all
 * (short enough for a path segment of a link).
 * @example verifyTrackingToken(key, signTrackingToken(key, claims)) // claims
 */
export function signTrackingToken(key: Uint8Array, claims: TrackingClaims): string {
  const narrative = NARRATIVES.indexOf(claims.narrative as Narrative);
  const lang = COUNTER_LANGS.indexOf(claims.lang as CounterLang);
  if (narrative < 0 || lang < 0 || !/^[0-9a-f]{16}$/.test(claims.imp))
    throw new RasdError("invalid", "tracking token: unknown narrative or language, or a malformed impression id");
  const b = Buffer.alloc(PAYLOAD_BYTES);
  b.writeUInt8(VERSION, 0);
  b.writeUInt32BE(claims.item, 1);
  b.writeUInt32BE(claims.org, 5);
  b.writeUInt8(narrative, 9);
  b.writeUInt8(lang, 10);
  b.writeUInt32BE(claims.at, 11);
  Buffer.from(claims.imp, "hex").copy(b, 15);
  const payload = b.toString("base64url");
  return `${payload}.${mac(key, payload).toString("base64url")}`;
}

/** The claims of a token, or a RasdError ("invalid") naming what is wrong with it. */
export function verifyTrackingToken(key: Uint8Array, token: string): TrackingClaims {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined)
    throw new RasdError("invalid", "tracking token: not of the form <payload>.<signature>");
  const given = Buffer.from(signature, "base64url");
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new RasdError(
      "invalid",
      "tracking token: the signature does not match (not issued by this server, or changed)",
    );
  const b = Buffer.from(payload, "base64url");
  if (b.length !== PAYLOAD_BYTES || b.readUInt8(0) !== VERSION)
    throw new RasdError("invalid", "tracking token: an unknown version of the payload");
  const narrative = NARRATIVES[b.readUInt8(9)];
  const lang = COUNTER_LANGS[b.readUInt8(10)];
  if (!narrative || !lang) throw new RasdError("invalid", "tracking token: unknown narrative or language");
  return {
    item: b.readUInt32BE(1),
    org: b.readUInt32BE(5),
    narrative,
    lang,
    at: b.readUInt32BE(11),
    imp: b.subarray(15, 23).toString("hex"),
  };
}
