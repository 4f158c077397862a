/** The dashboard's activity figures: per period, items received, matched and acted on. */

import { Type } from "typebox";
import { RasdError } from "../../core/errors.js";
import { INTERVALS } from "../../services/dashboard.js";
import type { Services } from "../../server/services.js";
import { route, type RouteDef } from "../route.js";
import { StringEnum } from "../schemas/common.js";
import { ActivityView } from "../schemas/status.js";
import { iso } from "../views.js";

const DAY = 24 * 3600_000;

function time(value: string | undefined, field: string, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const ms = /^\d{9,15}$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RasdError("invalid", `${field}: not a date; use ISO 8601 or epoch milliseconds`);
  return ms;
}

export function dashboardRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/v1/stats/activity",
      access: "content.read",
      summary:
        "The organisation's activity per hour, day or week: items received, items matched, actions taken; " +
        "matches by bank (banks the caller may see) and by label",
      tags: ["content"],
      schema: {
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ maxLength: 40 })),
            to: Type.Optional(Type.String({ maxLength: 40 })),
            interval: Type.Optional(StringEnum(INTERVALS)),
          },
          { additionalProperties: false },
        ),
        response: { 200: ActivityView },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const to = time(q.to, "to", Date.now());
        const from = time(q.from, "from", to - 7 * DAY);
        // Allow-list matches are not matches of propaganda: they are left out of the figures.
        const banks = new Map((await s.access.visibleBanks(who)).filter((b) => !b.negative).map((b) => [b.id, b.name]));
        const a = await s.dashboard.activity(who.orgId, banks, from, to, q.interval ?? "day");
        return {
          from: iso(a.from),
          to: iso(a.to),
          interval: a.interval,
          totals: a.totals,
          periods: a.periods.map((p) => ({ ...p, start: iso(p.start), end: iso(p.end) })),
          by_bank: a.byBank.map((b) => ({ bank_id: b.bankId, bank_name: b.bankName, matches: b.matches })),
          by_label: a.byLabel,
        };
      },
    }),
  ];
}
