/** Organisations, people and the audit log (API keys: keys.ts). */

import { describePrincipal, type Principal } from "../../services/access.js";
import type { Services } from "../../server/services.js";
import { pageQuery, route, type RouteDef } from "../route.js";
import { Type } from "typebox";
import { iso } from "../views.js";
import type { FastifyRequest } from "fastify";
import { AuditEntryView, OrgView, PersonView } from "../schemas/members.js";

export function auditEntry(
  req: FastifyRequest,
  who: Principal,
  action: string,
  target: string,
  detail?: Record<string, unknown>,
) {
  return {
    orgId: who.orgId,
    personId: who.personId,
    actor: describePrincipal(who),
    action,
    target,
    source: req.ip,
    ...(detail ? { detail } : {}),
  };
}

export function memberRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/v1/orgs",
      access: "org.read",
      summary: "The coalition's member organisations",
      tags: ["members"],
      schema: { response: { 200: Type.Object({ orgs: Type.Array(OrgView) }) } },
      handler: async () => ({
        orgs: (await s.store.listOrgs()).map((o) => ({
          id: o.id,
          name: o.name,
          kind: o.kind,
          created_at: iso(o.createdAt),
        })),
      }),
    }),
    route({
      method: "GET",
      url: "/v1/people",
      access: "people.write",
      summary: "People of the caller's organisation",
      tags: ["members"],
      schema: { response: { 200: Type.Object({ people: Type.Array(PersonView) }) } },
      handler: async (_req, _reply, who) => {
        const now = Date.now();
        const keys = await s.access.listKeys(who.orgId);
        const active = (id: number) =>
          keys.filter(
            (k) => k.person.id === id && k.revokedAt === null && !(k.expiresAt !== null && k.expiresAt <= now),
          ).length;
        return {
          people: await Promise.all(
            (await s.access.store.listPeople(who.orgId)).map(async (p) => ({
              id: p.id,
              name: p.name,
              role: p.role,
              created_at: iso(p.createdAt),
              password: await s.accounts.hasPassword(who.orgName, p.name),
              active_keys: active(p.id),
            })),
          ),
        };
      },
    }),
    route({
      method: "GET",
      url: "/v1/audit",
      access: "audit.read",
      summary: "The organisation's audit log, newest first, by target or action (a prefix), a page at a time",
      tags: ["members"],
      schema: {
        querystring: pageQuery(1000, {
          target: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'Only entries on this target ("bank:12", "key:3"), then oldest first',
            }),
          ),
          action: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 100,
              pattern: "^[a-z][a-z0-9_.-]*$",
              description:
                'Only actions starting with this ("key." for every key action, "review.decide" for one); ' +
                "lower-case letters, digits, '.', '_' and '-'",
            }),
          ),
        }),
        response: { 200: Type.Object({ entries: Type.Array(AuditEntryView) }) },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const entries = await s.access.store.listAudit(who.orgId, {
          ...(q.before ? { beforeId: q.before } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
          ...(q.target ? { target: q.target } : {}),
          ...(q.action ? { action: q.action } : {}),
        });
        return { entries: entries.map((e) => ({ ...e, at: iso(e.at) })) };
      },
    }),
  ];
}
