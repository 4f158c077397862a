/**
 * Adding a member organisation (the coalition's operator, as `rasd org create` on the server),
 * with its first admin; and an organisation's sharing defaults: the TLP marking its new banks
 * get when none is chosen (decision 0036).
 */

import { Type } from "typebox";
import { ORG_KINDS, TLP_MARKINGS } from "../../core/model.js";
import { describePrincipal } from "../../services/access.js";
import { MAX_PASSWORD, MIN_PASSWORD } from "../../services/accounts.js";
import type { Services } from "../../server/services.js";
import type { OrgDefaults } from "../../storage/ports/index.js";
import { route, type RouteDef } from "../route.js";
import { Nullable, StringEnum } from "../schemas/common.js";
import { OrgView, PersonView } from "../schemas/members.js";
import { iso } from "../views.js";
import { auditEntry } from "./members.js";

/** New banks' marking when the organisation has set none (the API's built-in default). */
export const BUILT_IN_TLP = "AMBER+STRICT";

type Tlp = (typeof TLP_MARKINGS)[number];

/** A TLP marking or null. */
function NullableTlp(description: string) {
  return Type.Unsafe<Tlp | null>({ type: ["string", "null"], enum: [...TLP_MARKINGS, null], description });
}

const SharingDefaultsView = Type.Object({
  tlp: NullableTlp("The marking the organisation chose for new banks; null: none chosen"),
  effective_tlp: StringEnum(TLP_MARKINGS, {
    description: `The marking a new bank gets when its creator names none (${BUILT_IN_TLP} unless chosen)`,
  }),
  updated_by: Nullable(Type.Number()),
  updated_at: Nullable(Type.String()),
});

function defaultsView(d: OrgDefaults) {
  return {
    tlp: d.tlp as (typeof TLP_MARKINGS)[number] | null,
    effective_tlp: (d.tlp ?? BUILT_IN_TLP) as (typeof TLP_MARKINGS)[number],
    updated_by: d.updatedBy,
    updated_at: d.updatedAt === null ? null : new Date(d.updatedAt).toISOString(),
  };
}

export function orgRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "POST",
      url: "/v1/orgs",
      access: "org.write",
      summary:
        "Add a member organisation to the coalition (the operator only), optionally with its first admin and " +
        "their web app password",
      tags: ["members"],
      schema: {
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 120 }),
            kind: StringEnum(ORG_KINDS),
            admin: Type.Optional(
              Type.Object(
                {
                  name: Type.String({ minLength: 1, maxLength: 100 }),
                  password: Type.String({ minLength: MIN_PASSWORD, maxLength: MAX_PASSWORD }),
                },
                { additionalProperties: false },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ org: OrgView, admin: Type.Optional(PersonView) }) },
      },
      handler: async (req, reply, who) => {
        const body = req.body;
        const org = await s.banks.createOrg(body.name, body.kind);
        await s.access.audit(
          auditEntry(req, who, "org.create", `org:${org.id}`, {
            name: org.name,
            kind: org.kind,
            ...(body.admin ? { admin: body.admin.name } : {}),
          }),
        );
        let admin: PersonView | undefined;
        if (body.admin) {
          const person = await s.access.store.createPerson(org.id, body.admin.name, "admin");
          await s.accounts.setPassword(person.id, body.admin.password);
          // In the new organisation's own chain: who made its first admin.
          await s.access.audit({
            orgId: org.id,
            personId: null,
            actor: describePrincipal(who),
            action: "person.create",
            target: `person:${person.id}`,
            source: req.ip,
            detail: { name: person.name, role: "admin", by: `org:${who.orgId}` },
          });
          admin = {
            id: person.id,
            name: person.name,
            role: person.role,
            created_at: iso(person.createdAt),
            password: true,
            active_keys: 0,
          };
        }
        void reply.status(201);
        return {
          org: { id: org.id, name: org.name, kind: org.kind, created_at: iso(org.createdAt) },
          ...(admin ? { admin } : {}),
        };
      },
    }),
    route({
      method: "GET",
      url: "/v1/sharing-defaults",
      access: "bank.read",
      summary: "The caller's organisation's sharing defaults: the TLP marking new banks get when none is chosen",
      tags: ["banks"],
      schema: { response: { 200: SharingDefaultsView } },
      handler: async (_req, _reply, who) => defaultsView(await s.access.store.getOrgDefaults(who.orgId)),
    }),
    route({
      method: "PUT",
      url: "/v1/sharing-defaults",
      access: "settings.write",
      summary:
        "Set the TLP marking the organisation's new banks get when their creator names none (null: back to " +
        `${BUILT_IN_TLP}); existing banks keep theirs`,
      tags: ["banks"],
      schema: {
        body: Type.Object(
          { tlp: NullableTlp(`The marking for new banks; null: none (${BUILT_IN_TLP})`) },
          { additionalProperties: false },
        ),
        response: { 200: SharingDefaultsView },
      },
      handler: async (req, _reply, who) => {
        const tlp = req.body.tlp;
        await s.access.store.setOrgDefaults(who.orgId, tlp, who.personId, Date.now());
        await s.access.audit(auditEntry(req, who, "org.sharing_defaults", `org:${who.orgId}`, { tlp }));
        return defaultsView(await s.access.store.getOrgDefaults(who.orgId));
      },
    }),
  ];
}
