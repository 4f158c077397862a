/**
 * Tracking tokens for counter-content served by a redirect (issue 20): what was served, to
 * which member, for which narrative and language, and a random impression id — nothing of
 * the searcher (no query, no address, no account). Signed with HMAC-SHA256 (truncated to 128
 * bits) under a key derived from the server's secret key, so a platform cannot make up
 * impressions of items it was never served, and events can be tied to the serving. Pure.
 *
 * Form: base64url(JSON payload) "." base64url(MAC).
 */

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
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

/**
 * Signs claims into a token.
 * @example verifyTrackingToken(key, signTrackingToken(key, claims)) // claims
 */
export function signTrackingToken(key: Uint8Array, claims: TrackingClaims): string {
  const payload = Buffer.from(
    JSON.stringify([claims.item, claims.org, claims.narrative, claims.lang, claims.at, claims.imp]),
  ).toString("base64url");
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
    throw new RasdError("invalid", "tracking token: the signature does not match (not issued by this server, or changed)");
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw new RasdError("invalid", "tracking token: the payload is not JSON");
  }
  if (
    !Array.isArray(fields) ||
    fields.length !== 6 ||
    typeof fields[0] !== "number" ||
    typeof fields[1] !== "number" ||
    typeof fields[2] !== "string" ||
    typeof fields[3] !== "string" ||
    typeof fields[4] !== "number" ||
    typeof fields[5] !== "string"
  )
    throw new RasdError("invalid", "tracking token: the payload has the wrong shape");
  const [item, org, narrative, lang, at, imp] = fields as [number, number, string, string, number, string];
  return { item, org, narrative, lang, at, imp };
}
