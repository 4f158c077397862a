/** Health, metrics, and who-am-I. */

import { route, type RouteDef } from "../route.js";
import type { Services } from "../../server/services.js";
import { SIGNAL_TYPES } from "../../core/model.js";

export function statusRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/status/live",
      access: "public",
      summary: "Liveness: the process is up",
      tags: ["status"],
      handler: async () => ({ status: "live" }),
    }),
    route({
      method: "GET",
      url: "/status",
      access: "public",
      summary: "Readiness: 503 until the match indexes are loaded",
      tags: ["status"],
      handler: async (_req, reply) => {
        if (!s.matcher.ready) {
          void reply.status(503);
          return { status: "loading", message: "the match indexes are not loaded yet" };
        }
        return {
          status: "ready",
          index: s.matcher.sizes,
          change_cursor: s.matcher.changeCursor,
          uptime_s: Math.round((Date.now() - s.startedAt) / 1000),
        };
      },
    }),
    route({
      method: "GET",
      url: "/metrics",
      access: "metrics.read",
      summary: "Prometheus metrics",
      tags: ["status"],
      handler: async (_req, reply) => {
        const sizes = s.matcher.sizes;
        for (const t of SIGNAL_TYPES) s.metrics.indexSize.set({ type: t }, sizes[t]);
        s.metrics.jobs.reset();
        for (const [k, n] of Object.entries(await s.content.jobCounts())) {
          const [kind, status] = k.split(".");
          s.metrics.jobs.set({ kind: kind!, status: status! }, n);
        }
        void reply.header("content-type", s.metrics.registry.contentType);
        return s.metrics.registry.metrics();
      },
    }),
    route({
      method: "GET",
      url: "/v1/me",
      access: "org.read",
      summary: "The caller: person, role and organisation",
      tags: ["members"],
      handler: async (_req, _reply, who) => ({
        person: { id: who.personId, name: who.personName, role: who.role },
        org: { id: who.orgId, name: who.orgName },
      }),
    }),
  ];
}
