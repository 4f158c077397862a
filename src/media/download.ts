/**
 * Media fetched from a URL on a caller's behalf (HMA's hash-from-URL): the SSRF-safe fetch
 * of `remote-fetch.ts` with the limits for one piece of media, and what its Content-Type
 * says it is.
 */

import { isRasdError } from "../core/errors.js";
import { fetchRemoteMedia, type FetchedMedia } from "./remote-fetch.js";

/** The largest media fetched by URL. */
const MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024;
/** The time limit for fetching it, redirects included. */
const DOWNLOAD_TIMEOUT_MS = 30_000;

/** Refusals of the URL itself: other schemes, credentials, non-public addresses, malformed. */
const UNSAFE_URL: ReadonlySet<string> = new Set([
  "fetch.private_address",
  "fetch.scheme",
  "fetch.credentials",
  "url.invalid",
]);

/** Fetches media from `url` (public addresses only unless `allowPrivate`). */
export function downloadMedia(url: string, options: { allowPrivate: boolean }): Promise<FetchedMedia> {
  return fetchRemoteMedia(url, {
    maxBytes: MAX_DOWNLOAD_BYTES,
    timeoutMs: DOWNLOAD_TIMEOUT_MS,
    allowPrivate: options.allowPrivate,
  });
}

/** A download error that refused the URL, rather than failing to fetch it. */
export function isUnsafeUrlError(error: unknown): boolean {
  return isRasdError(error) && UNSAFE_URL.has(error.code);
}

/** A download error for a body over the size limit. */
export function isTooLargeError(error: unknown): boolean {
  return isRasdError(error) && error.code === "fetch.too_large";
}

/** What a Content-Type header says the media is (undefined: neither an image nor a video). */
export function mediaKindOfContentType(header: string): "image" | "video" | undefined {
  return header.startsWith("image") ? "image" : header.startsWith("video") ? "video" : undefined;
}
