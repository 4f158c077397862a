/** Organisations, people, API keys and the audit log. */

import { RasdError } from "../../core/errors.js";
import { ORG_ROLES } from "../../core/roles.js";
import { describePrincipal, type Principal } from "../../services/access.js";
import type { Services } from "../../server/services.js";
import { idParam, pageQuery, route, type RouteDef } from "../route.js";
import { Type } from "typebox";
import { iso } from "../views.js";
import type { FastifyRequest } from "fastify";
import { NoContent, StringEnum } from "../schemas/common.js";
import { AuditEntryView, CreatedKeyView, OrgView, PersonView } from "../schemas/members.js";

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
      handler: async (_req, _reply, who) => ({
        people: (await s.access.store.listPeople(who.orgId)).map((p) => ({
          id: p.id,
          name: p.name,
          role: p.role,
          created_at: iso(p.createdAt),
        })),
      }),
    }),
    route({
      method: "POST",
      url: "/v1/keys",
      access: "people.write",
      summary: "Create an API key for a person of the caller's organisation (the key is shown once)",
      tags: ["members"],
      schema: {
        body: Type.Object(
          { person: Type.String({ minLength: 1, maxLength: 100 }), role: StringEnum(ORG_ROLES) },
          { additionalProperties: false },
        ),
        response: { 201: CreatedKeyView },
      },
      handler: async (req, reply, who) => {
        const body = req.body;
        const org = await s.store.getOrg(who.orgId);
        if (!org) throw new RasdError("not_found", "the caller's organisation no longer exists");
        // A key for someone else who already exists would let its holder act as them (and read
        // what is shared with them by name): only they, or an operator with the CLI, may add one.
        const existing = (await s.access.store.listPeople(org.id)).find((p) => p.name === body.person);
        if (existing && existing.id !== who.personId)
          throw new RasdError(
            "conflict",
            `${body.person} already exists in ${org.name}; only they (or an operator with the CLI) can get another key`,
          );
        const key = await s.access.createKey(org, body.role, body.person);
        await s.access.audit(
          auditEntry(req, who, "key.create", `key:${key.keyId}`, { person: key.person.name, role: key.person.role }),
        );
        void reply.status(201);
        return {
          key: key.token,
          key_id: key.keyId,
          person: { id: key.person.id, name: key.person.name, role: key.person.role },
        };
      },
    }),
    route({
      method: "DELETE",
      url: "/v1/keys/:id",
      access: "people.write",
      summary: "Revoke an API key of the caller's organisation",
      tags: ["members"],
      schema: { params: Type.Object({ id: Type.String() }), response: { 204: NoContent } },
      handler: async (req, reply, who) => {
        const id = idParam(req);
        const orgId = Number.isNaN(id) ? undefined : await s.access.store.keyOrg(id);
        if (orgId === undefined || orgId !== who.orgId)
          throw new RasdError("not_found", `no API key with id ${req.params.id}`);
        await s.access.revokeKey(id);
        await s.access.audit(auditEntry(req, who, "key.revoke", `key:${id}`));
        void reply.status(204);
        return undefined;
      },
    }),
    route({
      method: "GET",
      url: "/v1/audit",
      access: "audit.read",
      summary: "The organisation's audit log, newest first",
      tags: ["members"],
      schema: {
        querystring: pageQuery(1000),
        response: { 200: Type.Object({ entries: Type.Array(AuditEntryView) }) },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const entries = await s.access.store.listAudit(who.orgId, {
          ...(q.before ? { beforeId: q.before } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
        });
        return { entries: entries.map((e) => ({ ...e, at: iso(e.at) })) };
      },
    }),
  ];
}
