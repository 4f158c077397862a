/**
 * How routes are declared: one object per route, naming the permission it needs. The app
 * registers them all through one function that authenticates and authorises first, and the
 * authorisation test walks the same list — so a route cannot exist without an access rule.
 */

import type { FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from "fastify";
import type { Permission } from "../core/roles.js";
import type { Principal } from "../services/access.js";

export type Access = Permission | "public";

export interface RouteDef {
  readonly method: Extract<HTTPMethods, "GET" | "POST" | "PUT" | "PATCH" | "DELETE">;
  readonly url: string;
  readonly access: Access;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly schema?: FastifySchema;
  /** Error bodies as HMA writes them ({"message": ...}) rather than rasd's ({"error": {...}}). */
  readonly hmaErrors?: boolean;
  /** Accepts multipart/form-data (file uploads). */
  readonly multipart?: boolean;
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

export function route(def: RouteDef): RouteDef {
  return def;
}

/** Path parameters as integers, or a 404 for anything else (ids are never guessable strings). */
export function idParam(req: FastifyRequest, name = "id"): number {
  const raw = (req.params as Record<string, string>)[name] ?? "";
  const n = /^[1-9][0-9]{0,14}$/.test(raw) ? Number(raw) : NaN;
  return n;
}

/** A querystring schema for "newest first" lists: `before` (an id) and `limit`, plus `extra`. */
export function pageQuery(maxLimit: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "object",
    additionalProperties: false,
    properties: {
      before: { type: "integer", minimum: 1 },
      limit: { type: "integer", minimum: 1, maximum: maxLimit },
      ...extra,
    },
  };
}
