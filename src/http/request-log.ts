/**
 * Fastify's side of the log: the process's pino logger as Fastify's own, a request id on
 * every request (the caller's `x-request-id` when it is a short safe token, else a new
 * UUID), sent back in the `x-request-id` header and bound to every line logged for the
 * request, and — when asked — one line as a request arrives and one as it is answered.
 * Those lines hold method, path, status and time only (see `logging/logger.ts`).
 */

import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "../logging/logger.js";

/** The header a request id arrives in and is returned in. */
const REQUEST_ID_HEADER = "x-request-id";
/** A caller's request id is kept only if it looks like one: no spaces, quotes or line breaks. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The request's id: the caller's `x-request-id` if it is a safe token, else a new UUID.
 * @example requestId({ headers: { "x-request-id": "abc-123" } }) // "abc-123"
 */
function requestId(req: Pick<IncomingMessage, "headers">): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === "string" && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Fastify options that make `logger` its logger, with request ids; `logRequests` adds a line per request. */
export function fastifyLogOptions(logger: Logger, logRequests: boolean) {
  return {
    loggerInstance: logger as FastifyBaseLogger,
    requestIdHeader: false as const, // read by `requestId`, which checks it
    genReqId: requestId,
    logController: new LogController({ disableRequestLogging: !logRequests }),
  };
}

/** Sends every request's id back in the `x-request-id` header, errors and 404s included. */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook("onRequest", (req, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, req.id);
    done();
  });
}
