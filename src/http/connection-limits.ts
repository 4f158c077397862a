/**
 * How long the HTTP server keeps a connection that sends nothing. Node's and Fastify's defaults
 * let an idle keep-alive connection stay open for over a minute and a request trickle in without
 * end; a few thousand such sockets hold the process's file descriptors and memory.
 */

import type { FastifyInstance } from "fastify";

export interface ConnectionLimits {
  /** An idle keep-alive connection is closed after this long, ms (default 5 s, as node's own). */
  readonly keepAliveMs?: number;
}

/** Whole request, headers and body, must arrive within this (a 200 MiB upload at 10 Mbit/s takes 170 s). */
export const REQUEST_TIMEOUT_MS = 300_000;
/** The request's headers must arrive within this. */
export const HEADERS_TIMEOUT_MS = 15_000;
/** A socket with no traffic at all for this long is closed, mid-request or not. */
export const SOCKET_IDLE_MS = 60_000;
export const KEEP_ALIVE_MS = 5_000;

/** Fastify's options for them. */
export function connectionOptions(limits: ConnectionLimits = {}) {
  return {
    keepAliveTimeout: limits.keepAliveMs ?? KEEP_ALIVE_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: SOCKET_IDLE_MS,
  };
}

/** What Fastify has no option for: the headers deadline, on the node server itself. */
export function limitHeaders(app: FastifyInstance): void {
  app.server.headersTimeout = HEADERS_TIMEOUT_MS;
}
