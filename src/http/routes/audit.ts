/**
 * The audit log's hash chains checked: an organisation's admin checks its own organisation's
 * chain; the coalition's operator (coalition.read) checks every chain.
 */

import { can } from "../../core/roles.js";
import { verifyAudit } from "../../services/audit-verify.js";
import type { Services } from "../../server/services.js";
import { route, type RouteDef } from "../route.js";
import { AuditVerificationView } from "../schemas/audit.js";

export function auditRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/v1/audit/verify",
      access: "audit.read",
      summary:
        "Check the audit log's hash chain (the organisation's; every chain for the operator): the first broken link, if any",
      tags: ["members"],
      schema: { response: { 200: AuditVerificationView } },
      handler: async (_req, _reply, who) => {
        const result = await verifyAudit(s.access.store, can(who.role, "coalition.read") ? undefined : [who.orgId]);
        return {
          ok: result.ok,
          chains: result.chains.map((c) => ({
            orgId: c.chain === 0 ? null : c.chain,
            entries: c.entries,
            head: c.head,
            ...(c.broken ? { broken: { entryId: c.broken.id, seq: c.broken.seq, reason: c.broken.reason } } : {}),
          })),
        };
      },
    }),
  ];
}
