/**
 * Following a link hop by hop, and checking whether it is still up. Every request goes
 * through the SSRF-safe agent (media/safe-http.ts): public addresses only unless the operator
 * allowed private ones for tests (RASD_LINK_ALLOW_PRIVATE=1), the DNS answer pinned, each hop
 * bounded in time and bytes. Redirects are not left to the agent: each hop is requested
 * with `followRedirects: false` so the whole chain is recorded (and matched) — HEAD first, GET
 * when the host refuses HEAD (405, 501, 400, 403) or drops it; a shortener's 200 page is read
 * for a `<meta http-equiv="refresh">` redirect. The chain stops after `maxHops` requests.
 */

import { describeError, isRasdError } from "../../core/errors.js";
import {
  canonicalizeUrl,
  isShortenerHost,
  linkStatus,
  type LinkStatus,
  type ShortenerSet,
} from "../../kernels/url/index.js";
import { safeRequest, type Resolver, type SafeResponse } from "../../media/safe-http.js";
import type { LinkHop } from "../../storage/ports/index.js";

/** How links are fetched (config/links.ts gives the operator's values). */
export interface LinkHttp {
  /** Connect to loopback and private addresses (tests' "hosts" on 127.0.0.1). Default false. */
  readonly allowPrivate: boolean;
  /** Time limit per request, ms. */
  readonly timeoutMs: number;
  /** Requests in one chain, redirects included. */
  readonly maxHops: number;
  /** The most of a body read (for a removed page or a refresh redirect). */
  readonly maxBytes: number;
  readonly userAgent: string;
  readonly resolve?: Resolver;
}

export const DEFAULT_LINK_HTTP: LinkHttp = {
  allowPrivate: false,
  timeoutMs: 10_000,
  maxHops: 10,
  maxBytes: 64 * 1024,
  userAgent: "rasd-links/1 (+liveness check)",
};

/** A followed chain: every hop, where it ended, or why it stopped. */
export interface Chain {
  readonly hops: readonly LinkHop[];
  /** The last hop's URL when it answered without redirecting. */
  readonly finalUrl: string | null;
  readonly error: string | null;
  /** The last answer's status and (2xx) body start, for the liveness verdict. */
  readonly finalStatus: number | null;
  readonly finalBody?: string;
  /** The last answer's Retry-After, ms (a 429 or 503). */
  readonly retryAfterMs?: number;
}

const REFUSES_HEAD: ReadonlySet<number> = new Set([400, 403, 405, 501]);
const REDIRECT: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const META_REFRESH =
  /<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*\d*\s*;\s*url\s*=\s*['"]?([^"'>\s]+)/i;
/** Retry-After beyond this is taken as this. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/** A canonical URL (no scheme) or one as written, as a URL to request: https unless it says http. */
export function requestUrl(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`;
}

/** Retry-After in ms (seconds or an HTTP date), bounded; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === "") return undefined;
  const seconds = Number(v);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(v) - now;
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : undefined;
}

async function request(url: string, method: "HEAD" | "GET", http: LinkHttp): Promise<SafeResponse> {
  return safeRequest(url, {
    method,
    headers: { "user-agent": http.userAgent, accept: "text/html,*/*;q=0.8", "accept-encoding": "identity" },
    maxBytes: http.maxBytes,
    truncateBody: true,
    timeoutMs: http.timeoutMs,
    followRedirects: false,
    allowPrivate: http.allowPrivate,
    privateHint: "set RASD_LINK_ALLOW_PRIVATE=1 to check links on private addresses (tests only)",
    ...(http.resolve ? { resolve: http.resolve } : {}),
  });
}

interface Answer {
  readonly hop: LinkHop;
  readonly response?: SafeResponse;
}

/** One hop: HEAD, or GET when `get` or when the host refuses HEAD. */
async function hop(url: string, http: LinkHttp, get: boolean): Promise<Answer[]> {
  const out: Answer[] = [];
  for (const method of get ? (["GET"] as const) : (["HEAD", "GET"] as const)) {
    const t0 = performance.now();
    try {
      const response = await request(url, method, http);
      const location = REDIRECT.has(response.status) ? response.headers.location : undefined;
      out.push({
        hop: {
          url,
          method,
          status: response.status,
          ...(location ? { location: new URL(location, url).href } : {}),
          ms: Math.round(performance.now() - t0),
        },
        response,
      });
      if (method === "HEAD" && REFUSES_HEAD.has(response.status)) continue;
      return out;
    } catch (error) {
      const permanent = isRasdError(error) && /^(fetch\.(scheme|credentials|private_address)|url)/.test(error.code);
      out.push({
        hop: { url, method, status: null, error: describeError(error), ms: Math.round(performance.now() - t0) },
      });
      if (permanent || method === "GET" || (isRasdError(error) && error.code === "fetch.timeout")) return out;
    }
  }
  return out;
}

/**
 * Follows `url` (canonical or absolute) to where it ends, recording every request. With
 * `shorteners`, a 200 page of a shortener host is read for a refresh redirect; a final 2xx
 * page on a host `readFinal` names is read too (its start, for removed-page patterns).
 */
export async function followChain(
  url: string,
  http: LinkHttp,
  options: { readonly shorteners?: ShortenerSet; readonly readFinal?: (host: string) => boolean } = {},
): Promise<Chain> {
  const hops: LinkHop[] = [];
  let next = requestUrl(url);
  let triedHttp = false;
  while (hops.length < http.maxHops) {
    const host = hostOf(next);
    const shortener =
      host !== undefined && options.shorteners !== undefined && isShortenerHost(host, options.shorteners);
    const answers = await hop(next, http, false);
    for (const a of answers) hops.push(a.hop);
    const last = answers[answers.length - 1]!;
    if (!last.response) {
      // https refused on the very first request: the link may be http only.
      if (hops.length === answers.length && !triedHttp && next.startsWith("https://") && !/^https:/i.test(url)) {
        triedHttp = true;
        next = `http://${next.slice("https://".length)}`;
        continue;
      }
      return { hops, finalUrl: null, error: last.hop.error ?? "no answer", finalStatus: null };
    }
    const r = last.response;
    if (last.hop.location) {
      next = last.hop.location;
      continue;
    }
    let body: string | undefined;
    const read = shortener || (host !== undefined && options.readFinal?.(host) === true);
    if (r.status >= 200 && r.status <= 299 && read) {
      // The page itself: HEAD said nothing of its content.
      const page = last.hop.method === "GET" ? [last] : await hop(next, http, true);
      if (last.hop.method !== "GET") for (const a of page) hops.push(a.hop);
      const p = page[page.length - 1]!;
      body = p.response?.bytes.toString("utf8");
      const refresh = shortener && body ? META_REFRESH.exec(body)?.[1] : undefined;
      if (refresh) {
        const target = new URL(refresh.replace(/&amp;/g, "&"), next).href;
        hops[hops.length - 1] = { ...hops[hops.length - 1]!, location: target };
        next = target;
        continue;
      }
    }
    const wait = r.status === 429 || r.status === 503 ? retryAfterMs(r.headers["retry-after"], Date.now()) : undefined;
    return {
      hops,
      finalUrl: next,
      error: null,
      finalStatus: r.status,
      ...(body !== undefined ? { finalBody: body } : {}),
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    };
  }
  return { hops, finalUrl: null, error: `more than ${http.maxHops} requests (a redirect loop?)`, finalStatus: null };
}

function hostOf(url: string): string | undefined {
  try {
    return canonicalizeUrl(url).host;
  } catch {
    return undefined;
  }
}

/** A liveness check's verdict on a followed chain. */
export function chainStatus(chain: Chain): { status: LinkStatus; detail: string } {
  if (chain.error !== null) return { status: "error", detail: chain.error };
  const final = chain.finalUrl ? safeUrl(chain.finalUrl) : undefined;
  const status = linkStatus({
    status: chain.finalStatus,
    ...(final ? { host: hostOf(final.href) ?? final.hostname, path: final.pathname } : {}),
    ...(chain.finalBody !== undefined ? { body: chain.finalBody } : {}),
  });
  const detail =
    status === "removed" && chain.finalStatus !== null && chain.finalStatus < 300
      ? `HTTP ${chain.finalStatus}: the host's "removed" page`
      : `HTTP ${chain.finalStatus}`;
  return { status, detail };
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
