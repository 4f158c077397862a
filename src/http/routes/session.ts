/**
 * Signing in to the web app: a person's password, or an API key, exchanged for a session
 * token that expires (12 hours) and ends on sign-out. The browser keeps the token in
 * sessionStorage and sends it as a bearer token, like an API key: no cookie, so no CSRF.
 * Every failed sign-in gets the same 401; too many from one address get a 429.
 */

import { RasdError } from "../../core/errors.js";
import { meView } from "../../services/accounts.js";
import type { Services } from "../../server/services.js";
import { Type } from "typebox";
import { route, type RouteDef } from "../route.js";
import { NoContent } from "../schemas/common.js";
import { MeView, SessionView } from "../schemas/members.js";
import { auditEntry } from "./members.js";

export function sessionRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "POST",
      url: "/v1/session",
      access: "public",
      signIn: true,
      summary:
        "Sign in with {org, person, password} or {apiKey}: a session token for 'Authorization: Bearer', " +
        "its expiry, and who the caller is",
      tags: ["members"],
      schema: {
        body: Type.Object(
          {
            org: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            person: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
            apiKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SessionView },
      },
      handler: async (req, reply) => {
        const body = req.body;
        const byPassword = body.org !== undefined && body.person !== undefined && body.password !== undefined;
        const byKey = body.apiKey !== undefined;
        if (byPassword === byKey || (byKey && (body.org ?? body.person ?? body.password) !== undefined))
          throw new RasdError("invalid", "body: give either org, person and password, or apiKey");
        let signed;
        try {
          signed = byKey
            ? await s.accounts.signInWithKey(body.apiKey!, req.ip)
            : await s.accounts.signInWithPassword(body.org!, body.person!, body.password!, req.ip);
        } catch (error) {
          const wait = (error as { retryAfter?: number }).retryAfter;
          if (wait) void reply.header("retry-after", String(wait));
          throw error;
        }
        const who = signed.principal;
        await s.access.audit(
          auditEntry(req, who, "session.create", `session:${who.sessionId ?? 0}`, {
            with: byKey ? "api-key" : "password",
          }),
        );
        void reply.header("cache-control", "no-store");
        return { token: signed.token, expiresAt: new Date(signed.expiresAt).toISOString(), me: meView(who) };
      },
    }),
    route({
      method: "DELETE",
      url: "/v1/session",
      access: "org.read",
      summary: "Sign out: the caller's session token stops working at once (an API key is left alone)",
      tags: ["members"],
      schema: { response: { 204: NoContent } },
      handler: async (req, reply, who) => {
        const token = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
        await s.accounts.signOut(who, token);
        if (who.sessionId !== undefined)
          await s.access.audit(auditEntry(req, who, "session.end", `session:${who.sessionId}`));
        void reply.status(204);
        return undefined;
      },
    }),
    route({
      method: "GET",
      url: "/v1/session",
      access: "org.read",
      summary: "Who the caller is, with the permissions of their role (what the web app may offer them)",
      tags: ["members"],
      schema: { response: { 200: MeView } },
      handler: async (_req, _reply, who) => meView(who),
    }),
  ];
}
