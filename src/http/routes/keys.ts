/**
 * API keys of the caller's organisation, for its admins: listed (never with a secret), created
 * (with a name and an expiry), rotated (a new secret, the old one valid for an overlap) and
 * revoked (at once, in every process).
 */

import { RasdError } from "../../core/errors.js";
import { ORG_ROLES } from "../../core/roles.js";
import { keyExpiry, DEFAULT_ROTATION_OVERLAP_MS, MAX_ROTATION_OVERLAP_MS } from "../../services/access.js";
import type { Services } from "../../server/services.js";
import type { KeyInfo } from "../../storage/ports/index.js";
import { Type } from "typebox";
import { idParam, route, type RouteDef } from "../route.js";
import { NoContent, StringEnum } from "../schemas/common.js";
import { CreatedKeyView, KeyView, RotatedKeyView } from "../schemas/members.js";
import { iso } from "../views.js";
import { auditEntry } from "./members.js";

export function keyView(k: KeyInfo, now = Date.now()): KeyView {
  return {
    id: k.keyId,
    name: k.name,
    prefix: k.prefix,
    role: k.person.role,
    person: { id: k.person.id, name: k.person.name },
    state: k.revokedAt !== null ? "revoked" : k.expiresAt !== null && k.expiresAt <= now ? "expired" : "active",
    created_at: iso(k.createdAt),
    created_by: k.createdBy,
    last_used_at: iso(k.lastUsedAt),
    expires_at: iso(k.expiresAt),
    rotated_at: iso(k.rotatedAt),
    previous_secret_valid_until:
      k.previousExpiresAt !== null && k.previousExpiresAt > now ? iso(k.previousExpiresAt) : null,
    revoked_at: iso(k.revokedAt),
  };
}

export function keyRoutes(s: Services): RouteDef[] {
  /** Key `id` if it belongs to the caller's organisation; otherwise 404 (no existence leak). */
  const ownKey = async (raw: string, id: number, orgId: number): Promise<KeyInfo> => {
    const key = Number.isNaN(id) ? undefined : await s.access.store.getKey(id);
    if (!key || key.person.orgId !== orgId) throw new RasdError("not_found", `no API key with id ${raw}`);
    return key;
  };
  return [
    route({
      method: "GET",
      url: "/v1/keys",
      access: "people.write",
      summary: "The API keys of the caller's organisation: who holds each, its role, last use, expiry (no secrets)",
      tags: ["members"],
      schema: { response: { 200: Type.Object({ keys: Type.Array(KeyView) }) } },
      handler: async (_req, _reply, who) => {
        const now = Date.now();
        return { keys: (await s.access.listKeys(who.orgId)).map((k) => keyView(k, now)) };
      },
    }),
    route({
      method: "POST",
      url: "/v1/keys",
      access: "people.write",
      summary: "Create an API key for a person of the caller's organisation (the key is shown once)",
      tags: ["members"],
      schema: {
        body: Type.Object(
          {
            person: Type.String({ minLength: 1, maxLength: 100 }),
            role: StringEnum(ORG_ROLES),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "A label for people" })),
            expires_in: Type.Optional(
              Type.Integer({ minimum: 1, description: "Seconds from now (at least 60, at most 366 days)" }),
            ),
            expires_at: Type.Optional(Type.String({ format: "date-time", description: "ISO 8601 time" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: CreatedKeyView },
      },
      handler: async (req, reply, who) => {
        const body = req.body;
        const expiresAt = keyExpiry({
          ...(body.expires_in !== undefined ? { expiresIn: body.expires_in } : {}),
          ...(body.expires_at !== undefined ? { expiresAt: Date.parse(body.expires_at) } : {}),
        });
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
        const key = await s.access.createKey(org, body.role, body.person, {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(expiresAt !== undefined ? { expiresAt } : {}),
          createdBy: who.personId,
        });
        await s.access.audit(
          auditEntry(req, who, "key.create", `key:${key.keyId}`, {
            person: key.person.name,
            role: key.person.role,
            ...(expiresAt !== undefined ? { expires_at: iso(expiresAt) } : {}),
          }),
        );
        void reply.status(201);
        return {
          key: key.token,
          key_id: key.keyId,
          person: { id: key.person.id, name: key.person.name, role: key.person.role },
          name: body.name ?? null,
          expires_at: iso(expiresAt),
        };
      },
    }),
    route({
      method: "POST",
      url: "/v1/keys/:id/rotate",
      access: "people.write",
      summary:
        "A new secret for an API key of the caller's organisation (same id, person and role; shown once); " +
        `the old secret keeps working for overlap_seconds (default ${DEFAULT_ROTATION_OVERLAP_MS / 1000}), ` +
        "or stops at once with revoke_old",
      tags: ["members"],
      schema: {
        params: Type.Object({ id: Type.String() }),
        body: Type.Object(
          {
            overlap_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ROTATION_OVERLAP_MS / 1000 })),
            revoke_old: Type.Optional(Type.Boolean({ description: "The old secret stops working at once" })),
          },
          { additionalProperties: false },
        ),
        response: { 200: RotatedKeyView },
      },
      handler: async (req, reply, who) => {
        const id = idParam(req);
        await ownKey(req.params.id, id, who.orgId);
        const body = req.body;
        if (body.revoke_old === true && body.overlap_seconds !== undefined && body.overlap_seconds > 0)
          throw new RasdError(
            "invalid",
            "body: revoke_old ends the old secret at once; give no overlap_seconds with it",
          );
        const overlapMs =
          body.revoke_old === true ? 0 : (body.overlap_seconds ?? DEFAULT_ROTATION_OVERLAP_MS / 1000) * 1000;
        const rotated = await s.access.rotateKey(id, overlapMs);
        await s.access.audit(auditEntry(req, who, "key.rotate", `key:${id}`, { overlap_seconds: overlapMs / 1000 }));
        void reply.header("cache-control", "no-store");
        return { key: rotated.token, key_info: keyView(rotated.key) };
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
        await ownKey(req.params.id, id, who.orgId);
        await s.access.revokeKey(id);
        await s.access.audit(auditEntry(req, who, "key.revoke", `key:${id}`));
        void reply.status(204);
        return undefined;
      },
    }),
  ];
}
