/**
 * Headers every answer carries, whatever route made it: no MIME sniffing, no caching of API
 * answers (they hold members' data; a shared proxy or the browser's disk cache must not keep
 * them), no referrer, no framing, and HSTS when rasd serves TLS itself. A route that chose its
 * own caching or Content-Security-Policy (the web app's page and assets, the /docs page) keeps it.
 */

import type { FastifyInstance } from "fastify";

/** HSTS for a year, when rasd terminates TLS itself (`--tls-cert`, `--tls-key`). */
export const HSTS = "max-age=31536000; includeSubDomains";

/** API answers are data, never a document: nothing may load from or frame them. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The API documentation page (/docs, swagger-ui): its own scripts, styles and the OpenAPI
 * document from this origin only, no inline script, no framing — as strict as the web app's
 * page beside it (routes/web.ts); data: images are swagger-ui's icons.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join("; ");

export interface SecurityHeaderOptions {
  /** rasd serves TLS itself: send Strict-Transport-Security. */
  readonly hsts?: boolean;
}

/** Adds the headers to every answer of `app` (routes, plugins, errors and 404s alike). */
export function securityHeaders(app: FastifyInstance, options: SecurityHeaderOptions = {}): void {
  app.addHook("onSend", async (_req, reply, payload) => {
    void reply.header("x-content-type-options", "nosniff");
    if (!reply.hasHeader("cache-control")) void reply.header("cache-control", "no-store");
    if (!reply.hasHeader("content-security-policy")) void reply.header("content-security-policy", API_CSP);
    if (!reply.hasHeader("referrer-policy")) void reply.header("referrer-policy", "no-referrer");
    if (!reply.hasHeader("x-frame-options")) void reply.header("x-frame-options", "DENY");
    if (options.hsts) void reply.header("strict-transport-security", HSTS);
    return payload;
  });
}
