/**
 * The exact text of a request's JSON body, kept beside the parsed value for routes that
 * check a signature over the bytes sent (POST /v1/redirect/events): re-serialising the parsed
 * JSON would not give the same bytes.
 */

import type { FastifyRequest } from "fastify";

const RAW = new WeakMap<FastifyRequest, string>();

export function keepRawBody(req: FastifyRequest, text: string): void {
  RAW.set(req, text);
}

/** The body's text as received ("" without a JSON body). */
export function rawBody(req: FastifyRequest): string {
  return RAW.get(req) ?? "";
}
