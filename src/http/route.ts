/**
 * How routes are declared: one object per route, naming the permission it needs. The app
 * registers them all through one function that authenticates and authorises first, and the
 * authorisation test walks the same list — so a route cannot exist without an access rule.
 *
 * A route's schema is written once, in TypeBox (src/http/schemas/ for the response shapes):
 * fastify validates the request and serializes the response with it, /openapi.json documents
 * it, and `route()` types the handler from it — `req.body`, `req.query` and `req.params` without
 * casts, and a return value checked against the declared responses.
 */

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type {
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  HTTPMethods,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
} from "fastify";
import { Type, type Static, type TProperties, type TSchema } from "typebox";
import type { Permission } from "../core/roles.js";
import type { Principal } from "../services/access.js";

export type Access = Permission | "public";

interface RouteBase {
  readonly method: Extract<HTTPMethods, "GET" | "POST" | "PUT" | "PATCH" | "DELETE">;
  readonly url: string;
  readonly access: Access;
  readonly summary: string;
  readonly tags: readonly string[];
  /** Error bodies as HMA writes them ({"message": ...}) rather than rasd's ({"error": {...}}). */
  readonly hmaErrors?: boolean;
  /** Error bodies as TAXII 2.1's error message resource (§3.6.1), in TAXII's media type. */
  readonly taxiiErrors?: boolean;
  /** Accepts multipart/form-data (file uploads). */
  readonly multipart?: boolean;
  /** A public route limited per client address as a sign-in (http/access-guard.ts). */
  readonly signIn?: boolean;
}

/** A request typed from the route's schema (TypeBox infers from plain JSON schemas too, as routes/hma.ts has). */
export type TypedRequest<S extends FastifySchema> = FastifyRequest<
  RouteGenericInterface,
  RawServerDefault,
  RawRequestDefaultExpression,
  S,
  TypeBoxTypeProvider
>;

/** One declared response: a schema, or `{content: {"<media type>": {schema}}}`. */
type BodyOf<R> = R extends { content: infer C }
  ? { [K in keyof C]: C[K] extends { schema: infer X extends TSchema } ? Static<X> : unknown }[keyof C]
  : R extends TSchema
    ? Static<R>
    : unknown;

/**
 * What a handler may return: a body of one of its declared responses, or undefined (a 204, or
 * a reply already sent). Without declared responses, anything.
 */
export type ReplyBody<S> = S extends { response: infer R }
  ? { [K in keyof R]: BodyOf<R[K]> }[keyof R] | undefined
  : unknown;

/** A route as written: its handler typed from its schema. */
export interface TypedRouteDef<S extends FastifySchema> extends RouteBase {
  readonly schema?: S;
  readonly handler: (req: TypedRequest<S>, reply: FastifyReply, who: Principal) => Promise<ReplyBody<S>>;
}

/** A route as the app and the tests see it: the same object, its types erased. */
export interface RouteDef extends RouteBase {
  readonly schema?: FastifySchema;
  readonly handler: (req: FastifyRequest, reply: FastifyReply, who: Principal) => Promise<unknown>;
}

/** The principal a public route sees: nobody. */
export const ANONYMOUS: Principal = Object.freeze({
  keyId: 0,
  orgId: 0,
  personId: 0,
  role: "reader",
  personName: "anonymous",
  orgName: "",
});

/**
 * Declares a route. The handler's request type comes from `schema`, which fastify validates
 * every request against before the handler runs, so erasing it for the route list is sound.
 */
export function route<S extends FastifySchema = FastifySchema>(def: TypedRouteDef<S>): RouteDef {
  return def as unknown as RouteDef;
}

/** Path parameters as integers, or a 404 for anything else (ids are never guessable strings). */
export function idParam(req: FastifyRequest, name = "id"): number {
  const raw = (req.params as Record<string, string>)[name] ?? "";
  const n = /^[1-9][0-9]{0,14}$/.test(raw) ? Number(raw) : NaN;
  return n;
}

/** A querystring schema for "newest first" lists: `before` (an id) and `limit`, plus `extra`. */
export function pageQuery<P extends TProperties = Record<never, never>>(maxLimit: number, extra: P = {} as P) {
  return Type.Object(
    {
      before: Type.Optional(Type.Integer({ minimum: 1 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxLimit })),
      ...extra,
    },
    { additionalProperties: false },
  );
}
