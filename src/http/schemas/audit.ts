/** The audit log's chain check (GET /v1/audit/verify). */

import { Type, type Static } from "typebox";

const BrokenLinkView = Type.Object({
  entryId: Type.Union([Type.Number(), Type.Null()], {
    description: "The entry where the chain breaks; null when entries are missing from its end",
  }),
  seq: Type.Number({ description: "Its number in the chain" }),
  reason: Type.String(),
});

export const AuditVerificationView = Type.Object({
  ok: Type.Boolean({ description: "Every chain checked holds" }),
  chains: Type.Array(
    Type.Object({
      orgId: Type.Union([Type.Number(), Type.Null()], {
        description: "The chain's organisation; null: no organisation's",
      }),
      entries: Type.Number({ description: "Entries checked, up to the first broken link" }),
      head: Type.String({
        description: "The last hash checked: kept somewhere else, it shows a later rewrite of the whole chain",
      }),
      broken: Type.Optional(BrokenLinkView),
    }),
  ),
});
export type AuditVerificationView = Static<typeof AuditVerificationView>;
