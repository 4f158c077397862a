/**
 * How every exchange client asks its remote for JSON: only through the SSRF-safe agent
 * (media/safe-http.ts), bounded in bytes and time, private addresses refused unless the
 * operator allowed them (RASD_EXCHANGE_ALLOW_PRIVATE=1). A non-2xx answer is a `fetch.status`
 * error naming the status and the start of the remote's body.
 */

import type { IncomingHttpHeaders } from "node:http";
import { RasdError } from "../../core/errors.js";
import { safeRequest, type Resolver } from "../../media/safe-http.js";

export interface ExchangeHttp {
  /** Connect to loopback and private addresses (configured internal peers, tests). */
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly resolve?: Resolver;
}

export const DEFAULT_EXCHANGE_HTTP: ExchangeHttp = { allowPrivate: false, timeoutMs: 30_000, maxBytes: 32 << 20 };

/** GETs `url` and parses its JSON body. */
export async function getJson(
  url: string,
  http: ExchangeHttp,
  headers: Readonly<Record<string, string>> = {},
): Promise<unknown> {
  return (await getJsonAnswer(url, http, headers)).json;
}

/** A remote's non-2xx answer (a `fetch.status` error) with its HTTP status, for APIs that recover from some. */
export class RemoteStatusError extends RasdError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super("fetch.status", message);
  }
}

/** GETs `url`: its JSON body and the answer's headers. */
export function getJsonAnswer(
  url: string,
  http: ExchangeHttp,
  headers: Readonly<Record<string, string>> = {},
): Promise<{ json: unknown; headers: IncomingHttpHeaders }> {
  return requestJson(url, http, headers);
}

/** POSTs an HTML form (`application/x-www-form-urlencoded`) to `url` and parses the JSON answer. */
export async function postFormJson(
  url: string,
  http: ExchangeHttp,
  form: Readonly<Record<string, string>>,
): Promise<unknown> {
  const body = new URLSearchParams(form).toString();
  return (
    await requestJson(url, http, { "content-type": "application/x-www-form-urlencoded" }, { method: "POST", body })
  ).json;
}

/** Sends a JSON body (POST) or nothing (DELETE) to `url` and parses the JSON answer. */
export async function sendJson(
  url: string,
  http: ExchangeHttp,
  method: "POST" | "DELETE",
  headers: Readonly<Record<string, string>>,
  body?: unknown,
): Promise<unknown> {
  return (
    await requestJson(
      url,
      http,
      { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
      { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) },
    )
  ).json;
}

async function requestJson(
  url: string,
  http: ExchangeHttp,
  headers: Readonly<Record<string, string>>,
  send: { method: "POST" | "DELETE"; body?: string } | undefined = undefined,
): Promise<{ json: unknown; headers: IncomingHttpHeaders }> {
  const r = await safeRequest(url, {
    ...(send ?? {}),
    headers: { accept: "application/json", ...headers },
    maxBytes: http.maxBytes,
    timeoutMs: http.timeoutMs,
    allowPrivate: http.allowPrivate,
    privateHint: "set RASD_EXCHANGE_ALLOW_PRIVATE=1 to fetch exchanges from private addresses",
    ...(http.resolve ? { resolve: http.resolve } : {}),
    readBody: true,
  });
  if (r.status < 200 || r.status > 299) {
    // The body of a refusal is not read by the agent; the status says enough.
    throw new RemoteStatusError(r.status, `${redact(url)} answered HTTP ${r.status} ${r.statusMessage}`.trim());
  }
  try {
    return { json: JSON.parse(r.bytes.toString("utf8")) as unknown, headers: r.headers };
  } catch {
    throw new RasdError("fetch.status", `${redact(url)} answered something that is not JSON`);
  }
}

/** A URL without query values that may hold a token (ThreatExchange's access_token). */
export function redact(url: string): string {
  return url.replace(/([?&]access_token=)[^&]*/g, "$1…");
}

/** An http(s) URL ending with "/", or an error naming the field. */
export function baseUrl(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new RasdError("invalid", `${field}: required (a URL)`);
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw new RasdError("invalid", `${field}: not a URL: ${value}`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:")
    throw new RasdError("invalid", `${field}: must be https:// (or http:// to a private peer)`);
  if (u.username || u.password) throw new RasdError("invalid", `${field}: credentials go in credentials, not the URL`);
  u.search = "";
  u.hash = "";
  return u.href.endsWith("/") ? u.href : `${u.href}/`;
}

/** The Authorization header of an API key (bearer) or a user and password (HTTP Basic), if any. */
export function authorization(c: Readonly<Record<string, string>> | null): Record<string, string> {
  if (c?.api_key) return { authorization: `Bearer ${c.api_key}` };
  if (c?.username !== undefined && c.password !== undefined)
    return { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}` };
  return {};
}
