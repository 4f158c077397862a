/** The change feed (GET /v1/changes): what mirrors and federation links poll. */

import { Type } from "typebox";
import { CHANGES_DEFAULT_LIMIT, CHANGES_MAX_LIMIT, CHANGES_MAX_WAIT_SECONDS } from "../../services/changes.js";
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
            wait: Type.Optional(
              Type.Integer({
                minimum: 0,
                maximum: CHANGES_MAX_WAIT_SECONDS,
                description:
                  "Long poll: when there is nothing after the cursor, wait up to this many seconds for a change before answering",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: ChangesResponse },
      },
      handler: async (req, reply, who) => {
        const q = req.query;
        const cursor = q.cursor ?? 0;
        const limit = q.limit ?? CHANGES_DEFAULT_LIMIT;
        let page;
        if (q.wait) {
          // Stop waiting when the caller goes (or the server closes its connections).
          const gone = new AbortController();
          const abort = () => gone.abort();
          reply.raw.once("close", abort);
          try {
            page = await s.changes.waitPage(who, cursor, limit, q.bank_id, q.wait * 1000, gone.signal);
          } finally {
            reply.raw.off("close", abort);
          }
        } else page = await s.changes.page(who, cursor, limit, q.bank_id);
        // Opinions say who gave them only as this instance's policy allows (decision 0042).
        const named = s.config.opinionOrgs === "named";
        const orgs = named ? new Map((await s.store.listOrgs()).map((o) => [o.id, o.name])) : new Map<number, string>();
        return {
          changes: page.changes.map(({ signal, opinions }) => ({
            seq: signal.changeSeq,
            signal: signalView(signal),
            opinions: opinions.map((o) => ({
              id: o.id ?? 0,
              org_id: named ? o.orgId : null,
              org_name: named ? (orgs.get(o.orgId) ?? null) : null,
              kind: o.kind,
              note: o.note,
              updated_at: iso(o.updatedAt),
            })),
          })),
          caller_org_id: who.orgId,
          cursor: page.cursor,
          more: page.more,
          banks: page.banks.map((b) => ({ id: b.id, org_id: b.orgId, name: b.name, tlp: b.tlp, deleted: b.deleted })),
        };
      },
    }),
  ];
}
