/**
 * Media fetched from a URL on a caller's behalf (HMA's hash-from-URL): the SSRF-safe fetch
 * of `remote-fetch.ts` with the limits for one piece of media, and what its Content-Type
 * says it is.
 */

import { RasdError, isRasdError } from "../core/errors.js";
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

/**
 * What is wrong with the URL's authority as written (undefined: nothing), checked on the raw
 * text before the WHATWG parser mends it: as HMA's is_valid_url, an empty authority
 * (`http:///example.com`, which the parser reads as `http://example.com/`) and a port that is
 * not digits (`http://example.com:`) are refused.
 */
export function authorityProblem(url: string): string | undefined {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url)?.[1];
  if (authority === undefined) return undefined; // not scheme://…: the parser's refusal says why
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  if (hostPort === "") return "no host";
  const rest = hostPort.startsWith("[") ? hostPort.slice(hostPort.indexOf("]") + 1) : hostPort.replace(/^[^:]*/, "");
  if (rest !== "" && !/^:\d+$/.test(rest)) return `the port is not a number (${JSON.stringify(rest.slice(1))})`;
  return undefined;
}

/** Fetches media from `url` (public addresses only unless `allowPrivate`). */
export function downloadMedia(url: string, options: { allowPrivate: boolean }): Promise<FetchedMedia> {
  const problem = authorityProblem(url);
  if (problem) return Promise.reject(new RasdError("url.invalid", `${problem} in ${JSON.stringify(url)}`));
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
