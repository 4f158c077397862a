/**
 * The transparency report downloaded from the API (and the web app's Reports screen), and a
 * signal owner's view of how its signals fare among the members (decision 0028).
 */

import { Type } from "typebox";
import { RasdError } from "../../core/errors.js";
import { can } from "../../core/roles.js";
import { reportCsv } from "../../report/csv.js";
import { reportHtml } from "../../report/html.js";
import type { Services } from "../../server/services.js";
import { buildReport } from "../../services/report.js";
import { signalHits } from "../../services/signal-hits.js";
import { route, type RouteDef } from "../route.js";
import { StringEnum } from "../schemas/common.js";

const DAY = 86_400_000;
/** The longest period one report covers (a reporting year and a little more). */
const MAX_REPORT_DAYS = 400;

function period(q: { from?: string; to?: string }, defaultDays: number): { from: number; to: number } {
  const to = q.to ? Date.parse(q.to) : Date.now();
  const from = q.from ? Date.parse(q.from) : to - defaultDays * DAY;
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RasdError("invalid", "from, to: not dates (ISO 8601)");
  if (!(from < to)) throw new RasdError("invalid", "from must be before to");
  return { from, to };
}

const Decisions = Type.Object({ violating: Type.Integer(), not_violating: Type.Integer(), escalate: Type.Integer() });

export function reportRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/v1/reports/transparency",
      access: "measure.read",
      summary:
        "The transparency report (Regulation (EU) 2021/784 Art. 7) for a period, as JSON, CSV (one figure per line) or an HTML page, downloaded; " +
        "the caller's organisation's report, or the coalition's summary (scope=coalition, the operator only)",
      tags: ["measure"],
      schema: {
        querystring: Type.Object(
          {
            from: Type.Optional(
              Type.String({ format: "date-time", description: "Start (inclusive); default 365 days before `to`" }),
            ),
            to: Type.Optional(Type.String({ format: "date-time", description: "End (exclusive); default now" })),
            format: Type.Optional(StringEnum(["json", "csv", "html"], { description: "json (default), csv or html" })),
            scope: Type.Optional(
              StringEnum(["org", "coalition"], {
                description: "org (default): the caller's organisation; coalition: every member (the operator only)",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Unknown({ description: "The report, as the format asks (Content-Disposition: attachment)" }),
        },
      },
      handler: async (req, reply, who) => {
        const q = req.query;
        const { from, to } = period(q, 365);
        if (to - from > MAX_REPORT_DAYS * DAY)
          throw new RasdError(
            "invalid",
            `the period is longer than ${MAX_REPORT_DAYS} days; ask for one year at a time`,
          );
        const coalition = q.scope === "coalition";
        if (coalition && !can(who.role, "coalition.read"))
          throw new RasdError(
            "auth.forbidden",
            "scope=coalition: only the coalition's operator reads every member's report",
          );
        const report = await buildReport(s.stores, s.measurement, {
          from,
          to,
          ...(coalition ? {} : { org: { id: who.orgId, name: who.orgName } }),
        });
        const format = q.format ?? "json";
        const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
        const name = `transparency-report-${coalition ? "coalition" : `org${who.orgId}`}-${day(from)}-${day(to)}`;
        void reply
          .header("content-disposition", `attachment; filename="${name}.${format}"`)
          .header("cache-control", "private, no-store")
          .header("x-content-type-options", "nosniff");
        if (format === "csv") {
          void reply.type("text/csv; charset=utf-8");
          return reportCsv(report).summary;
        }
        if (format === "html") {
          // Downloaded, never rendered inside the app; sandboxed should a browser open it.
          void reply.header(
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
          );
          void reply.type("text/html; charset=utf-8");
          return reportHtml(report);
        }
        void reply.type("application/json; charset=utf-8");
        const figures = Object.fromEntries(Object.entries(report).filter(([k]) => k !== "records"));
        return JSON.stringify(figures, null, 2);
      },
    }),
    route({
      method: "GET",
      url: "/v1/measure/signal-hits",
      access: "signal.read",
      summary:
        "For the banks the caller's organisation owns: how many members' items their signals matched in a period, by member and by signal, " +
        "and what the members decided in review — counts only, never the items, their text or reasons",
      tags: ["measure"],
      schema: {
        querystring: Type.Object(
          {
            from: Type.Optional(
              Type.String({ format: "date-time", description: "Start (inclusive); default 30 days before `to`" }),
            ),
            to: Type.Optional(Type.String({ format: "date-time", description: "End (exclusive); default now" })),
            bank: Type.Optional(Type.Integer({ minimum: 1, description: "One of the caller's banks" })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            banks: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), tlp: Type.String() })),
            items: Type.Integer({
              description: "Members' items that matched one of these banks' signals (allow-list suppressions left out)",
            }),
            decisions: Decisions,
            undecided: Type.Integer({ description: "Matched items no person decided" }),
            by_member: Type.Array(Type.Object({ member: Type.String(), items: Type.Integer(), decisions: Decisions })),
            by_signal: Type.Array(
              Type.Object({
                signal_id: Type.Integer(),
                bank_id: Type.Integer(),
                items: Type.Integer(),
                members: Type.Integer(),
                decisions: Decisions,
              }),
            ),
          }),
        },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const { from, to } = period(q, 30);
        const own = (await s.access.allBanks()).filter((b) => b.orgId === who.orgId && !b.negative);
        if (q.bank !== undefined && !own.some((b) => b.id === q.bank))
          throw new RasdError("not_found", `bank ${q.bank} is not one of your organisation's banks`);
        const banks = q.bank === undefined ? own : own.filter((b) => b.id === q.bank);
        const h = await signalHits(s.stores.measures, new Set(banks.map((b) => b.id)), { from, to });
        return {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          banks: banks.map((b) => ({ id: b.id, name: b.name, tlp: b.tlp })),
          items: h.items,
          decisions: h.decisions,
          undecided: h.undecided,
          by_member: h.byMember,
          by_signal: h.bySignal.map((x) => ({
            signal_id: x.signalId,
            bank_id: x.bankId,
            items: x.items,
            members: x.members,
            decisions: x.decisions,
          })),
        };
      },
    }),
  ];
}
