/** The change feed (GET /v1/changes): what mirrors and federation links poll. */

import { Type } from "typebox";
import { CHANGES_DEFAULT_LIMIT, CHANGES_MAX_LIMIT } from "../../services/changes.js";
import type { Services } from "../../server/services.js";
import { route, type RouteDef } from "../route.js";
import { ChangesResponse } from "../schemas/changes.js";
import { iso, signalView } from "../views.js";

export function changeRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/v1/changes",
      access: "signal.read",
      summary:
        "Every signal change the caller may see (additions, updates, opinions, retractions), in order, from a cursor",
      tags: ["signals"],
      schema: {
        querystring: Type.Object(
          {
            cursor: Type.Optional(Type.Integer({ minimum: 0, description: "0 (the default) = from the beginning" })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: CHANGES_MAX_LIMIT })),
            bank_id: Type.Optional(Type.Integer({ minimum: 1, description: "Only this bank's changes" })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ChangesResponse },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const page = await s.changes.page(who, q.cursor ?? 0, q.limit ?? CHANGES_DEFAULT_LIMIT, q.bank_id);
        return {
          changes: page.changes.map(({ signal, opinions }) => ({
            seq: signal.changeSeq,
            signal: signalView(signal),
            opinions: opinions.map((o) => ({
              org_id: o.orgId,
              kind: o.kind,
              note: o.note,
              updated_at: iso(o.updatedAt),
            })),
          })),
          cursor: page.cursor,
          more: page.more,
          banks: page.banks.map((b) => ({ id: b.id, org_id: b.orgId, name: b.name, tlp: b.tlp, deleted: b.deleted })),
        };
      },
    }),
  ];
}
