/** The change feed as the API shows it (GET /v1/changes). */

import { Type, type Static } from "typebox";
import { IsoTime, Nullable } from "./common.js";
import { SignalView } from "./banks.js";

export const ChangeView = Type.Object({
  seq: Type.Number({ description: "This change's number; a later change of the same signal supersedes it" }),
  signal: SignalView,
  opinions: Type.Array(
    Type.Object({
      id: Type.Number({ description: "The opinion's own number: its stable name across systems" }),
      org_id: Nullable(Type.Number({ description: "null when this instance's policy keeps organisations out" })),
      org_name: Nullable(Type.String()),
      kind: Type.String(),
      note: Type.String(),
      updated_at: IsoTime,
    }),
  ),
});
export type ChangeView = Static<typeof ChangeView>;

export const ChangeBankView = Type.Object({
  id: Type.Number(),
  org_id: Type.Number(),
  name: Type.String(),
  tlp: Type.String(),
  deleted: Type.Boolean({ description: "Deleted: its signals come as tombstones" }),
});

export const ChangesResponse = Type.Object({
  changes: Type.Array(ChangeView),
  caller_org_id: Type.Number({
    description: "The caller's organisation here (a mirror leaves out its own opinions, which it already holds)",
  }),
  cursor: Type.Number({ description: "Pass back as ?cursor= to continue" }),
  more: Type.Boolean({ description: "More changes are waiting: ask again at once" }),
  banks: Type.Array(ChangeBankView, {
    description: "The banks the caller follows now; a mirror drops banks no longer listed",
  }),
});
export type ChangesResponse = Static<typeof ChangesResponse>;
