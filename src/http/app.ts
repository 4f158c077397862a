/**
 * The HTTP API: fastify with strict validation (unknown fields are errors, JSON must be
 * valid UTF-8), bearer-key authentication and role checks on every route that is not
 * public, rate limits (access-guard.ts), and the OpenAPI 3.1 document built from the route table.
 */

import AjvCompiler from "@fastify/ajv-compiler";
import multipart from "@fastify/multipart";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { STATUS_CODES } from "node:http";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { RasdError } from "../core/errors.js";
import { can } from "../core/roles.js";
import type { AccessService, Principal } from "../services/access.js";
import { getLogger, type Logger } from "../logging/logger.js";
import { toHttpError } from "./errors.js";
import type { RateLimits } from "../config/access-limits.js";
import { AccessGuard, limitsOf } from "./access-guard.js";
import { connectionOptions, limitHeaders } from "./connection-limits.js";
import { RefusalAudit, type RefusalAuditOptions } from "./refusal-audit.js";
import { serverErrorLog } from "./server-errors.js";
import { DOCS_CSP, securityHeaders } from "./security-headers.js";
import { echoRequestId, fastifyLogOptions } from "./request-log.js";
import { FIELD_SIZE_LIMIT } from "./upload.js";
import { ErrorBody, HmaErrorBody, TaxiiErrorBody } from "./schemas/common.js";
import { ANONYMOUS, type RouteDef } from "./route.js";
import { routePaths } from "./route-paths.js";
import { keepRawBody } from "./raw-body.js";

/** The title HMA gives its OpenAPI document (served at HMA's path, /openapi/openapi.json). */
const HMA_OPENAPI_TITLE = "Open Media Match API";
export interface AppOptions {
  readonly access: AccessService;
  readonly routes: readonly RouteDef[];
  /** Largest JSON body, bytes (default 1 MiB). */
  readonly jsonLimit?: number;
  /** Largest uploaded file, bytes (default 200 MiB). */
  readonly fileLimit?: number;
  /** Requests per second per key, sustained, burst twice that (default: `rateLimits.key`). */
  readonly rateLimit?: number;
  /** Per key, person, organisation, failed authentication and sign-in (docs/access-control.md). */
  readonly rateLimits?: RateLimits;
  /** Proxies whose X-Forwarded-For gives the client's address (addresses, CIDRs; default none). */
  readonly trustProxy?: readonly string[];
  /** The log (default: the process's logger); request ids and errors go to it. */
  readonly logger?: Logger;
  /** A line per request arriving and answered (default false). */
  readonly logRequests?: boolean;
  /** Serve HTTPS with this certificate and key (PEM), and send HSTS. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** An idle keep-alive connection is closed after this, ms (default 5 s). */
  readonly keepAliveMs?: number;
  /** How refused requests are aggregated in the audit log (tests shorten the window). */
  readonly refusalAudit?: RefusalAuditOptions;
}

/** Routes that plugins add (the API documentation page and its assets): public, read-only. */
export const PLUGIN_ROUTE_PREFIXES = ["/docs"];

const utf8 = new TextDecoder("utf-8", { fatal: true });

// strictTypes off: the multipart body's schema documents its parts without `type: "object"`,
// which would make fastify validate the (unparsed) multipart body and refuse every upload.
const AJV_OPTIONS = {
  allowUnionTypes: true,
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
  strictTypes: false,
} as const;
const coercingValidators = AjvCompiler();
const strictValidators = AjvCompiler();

function bearer(req: FastifyRequest): string {
  const header = req.headers.authorization;
  if (!header)
    throw new RasdError("auth.missing", "missing Authorization header: send 'Authorization: Bearer <API key>'");
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new RasdError("auth.invalid", "the Authorization header must be 'Bearer <API key>'");
  return m[1]!;
}

/** TAXII's media type (services/taxii.ts), for TAXII routes' errors. */
const TAXII_ERROR_MEDIA_TYPE = "application/taxii+json;version=2.1";

/**
 * A route's responses for fastify and the OpenAPI document: its own, and the error body of its
 * family (rasd's {"error": {code, message}}, HMA's {"message"} or TAXII's error message) for
 * every failure it does not describe itself.
 */
function responsesOf(def: RouteDef): Record<string, unknown> {
  const error = def.hmaErrors ? HmaErrorBody : def.taxiiErrors ? TaxiiErrorBody : ErrorBody;
  const own = (def.schema as { response?: Record<string, unknown> } | undefined)?.response;
  return { "4xx": error, "5xx": error, ...own };
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...fastifyLogOptions(options.logger ?? getLogger(), options.logRequests ?? false),
    bodyLimit: options.jsonLimit ?? 1024 * 1024,
    // Query strings, params and headers arrive as text and are coerced to their schema types;
    // JSON bodies are typed already and are not: {"text": 5} is an error, not the text "5".
    schemaController: {
      compilersFactory: {
        buildValidator: (external) => {
          const coercing = coercingValidators(external, { customOptions: { ...AJV_OPTIONS, coerceTypes: "array" } });
          const strict = strictValidators(external, { customOptions: { ...AJV_OPTIONS, coerceTypes: false } });
          return (def) => (def.httpPart === "body" ? strict : coercing)(def);
        },
      },
    },
    return503OnClosing: true,
    ...(options.trustProxy?.length ? { trustProxy: [...options.trustProxy] } : {}),
    forceCloseConnections: true,
    ...connectionOptions(options),
    // Typed as plain HTTP: an https server answers the same requests (a cast, not a conversion).
    ...((options.tls ? { https: options.tls } : {}) as object),
  });
  limitHeaders(app);
  securityHeaders(app, { hsts: options.tls !== undefined });
  echoRequestId(app);
  const guard = new AccessGuard(options.access, limitsOf(options));
  const principals = new WeakMap<FastifyRequest, Principal>();
  const hmaRoutes = new Set(options.routes.filter((r) => r.hmaErrors).map((r) => `${r.method} ${r.url}`));
  // By path alone: fastify answers HEAD on a GET route with the GET route's response schemas.
  const taxiiPaths = new Set(options.routes.filter((r) => r.taxiiErrors).map((r) => r.url));

  app.removeContentTypeParser(["application/json", "text/plain"]);
  const parseJson = (req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void): void => {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(new RasdError("invalid", "the request body is not valid UTF-8"), undefined);
      return;
    }
    if (text.trim() === "") {
      done(new RasdError("invalid", "the JSON body is empty"), undefined);
      return;
    }
    keepRawBody(req, text);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new RasdError("invalid", `malformed JSON: ${(error as Error).message}`), undefined);
    }
  };
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, parseJson);
  // TAXII 2.1 writes (POST objects) send `application/taxii+json;version=2.1`.
  app.addContentTypeParser(/^application\/taxii\+json/, { parseAs: "buffer" }, parseJson);
  await app.register(multipart, {
    limits: {
      fileSize: options.fileLimit ?? 200 * 1024 * 1024,
      files: 1,
      fields: 20,
      fieldSize: FIELD_SIZE_LIMIT,
      parts: 21,
    },
    throwFileSizeLimit: true,
  });

  const logServerError = serverErrorLog();
  const refusals = new RefusalAudit((entry) => options.access.audit(entry), options.refusalAudit);
  app.addHook("onClose", () => refusals.flush());
  app.setErrorHandler((error, req, reply) => {
    const e = toHttpError(error, req.headers["content-type"]);
    if (e.status >= 500 && e.retryAfter === undefined) logServerError(req.log, error);
    if (e.retryAfter !== undefined) void reply.header("retry-after", String(e.retryAfter));
    refusals.record(req, e, principals.get(req));
    const routeKey = `${req.method} ${req.routeOptions.url}`;
    if (req.routeOptions.url !== undefined && taxiiPaths.has(req.routeOptions.url)) {
      // Sent as bytes so that fastify keeps TAXII's media type exactly (see routes/taxii.ts).
      const body = {
        title: STATUS_CODES[e.status] ?? "Error",
        description: e.message,
        error_code: e.code,
        http_status: String(e.status),
      };
      void reply
        .status(e.status)
        .header("content-type", TAXII_ERROR_MEDIA_TYPE)
        .send(Buffer.from(JSON.stringify(body), "utf8"));
      return;
    }
    const hma = req.routeOptions.url !== undefined && hmaRoutes.has(routeKey);
    void reply.status(e.status).send(hma ? { message: e.message } : { error: { code: e.code, message: e.message } });
  });
  const paths = routePaths([
    ...options.routes,
    ...["/openapi.json", "/openapi/openapi.json", "/site-map"].map((url) => ({ method: "GET" as const, url })),
  ]);
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0]!;
    // A path that exists with other methods answers 405 and says which (RFC 9110 §15.5.6).
    const allowed = paths.methodsOf(path);
    if (allowed.length > 0) {
      const message = `${req.method} is not allowed on ${path}; use ${allowed.join(", ")}`;
      void reply
        .status(405)
        .header("allow", allowed.join(", "))
        .send(paths.isHma(path) ? { message } : { error: { code: "method_not_allowed", message } });
      return;
    }
    void reply.status(404).send({ error: { code: "not_found", message: `no route ${req.method} ${path}` } });
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "rasd API",
        version: "1",
        description:
          "Hash, match and act on terrorist propaganda; share signals under TLP 2.0. Every route except /status, " +
          "/status/live, /openapi.json and /docs needs `Authorization: Bearer <API key>`.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: DOCS_CSP });

  for (const def of options.routes) {
    app.route({
      method: def.method,
      url: def.url,
      schema: {
        ...def.schema,
        response: responsesOf(def),
        summary: def.summary,
        tags: [...def.tags],
        ...(def.access === "public" ? {} : { security: [{ bearer: [] }] }),
        ...(def.multipart ? { consumes: ["multipart/form-data"] } : {}),
      },
      // Authentication and authorisation come first, before the body is even read.
      onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
        if (def.access === "public") return def.signIn ? guard.signIn(req, reply) : undefined;
        const who = await guard.authenticate(req, reply, () => bearer(req));
        principals.set(req, who); // before the role check, so a refusal is audited with who it was
        if (!can(who.role, def.access))
          throw new RasdError("auth.forbidden", `the ${who.role} role may not ${def.access.replace(".", " ")}`);
      },
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const result = await def.handler(req, reply, principals.get(req) ?? ANONYMOUS);
        if (reply.sent) return reply;
        return result;
      },
    });
  }
  app.get("/openapi.json", { schema: { hide: true } }, () => app.swagger());
  // Where HMA serves its OpenAPI document, and its list of routes (Flask's <param> syntax, sorted).
  // HMA clients (and HMA's own tests) know its document by its title: the same document,
  // titled as HMA titles it, saying whose implementation it is.
  app.get("/openapi/openapi.json", { schema: { hide: true } }, () => {
    const doc = app.swagger() as { info?: Record<string, unknown> };
    return {
      ...doc,
      info: {
        ...doc.info,
        title: HMA_OPENAPI_TITLE,
        description:
          "rasd's API, with the Open Media Match (HMA 2.0) routes it implements; rasd's own title at /openapi.json",
      },
    };
  });
  app.get("/site-map", { schema: { hide: true } }, () => paths.siteMap());
  return app;
}
