/** Health, metrics, and who-am-I. */

import type { FastifyReply, FastifyRequest } from "fastify";
import { RasdError } from "../../core/errors.js";
import { route, type RouteDef } from "../route.js";
import type { Services } from "../../server/services.js";
import { can } from "../../core/roles.js";
import { scrape } from "../scrape.js";
import { WhoView } from "../schemas/members.js";
import {
  LiveResponse,
  LoadingResponse,
  MetricsResponse,
  PlainResponse,
  ReadyResponse,
  type ReadinessFields,
} from "../schemas/status.js";
import { readiness, type Readiness } from "../readiness.js";

/** rasd's clients ask for JSON; HMA's health checks expect plain text. */
function wantsJson(req: FastifyRequest): boolean {
  return (req.headers.accept ?? "").includes("application/json");
}

/**
 * Whether the caller may see readiness detail (index sizes count every member's signals,
 * RED banks included): only a valid key whose role has coalition.read. /status stays public
 * for load balancers, which send no key and get liveness only; a key that is sent must be valid.
 */
async function seesDetail(s: Services, req: FastifyRequest): Promise<boolean> {
  const header = req.headers.authorization;
  if (!header) return false;
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!token) throw new RasdError("auth.invalid", "the Authorization header must be 'Bearer <API key>'");
  return can((await s.access.authenticate(token)).role, "coalition.read");
}

function text(reply: FastifyReply, body: string): string {
  void reply.type("text/plain; charset=utf-8");
  return body;
}

/** What readiness answers say about the database, NATS and the signal feed. */
function readinessFields(r: Readiness): ReadinessFields {
  return { database: r.database, nats: r.nats, signal_feed: r.signalFeed, index_sync_age_ms: r.indexSyncAgeMs };
}

export function statusRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/status/live",
      access: "public",
      summary: "Liveness: the process is up (JSON if asked for, else HMA's plain I-AM-ALIVE)",
      tags: ["status"],
      schema: { response: { 200: LiveResponse } },
      handler: async (req, reply) => (wantsJson(req) ? { status: "live" as const } : text(reply, "I-AM-ALIVE")),
    }),
    route({
      method: "GET",
      url: "/status",
      access: "public",
      summary:
        "Readiness: 503 while the match indexes load, stop following signal changes, or the database does not answer (JSON if asked for, else HMA's plain text); index sizes and feed state only to the operator's key",
      tags: ["status"],
      schema: { response: { 200: ReadyResponse, 503: LoadingResponse } },
      handler: async (req, reply) => {
        // A key that is sent must be valid whatever the readiness (401 before 503); a database
        // that cannot check it leaves the answer without detail rather than failing the probe.
        const detail = await seesDetail(s, req).catch((e: unknown) => {
          if (e instanceof RasdError && e.code.startsWith("auth.")) throw e;
          return false;
        });
        const r = await readiness(s);
        if (!r.ready) {
          void reply.status(503);
          const loading = !s.matcher.ready;
          if (!wantsJson(req)) return text(reply, loading ? "INDEX-NOT-LOADED" : "NOT-READY");
          return {
            status: loading ? ("loading" as const) : ("unavailable" as const),
            message: r.problems.join("; "),
            ...readinessFields(r),
          };
        }
        if (!wantsJson(req)) return text(reply, "I-AM-ALIVE");
        if (!detail) return { status: "ready" as const };
        return {
          status: "ready" as const,
          index: s.matcher.sizes,
          change_cursor: s.matcher.changeCursor,
          uptime_s: Math.round((Date.now() - s.startedAt) / 1000),
          ...readinessFields(r),
        };
      },
    }),
    // HMA's Kubernetes-style probes, in its words (plain text, no detail: they are public).
    route({
      method: "GET",
      url: "/livez",
      access: "public",
      summary: "HMA's liveness probe: OK while the process serves HTTP",
      tags: ["status", "hma"],
      schema: { response: { 200: PlainResponse } },
      handler: async (_req, reply) => text(reply, "OK"),
    }),
    route({
      method: "GET",
      url: "/readyz",
      access: "public",
      summary:
        "HMA's readiness probe: READY, or 503 INDEX-NOT-LOADED / INDEX-STALE (the signal feed stopped) / NOT-READY",
      tags: ["status", "hma"],
      schema: { response: { 200: PlainResponse, 503: PlainResponse } },
      handler: async (_req, reply) => {
        const r = await readiness(s);
        if (r.ready) return text(reply, "READY");
        void reply.status(503);
        return text(
          reply,
          !s.matcher.ready ? "INDEX-NOT-LOADED" : r.signalFeed === "stale" ? "INDEX-STALE" : "NOT-READY",
        );
      },
    }),
    route({
      method: "GET",
      url: "/metrics",
      access: "metrics.read",
      summary: "Prometheus metrics, coalition-wide: the operator's key only (scrape with it as a bearer token)",
      tags: ["status"],
      schema: { response: { 200: MetricsResponse } },
      handler: async (_req, reply) => {
        void reply.header("content-type", s.metrics.registry.contentType);
        return scrape(s);
      },
    }),
    route({
      method: "GET",
      url: "/v1/me",
      access: "org.read",
      summary: "The caller: person, role and organisation",
      tags: ["members"],
      schema: { response: { 200: WhoView } },
      handler: async (_req, _reply, who) => ({
        person: { id: who.personId, name: who.personName, role: who.role },
        org: { id: who.orgId, name: who.orgName },
      }),
    }),
  ];
}
