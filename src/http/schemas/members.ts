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
  password: Type.Optional(Type.Boolean({ description: "Has a password: may sign in to the web app" })),
  active_keys: Type.Optional(Type.Number({ description: "API keys neither revoked nor expired" })),
});
export type PersonView = Static<typeof PersonView>;

/** A new API key: shown once. */
export const CreatedKeyView = Type.Object({
  key: Type.String(),
  key_id: Type.Number(),
  person: Type.Object({ id: Type.Number(), name: Type.String(), role: Type.String() }),
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  expires_at: Type.Optional(IsoTime),
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

/** An API key as its organisation's admins see it: never its secret. */
export const KeyView = Type.Object({
  id: Type.Number(),
  name: Type.Union([Type.String(), Type.Null()]),
  prefix: Type.String({ description: "The key's public part: rasd_<prefix>_…" }),
  role: Type.String(),
  person: Type.Object({ id: Type.Number(), name: Type.String() }),
  state: Type.Union([Type.Literal("active"), Type.Literal("expired"), Type.Literal("revoked")]),
  created_at: IsoTime,
  created_by: Type.Union([Type.Object({ id: Type.Number(), name: Type.String() }), Type.Null()], {
    description: "Who created it; null: an operator with the CLI",
  }),
  last_used_at: Type.Union([Type.String(), Type.Null()], {
    description: "ISO 8601 time, coarse (written at most once a minute)",
  }),
  expires_at: IsoTime,
  rotated_at: IsoTime,
  previous_secret_valid_until: Type.Union([Type.String(), Type.Null()], {
    description: "Until when the secret from before the last rotation still works",
  }),
  revoked_at: IsoTime,
});
export type KeyView = Static<typeof KeyView>;

/** A rotated key: its new secret, shown once, and the key. */
export const RotatedKeyView = Type.Object({ key: Type.String(), key_info: KeyView });
export type RotatedKeyView = Static<typeof RotatedKeyView>;
