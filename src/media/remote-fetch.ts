/**
 * Downloading media from untrusted URLs without server-side request forgery. Only http and
 * https, no credentials in the URL; every address the host resolves to must be public unless
 * configured otherwise; and the socket connects to the address that was checked (the DNS
 * answer is pinned), so a rebinding DNS server cannot swap in an internal address between
 * the check and the connection. Redirects are followed by hand and every hop is checked
 * again. The body is bounded in bytes and the whole fetch, redirects included, in time.
 */

import type { LookupAddress } from "node:dns";
import dns from "node:dns/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { describeError, RasdError, type ErrorCode } from "../core/errors.js";
import { quote } from "../kernels/url/input.js";
import { formatBytes } from "./limits.js";

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
}

export interface FetchedMedia {
  readonly bytes: Buffer;
  readonly contentType: string | undefined;
  /** The URL the body came from, after redirects. */
  readonly finalUrl: string;
}

type FetchErrorCode = Extract<ErrorCode, `fetch.${string}`>;

function fetchError(code: FetchErrorCode, message: string, cause?: unknown): RasdError {
  return new RasdError(code, message, cause === undefined ? undefined : { cause });
}

const DEFAULT_MAX_REDIRECTS = 3;
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout fires at once beyond this
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

// Non-public ranges from the IANA special-purpose address registries, most specific first.
// IPv4 and IPv6 rules live in separate lists: a BlockList matches IPv4 addresses against
// IPv6 rules through their ::ffff: form.
const V4_RANGES = ranges("ipv4", [
  ["0.0.0.0", 8, "'this network'"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared address space (CGNAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local, cloud metadata"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "6to4 relay anycast"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved, broadcast"],
]);
const V6_RANGES = ranges("ipv6", [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["fc00::", 7, "unique local, private"],
  ["fe80::", 10, "link-local"],
  ["ff00::", 8, "multicast"],
  ["2001:db8::", 32, "documentation"],
  ["3fff::", 20, "documentation"],
  ["2001::", 23, "IETF protocol assignments, Teredo"],
  ["2002::", 16, "6to4"],
  // Outside 2000::/3, the only block IANA has allocated for global unicast.
  ["::", 3, "reserved"],
  ["4000::", 2, "reserved"],
  ["8000::", 1, "reserved"],
]);
/** IPv6 ranges that carry an IPv4 address in their last 32 bits: IPv4-mapped and NAT64. */
const EMBEDS_V4 = new BlockList();
EMBEDS_V4.addSubnet("::ffff:0:0", 96, "ipv6");
EMBEDS_V4.addSubnet("64:ff9b::", 96, "ipv6");

function ranges(family: "ipv4" | "ipv6", table: readonly (readonly [string, number, string])[]) {
  return table.map(([network, prefix, kind]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return { list, kind };
  });
}

/**
 * True when `ip` is a public unicast address; false for loopback, private, link-local,
 * CGNAT, multicast, reserved and documentation ranges (IPv4-mapped and NAT64 IPv6 addresses
 * are judged by the IPv4 address inside), and for anything that is not an IP address.
 * @example isPublicAddress("8.8.8.8") // true
 * @example isPublicAddress("::ffff:169.254.169.254") // false
 */
export function isPublicAddress(ip: string): boolean {
  return nonPublicKind(ip) === undefined;
}

/** Which kind of non-public address `ip` is ("loopback", "private", ...); undefined when public. */
function nonPublicKind(ip: string): string | undefined {
  const family = isIP(ip);
  if (family === 4) return V4_RANGES.find((range) => range.list.check(ip, "ipv4"))?.kind;
  if (family !== 6) return "not an IP address";
  const bare = ip.replace(/%.*$/s, ""); // zone index, as in fe80::1%eth0
  if (EMBEDS_V4.check(bare, "ipv6")) return nonPublicKind(lastIPv4(bare));
  return V6_RANGES.find((range) => range.list.check(bare, "ipv6"))?.kind;
}

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function lastIPv4(ip: string): string {
  // The URL parser writes IPv6 in canonical form: lower-case hex groups, no dotted tail.
  const text = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const [head = "", tail = ""] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  const hi = parseInt(groups[6]!, 16);
  const lo = parseInt(groups[7]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
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
  checkOptions(options);
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const allowed = allowance(options);
  let target = parseTarget(url);
  const controller = new AbortController();
  const { signal } = controller;
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    for (let redirects = 0; ; redirects++) {
      const addresses = await abortable(resolveChecked(target, allowed), signal);
      const response = await get(target, addresses, options.userAgent ?? "rasd", signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(status) && location !== undefined) {
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
      if (status < 200 || status > 299) {
        response.destroy();
        const reason = response.statusMessage ? ` ${response.statusMessage}` : "";
        throw fetchError("fetch.status", `${quote(target.href)} answered HTTP ${status}${reason}`);
      }
      const bytes = await readBounded(response, target, options.maxBytes);
      return { bytes, contentType: response.headers["content-type"], finalUrl: target.href };
    }
  } catch (error) {
    if (error instanceof RasdError) throw error;
    const at = target.href === url ? "" : ` (at ${quote(target.href)})`;
    if (signal.aborted) {
      throw fetchError("fetch.timeout", `fetching ${quote(url)} took longer than ${options.timeoutMs} ms${at}`, error);
    }
    throw fetchError("fetch.network", `cannot fetch ${quote(target.href)}: ${describeError(error)}`, error);
  } finally {
    clearTimeout(timer);
  }
}

function checkOptions(options: RemoteFetchOptions): void {
  const { maxBytes, timeoutMs, maxRedirects = DEFAULT_MAX_REDIRECTS } = options;
  if (!(maxBytes >= 0)) throw new RasdError("invalid", `maxBytes must be a number of bytes, not ${maxBytes}`);
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) {
    throw new RasdError("invalid", `timeoutMs must be between 1 and ${MAX_TIMER_MS}, not ${timeoutMs}`);
  }
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) {
    throw new RasdError("invalid", `maxRedirects must be a whole number, not ${maxRedirects}`);
  }
}

/** Parses and checks a URL to fetch; `from` is the URL that redirected to it. */
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
function allowance(options: RemoteFetchOptions): Allowance {
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

/** Resolves the URL's host and refuses it when any of its addresses is non-public and not allowed. */
async function resolveChecked(url: URL, allowed: Allowance): Promise<LookupAddress[]> {
  const host = bareHost(url.hostname);
  const literal = isIP(host);
  const addresses = literal
    ? [{ address: host, family: literal }]
    : await dns.lookup(host, { all: true, verbatim: true });
  if (addresses.length === 0) throw new Error(`no addresses for host ${quote(host)}`);
  for (const { address } of addresses) {
    const kind = nonPublicKind(address.replace(/%.*$/s, ""));
    if (kind === undefined || allowed(host, address)) continue;
    const what = literal ? address : `host ${quote(host)} resolves to ${address}, which`;
    throw fetchError(
      "fetch.private_address",
      `refusing ${quote(url.href)}: ${what} is not a public address (${kind}); list it in allowHosts to fetch from it`,
    );
  }
  return addresses;
}

/** Sends a GET to the checked addresses only, keeping the URL's host name for Host and SNI. */
function get(url: URL, addresses: LookupAddress[], userAgent: string, signal: AbortSignal): Promise<IncomingMessage> {
  const host = bareHost(url.hostname);
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };
  const https = url.protocol === "https:";
  const requestOptions: RequestOptions = {
    hostname: host,
    port: url.port === "" ? undefined : Number(url.port),
    path: url.pathname + url.search,
    headers: { host: url.host, "user-agent": userAgent, accept: "*/*", "accept-encoding": "identity" },
    lookup: pinned,
    agent: false, // no pooled socket: it may have been opened to an address checked under other options
    signal,
    ...(https && isIP(host) === 0 ? { servername: host } : {}),
  };
  return new Promise((resolve, reject) => {
    const request = (https ? httpsRequest : httpRequest)(requestOptions, resolve);
    request.on("error", reject);
    request.end();
  });
}

/** Reads the whole body, stopping as soon as it is known to be over `maxBytes`. */
async function readBounded(response: IncomingMessage, url: URL, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers["content-length"]);
  if (declared > maxBytes) {
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
    if (total > maxBytes) {
      throw fetchError("fetch.too_large", `${quote(url.href)} sent more than the ${formatBytes(maxBytes)} limit`);
    }
    chunks.push(chunk);
  }
  if (!response.complete) throw new Error("the connection closed before the whole body arrived");
  return Buffer.concat(chunks, total);
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
