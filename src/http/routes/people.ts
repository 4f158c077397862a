/**
 * People of the caller's organisation, for its admins: add a person with a role and a password
 * (they sign in to the web app with it), set a person's password again, and disable a person
 * (password cleared, sessions and API keys ended). Listing is GET /v1/people (members.ts).
 */

import { Type } from "typebox";
import { RasdError } from "../../core/errors.js";
import { ORG_ROLES } from "../../core/roles.js";
import { MAX_PASSWORD, MIN_PASSWORD } from "../../services/accounts.js";
import type { Principal } from "../../services/access.js";
import type { Services } from "../../server/services.js";
import type { Person } from "../../storage/ports/index.js";
import { idParam, route, type RouteDef } from "../route.js";
import { NoContent, StringEnum } from "../schemas/common.js";
import { PersonView } from "../schemas/members.js";
import { iso } from "../views.js";
import { auditEntry } from "./members.js";

const Password = Type.String({
  minLength: MIN_PASSWORD,
  maxLength: MAX_PASSWORD,
  description: `The person's password for the web app (${MIN_PASSWORD} to ${MAX_PASSWORD} characters)`,
});

export function peopleRoutes(s: Services): RouteDef[] {
  /** Person `id` of the caller's organisation; otherwise 404 (no existence leak). */
  const ownPerson = async (who: Principal, raw: string | undefined, id: number): Promise<Person> => {
    const p = Number.isNaN(id) ? undefined : await s.access.store.getPerson(id);
    if (!p || p.orgId !== who.orgId) throw new RasdError("not_found", `no person with id ${raw ?? ""}`);
    return p;
  };
  const rawId = (req: { params: unknown }) => (req.params as Record<string, string>).id;
  return [
    route({
      method: "POST",
      url: "/v1/people",
      access: "people.write",
      summary: "Add a person to the caller's organisation with a role and a password for the web app",
      tags: ["members"],
      schema: {
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100 }), role: StringEnum(ORG_ROLES), password: Password },
          { additionalProperties: false },
        ),
        response: { 201: PersonView },
      },
      handler: async (req, reply, who) => {
        const { name, role, password } = req.body;
        if ((await s.access.store.listPeople(who.orgId)).some((p) => p.name === name))
          throw new RasdError("conflict", `${name} already exists in ${who.orgName}`);
        const person = await s.access.store.createPerson(who.orgId, name, role);
        await s.accounts.setPassword(person.id, password);
        await s.access.audit(auditEntry(req, who, "person.create", `person:${person.id}`, { name, role }));
        void reply.status(201);
        return {
          id: person.id,
          name: person.name,
          role: person.role,
          created_at: iso(person.createdAt),
          password: true,
          active_keys: 0,
        };
      },
    }),
    route({
      method: "POST",
      url: "/v1/people/:id/password",
      access: "people.write",
      summary: "Set a person's web app password (their sessions end); re-enables a disabled person",
      tags: ["members"],
      schema: {
        params: Type.Object({ id: Type.String() }),
        body: Type.Object({ password: Password }, { additionalProperties: false }),
        response: { 204: NoContent },
      },
      handler: async (req, reply, who) => {
        const person = await ownPerson(who, rawId(req), idParam(req));
        await s.accounts.setPassword(person.id, req.body.password);
        await s.access.audit(auditEntry(req, who, "person.password", `person:${person.id}`, { name: person.name }));
        void reply.status(204);
        return undefined;
      },
    }),
    route({
      method: "PATCH",
      url: "/v1/people/:id",
      access: "people.write",
      summary:
        "Change the role of a person of the caller's organisation (not the caller's own): their API keys act " +
        "with the new role at once and their web sessions end, so they sign in again with it",
      tags: ["members"],
      schema: {
        params: Type.Object({ id: Type.String() }),
        body: Type.Object({ role: StringEnum(ORG_ROLES) }, { additionalProperties: false }),
        response: { 200: PersonView },
      },
      handler: async (req, _reply, who) => {
        const person = await ownPerson(who, rawId(req), idParam(req));
        const role = req.body.role;
        if (person.id === who.personId)
          throw new RasdError("invalid", "you cannot change your own role; another admin of your organisation can");
        if (person.role === "operator")
          throw new RasdError(
            "auth.forbidden",
            `${person.name} is the coalition's operator: that role is given and taken only on the server's command line`,
          );
        if (person.role !== role) {
          await s.accounts.setRole(person.id, role);
          await s.access.audit(
            auditEntry(req, who, "person.role", `person:${person.id}`, {
              name: person.name,
              from: person.role,
              to: role,
            }),
          );
        }
        const keys = await s.access.listKeys(who.orgId);
        const now = Date.now();
        return {
          id: person.id,
          name: person.name,
          role,
          created_at: iso(person.createdAt),
          password: await s.accounts.hasPassword(who.orgName, person.name),
          active_keys: keys.filter(
            (k) => k.person.id === person.id && k.revokedAt === null && !(k.expiresAt !== null && k.expiresAt <= now),
          ).length,
        };
      },
    }),
    route({
      method: "POST",
      url: "/v1/people/:id/disable",
      access: "people.write",
      summary:
        "Disable a person of the caller's organisation: password cleared, sessions and API keys ended at once " +
        "(not the caller themself)",
      tags: ["members"],
      schema: {
        params: Type.Object({ id: Type.String() }),
        response: { 200: Type.Object({ person: PersonView, keys_revoked: Type.Number() }) },
      },
      handler: async (req, _reply, who) => {
        const person = await ownPerson(who, rawId(req), idParam(req));
        if (person.id === who.personId)
          throw new RasdError("invalid", "you cannot disable yourself; another admin of your organisation can");
        const revoked = await s.accounts.disable(person.id);
        await s.access.audit(
          auditEntry(req, who, "person.disable", `person:${person.id}`, { name: person.name, keys_revoked: revoked }),
        );
        return {
          person: {
            id: person.id,
            name: person.name,
            role: person.role,
            created_at: iso(person.createdAt),
            password: false,
            active_keys: 0,
          },
          keys_revoked: revoked,
        };
      },
    }),
  ];
}
