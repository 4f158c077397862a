/**
 * Downloading media from untrusted URLs to hash them: a GET through the SSRF-safe agent
 * (`safe-http.ts`: public addresses only unless allowed, the DNS answer pinned, every
 * redirect checked again, bounded in bytes and time) that accepts only a 2xx answer.
 */

import { RasdError } from "../core/errors.js";
import { quote } from "../kernels/url/input.js";
import { safeRequest, type Resolver } from "./safe-http.js";

export interface RemoteFetchOptions {
  /** Largest accepted body, in bytes: checked against Content-Length, then counted while reading. */
  readonly maxBytes: number;
  /** Time limit for the whole fetch, DNS and redirects included, in milliseconds. */
  readonly timeoutMs: number;
  /** Redirects followed before giving up. Default 3. */
  readonly maxRedirects?: number;
  /** Fetch from loopback, private, link-local and other non-public addresses. Default false. */
  readonly allowPrivate?: boolean;
  /** Host names or IP addresses that may be non-public (configured internal sources). */
  readonly allowHosts?: readonly string[];
  readonly userAgent?: string;
  /** Who answers the DNS question (tests inject one); default the system resolver. */
  readonly resolve?: Resolver;
}

export interface FetchedMedia {
  readonly bytes: Buffer;
  readonly contentType: string | undefined;
  /** The URL the body came from, after redirects. */
  readonly finalUrl: string;
}

/**
 * Downloads `url`, refusing non-public addresses (see `isPublicAddress`), other schemes,
 * credentials, too many redirects, non-2xx answers, bodies over `maxBytes` and fetches
 * over `timeoutMs`, each with a `RasdError` whose `fetch.*` code says which.
 * @example
 *   const { bytes, contentType } = await fetchRemoteMedia("https://example.com/a.jpg", {
 *     maxBytes: DEFAULT_IMAGE_LIMITS.maxBytes,
 *     timeoutMs: 30_000,
 *   });
 */
export async function fetchRemoteMedia(url: string, options: RemoteFetchOptions): Promise<FetchedMedia> {
  const { userAgent = "rasd", ...rest } = options;
  const response = await safeRequest(url, {
    ...rest,
    headers: { "user-agent": userAgent, accept: "*/*", "accept-encoding": "identity" },
    privateHint: "list it in allowHosts to fetch from it",
  });
  const { status, statusMessage } = response;
  if (status < 200 || status > 299) {
    const reason = statusMessage ? ` ${statusMessage}` : "";
    throw new RasdError("fetch.status", `${quote(response.url)} answered HTTP ${status}${reason}`);
  }
  return { bytes: response.bytes, contentType: response.headers["content-type"], finalUrl: response.url };
}
