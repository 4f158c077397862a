/** Who the caller is, sessions, organisations, people, API keys and the audit log. */

import { Type, type Static } from "typebox";
import { IsoTime } from "./common.js";

/** The caller: person, role and organisation. */
export const WhoView = Type.Object({
  person: Type.Object({ id: Type.Number(), name: Type.String(), role: Type.String() }),
  org: Type.Object({ id: Type.Number(), name: Type.String() }),
});
export type WhoView = Static<typeof WhoView>;

/** The caller with the permissions of their role (what the web app may offer them). */
export const MeView = Type.Object({
  person: Type.Object({ id: Type.Number(), name: Type.String(), role: Type.String() }),
  org: Type.Object({ id: Type.Number(), name: Type.String() }),
  permissions: Type.Array(Type.String()),
});
export type MeView = Static<typeof MeView>;

/** A signed-in session: the bearer token, when it expires, and who it is. */
export const SessionView = Type.Object({
  token: Type.String(),
  expiresAt: Type.String({ description: "ISO 8601 time" }),
  me: MeView,
});
export type SessionView = Static<typeof SessionView>;

export const OrgView = Type.Object({
  id: Type.Number(),
  name: Type.String(),
  kind: Type.String(),
  created_at: IsoTime,
});
export type OrgView = Static<typeof OrgView>;

export const PersonView = Type.Object({
  id: Type.Number(),
  name: Type.String(),
  role: Type.String(),
  created_at: IsoTime,
});
export type PersonView = Static<typeof PersonView>;

/** A new API key: shown once. */
export const CreatedKeyView = Type.Object({
  key: Type.String(),
  key_id: Type.Number(),
  person: Type.Object({ id: Type.Number(), name: Type.String(), role: Type.String() }),
});
export type CreatedKeyView = Static<typeof CreatedKeyView>;

/** One audit log entry (camelCase, as the store records it). */
export const AuditEntryView = Type.Object(
  {
    id: Type.Number(),
    at: IsoTime,
    orgId: Type.Union([Type.Number(), Type.Null()]),
    personId: Type.Union([Type.Number(), Type.Null()]),
    actor: Type.String(),
    action: Type.String(),
    target: Type.String(),
    detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    source: Type.String(),
  },
  { additionalProperties: true },
);
export type AuditEntryView = Static<typeof AuditEntryView>;
