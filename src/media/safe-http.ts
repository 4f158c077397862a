/**
 * The one way rasd sends an HTTP request out (media downloads for hashing, webhook
 * deliveries), safe against server-side request forgery. Only http and https, no
 * credentials in the URL; the host is resolved once and every address it resolves to must
 * be public unless allowed; the socket then connects to exactly the addresses that were
 * checked (the answer is pinned through the request's `lookup`), so a rebinding DNS server
 * cannot swap in an internal address between the check and the connection. TLS keeps the
 * host name for SNI and the certificate check. GET redirects are followed by hand and every
 * hop is checked again; a body is bounded in bytes, and the whole request, DNS, redirects and
 * body included, in time. Failures are `RasdError`s whose `fetch.*` code says which.
 */

import type { LookupAddress } from "node:dns";
import dns from "node:dns/promises";
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { describeError, RasdError, type ErrorCode } from "../core/errors.js";
import { quote } from "../kernels/url/input.js";
import { formatBytes } from "./limits.js";
import { nonPublicKind } from "./public-address.js";

/** Answers the addresses of a host name; the default asks the system resolver for all of them. */
export type Resolver = (host: string) => Promise<readonly LookupAddress[]>;

export interface SafeRequestOptions {
  /** Default GET. HEAD reads no body. */
  readonly method?: "GET" | "HEAD" | "POST" | "DELETE";
  /** Request headers; Host (the URL's host) and Content-Length are set here. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Largest accepted body, in bytes: checked against Content-Length, then counted while reading. */
  readonly maxBytes: number;
  /** Time limit for the whole request, DNS, redirects and body included, in milliseconds. */
  readonly timeoutMs: number;
  /** Redirects of a GET followed before giving up (default 3); other methods get the 3xx answer back. */
  readonly maxRedirects?: number;
  /** Follow a GET's redirects (default true); false returns every 3xx answer (a caller recording each hop). */
  readonly followRedirects?: boolean;
  /** Read a 2xx answer's body into `bytes` (default true); false lets every body go unread. */
  readonly readBody?: boolean;
  /** Keep only the first `maxBytes` of a longer body instead of failing with fetch.too_large. */
  readonly truncateBody?: boolean;
  /** Connect to loopback, private, link-local and other non-public addresses. Default false. */
  readonly allowPrivate?: boolean;
  /** Host names or IP addresses that may be non-public (configured internal sources). */
  readonly allowHosts?: readonly string[];
  /** Appended to the message refusing a non-public address: how the caller may allow it. */
  readonly privateHint?: string;
  /** Keep the connection open for the next request to the same checked addresses. Default false. */
  readonly keepAlive?: boolean;
  /** Who answers the DNS question (tests inject one); default `dns.lookup`, every address. */
  readonly resolve?: Resolver;
}

export interface SafeResponse {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: IncomingHttpHeaders;
  /** The body of a 2xx answer when `readBody` is on; empty otherwise. */
  readonly bytes: Buffer;
  /** The URL the answer came from, after redirects. */
  readonly url: string;
}

type FetchErrorCode = Extract<ErrorCode, `fetch.${string}`>;

function fetchError(code: FetchErrorCode, message: string, cause?: unknown): RasdError {
  return new RasdError(code, message, cause === undefined ? undefined : { cause });
}

const DEFAULT_MAX_REDIRECTS = 3;
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout fires at once beyond this
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Kept-alive connection pools, one per host and checked address set; the oldest is dropped. */
const MAX_POOLS = 64;
/** An idle kept-alive connection is closed after this long. */
const IDLE_SOCKET_MS = 30_000;

const systemResolver: Resolver = (host) => dns.lookup(host, { all: true, verbatim: true });

/**
 * Sends one request to `url` (following GET redirects), refusing non-public addresses (see
 * `isPublicAddress`), other schemes, credentials, too many redirects, bodies over `maxBytes`
 * and requests over `timeoutMs`. Any status is returned; only a 2xx body is read.
 * @example
 *   const r = await safeRequest("https://example.com/a.jpg", { maxBytes: 1 << 20, timeoutMs: 30_000 });
 *   if (r.status === 200) hash(r.bytes);
 */
export async function safeRequest(url: string, options: SafeRequestOptions): Promise<SafeResponse> {
  checkOptions(options);
  const method = options.method ?? "GET";
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const allowed = allowance(options);
  const resolve = options.resolve ?? systemResolver;
  let target = parseTarget(url);
  const controller = new AbortController();
  const { signal } = controller;
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    for (let redirects = 0; ; redirects++) {
      const addresses = await abortable(resolveChecked(target, allowed, resolve, options.privateHint), signal);
      const response = await send(target, addresses, options, signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      const follow = method === "GET" && options.followRedirects !== false;
      if (follow && REDIRECT_STATUSES.has(status) && location !== undefined) {
        response.destroy();
        if (redirects >= maxRedirects) {
          throw fetchError(
            "fetch.redirects",
            `too many redirects fetching ${quote(url)}: more than ${maxRedirects}, the last from ${quote(target.href)} to ${quote(location)}`,
          );
        }
        target = parseTarget(location, target);
        continue;
      }
      const read = method !== "HEAD" && options.readBody !== false && status >= 200 && status <= 299;
      const bytes = read
        ? await readBounded(response, target, options.maxBytes, options.truncateBody === true)
        : Buffer.alloc(0);
      if (!read) letGo(response, options);
      return {
        status,
        statusMessage: response.statusMessage ?? "",
        headers: response.headers,
        bytes,
        url: target.href,
      };
    }
  } catch (error) {
    if (error instanceof RasdError) throw error;
    const at = target.href === url ? "" : ` (at ${quote(target.href)})`;
    const verb = method === "GET" ? "fetch" : `${method} to`;
    if (signal.aborted) {
      const doing = method === "GET" ? "fetching" : `${method} to`;
      throw fetchError("fetch.timeout", `${doing} ${quote(url)} took longer than ${options.timeoutMs} ms${at}`, error);
    }
    throw fetchError("fetch.network", `cannot ${verb} ${quote(target.href)}: ${withoutAddresses(error)}`, error);
  } finally {
    clearTimeout(timer);
  }
}

function checkOptions(options: SafeRequestOptions): void {
  const { maxBytes, timeoutMs, maxRedirects = DEFAULT_MAX_REDIRECTS } = options;
  if (!(maxBytes >= 0)) throw new RasdError("invalid", `maxBytes must be a number of bytes, not ${maxBytes}`);
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) {
    throw new RasdError("invalid", `timeoutMs must be between 1 and ${MAX_TIMER_MS}, not ${timeoutMs}`);
  }
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) {
    throw new RasdError("invalid", `maxRedirects must be a whole number, not ${maxRedirects}`);
  }
}

/** Parses and checks a URL to request; `from` is the URL that redirected to it. */
function parseTarget(text: string, from?: URL): URL {
  const via = from ? ` (redirected from ${quote(from.href)})` : "";
  let url: URL;
  try {
    url = new URL(text, from);
  } catch (error) {
    if (from) throw fetchError("fetch.redirects", `${quote(from.href)} redirected to an invalid URL ${quote(text)}`);
    throw new RasdError("url.invalid", `not a URL: ${quote(text)}`, { cause: error });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw fetchError(
      "fetch.scheme",
      `refusing ${quote(url.href)}${via}: only http and https URLs are fetched, not ${url.protocol.slice(0, -1)}`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    // The URL itself is not quoted: it holds the credentials.
    throw fetchError(
      "fetch.credentials",
      `refusing a URL for host ${quote(url.host)}${via}: it carries a user name or password`,
    );
  }
  return url;
}

/** URL host name without IPv6 brackets or a trailing dot, as compared and resolved. */
function bareHost(hostname: string): string {
  return hostname
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "")
    .toLowerCase();
}

type Allowance = (host: string, address: string) => boolean;

/** Whether an address reached through a host may be non-public, from the options. */
function allowance(options: SafeRequestOptions): Allowance {
  if (options.allowPrivate) return () => true;
  const names = new Set<string>();
  const addresses = new BlockList();
  for (const entry of options.allowHosts ?? []) {
    const host = bareHost(entry.trim());
    const family = isIP(host);
    if (family === 0) names.add(host);
    else addresses.addAddress(host, family === 6 ? "ipv6" : "ipv4");
  }
  return (host, address) => names.has(host) || addresses.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g;
const IPV6 = /\[?\b(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:%\w+)?\]?(?::\d+)?/gi;

/**
 * A network error in words, without the addresses it names ("connect ECONNREFUSED
 * 10.0.0.7:443" names the host's resolved address, which the caller should not learn).
 */
export function withoutAddresses(error: unknown): string {
  const e = error as { code?: unknown; syscall?: unknown };
  if (typeof e.code === "string" && typeof e.syscall === "string") return `${e.syscall} ${e.code}`;
  return describeError(error).replace(IPV4, "(address)").replace(IPV6, "(address)");
}

/** Resolves the URL's host once and refuses it when any of its addresses is non-public and not allowed. */
async function resolveChecked(
  url: URL,
  allowed: Allowance,
  resolve: Resolver,
  hint: string | undefined,
): Promise<readonly LookupAddress[]> {
  const host = bareHost(url.hostname);
  const literal = isIP(host);
  const addresses = literal ? [{ address: host, family: literal }] : await resolve(host);
  if (addresses.length === 0) throw new Error(`no addresses for host ${quote(host)}`);
  for (const { address } of addresses) {
    const kind = nonPublicKind(address.replace(/%.*$/s, ""));
    if (kind === undefined || allowed(host, address)) continue;
    // The address a name resolves to is not echoed: a DNS answer of the operator's network
    // (split horizon) is not the caller's to learn. A literal address is the caller's own.
    const what = literal
      ? `${address} is not a public address`
      : `host ${quote(host)} resolves to a non-public address`;
    throw fetchError(
      "fetch.private_address",
      `refusing ${quote(url.href)}: ${what} (${kind})${hint ? `; ${hint}` : ""}`,
    );
  }
  return addresses;
}

/** Sends the request to the checked addresses only, keeping the URL's host name for Host and SNI. */
function send(
  url: URL,
  addresses: readonly LookupAddress[],
  options: SafeRequestOptions,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const host = bareHost(url.hostname);
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [...addresses]);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };
  const https = url.protocol === "https:";
  const { body } = options;
  const requestOptions: RequestOptions = {
    method: options.method ?? "GET",
    hostname: host,
    port: url.port === "" ? undefined : Number(url.port),
    path: url.pathname + url.search,
    headers: {
      ...options.headers,
      host: url.host,
      ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }),
    },
    lookup: pinned,
    // Without keep-alive, no pooled socket: it may have been opened to an address checked
    // under other options. A pool is only ever shared by requests to the same checked addresses.
    agent: options.keepAlive ? pinnedPool(url, addresses) : false,
    signal,
    ...(https && isIP(host) === 0 ? { servername: host } : {}),
  };
  return new Promise((resolve, reject) => {
    const request = (https ? httpsRequest : httpRequest)(requestOptions, resolve);
    request.on("error", reject);
    request.end(body);
  });
}

const pools = new Map<string, HttpAgent>();

/** The kept-alive connection pool for one host reached at one set of checked addresses. */
function pinnedPool(url: URL, addresses: readonly LookupAddress[]): HttpAgent {
  const key = `${url.protocol}//${url.host} ${addresses.map((a) => a.address).join(",")}`;
  let pool = pools.get(key);
  if (pool)
    pools.delete(key); // re-inserted below, as the newest
  else {
    const options = { keepAlive: true, timeout: IDLE_SOCKET_MS };
    pool = url.protocol === "https:" ? new HttpsAgent(options) : new HttpAgent(options);
  }
  pools.set(key, pool);
  // The oldest pool is forgotten, not destroyed: its idle sockets close on their own.
  if (pools.size > MAX_POOLS) pools.delete(pools.keys().next().value!);
  return pool;
}

/**
 * Reads the whole body, stopping as soon as it is known to be over `maxBytes`: an error, or
 * with `truncate` the first `maxBytes` (the rest let go).
 */
async function readBounded(response: IncomingMessage, url: URL, maxBytes: number, truncate = false): Promise<Buffer> {
  const declared = Number(response.headers["content-length"]);
  if (declared > maxBytes && !truncate) {
    response.destroy();
    throw fetchError(
      "fetch.too_large",
      `${quote(url.href)} is ${formatBytes(declared)} (Content-Length), over the ${formatBytes(maxBytes)} limit`,
    );
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes && truncate) {
      chunks.push(chunk.subarray(0, chunk.length - (total - maxBytes)));
      response.destroy();
      return Buffer.concat(chunks, maxBytes);
    }
    if (total > maxBytes) {
      throw fetchError("fetch.too_large", `${quote(url.href)} sent more than the ${formatBytes(maxBytes)} limit`);
    }
    chunks.push(chunk);
  }
  if (!response.complete) throw new Error("the connection closed before the whole body arrived");
  return Buffer.concat(chunks, total);
}

/**
 * Lets a body go unread. A kept-alive connection is drained in the background (at most
 * `maxBytes`, within `timeoutMs`) so that it can carry the next request; any other is closed.
 */
function letGo(response: IncomingMessage, options: SafeRequestOptions): void {
  if (!options.keepAlive) {
    response.destroy();
    return;
  }
  let seen = 0;
  const guard = setTimeout(() => response.destroy(), options.timeoutMs).unref();
  response.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > options.maxBytes) response.destroy();
  });
  response.once("close", () => clearTimeout(guard));
  response.on("error", () => undefined); // a reset while draining costs only the connection
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (DNS lookups cannot be cancelled). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
