/** Ban evasion: a platform's new or changed account matched against the suspended accounts it may see. */

import { Type } from "typebox";
import { RasdError } from "../../core/errors.js";
import { INTERVALS, type Interval } from "../../core/periods.js";
import type { Services } from "../../server/services.js";
import { measureAccounts, type AccountPeriod } from "../../services/account-figures.js";
import { StringEnum } from "../schemas/common.js";
import { ACCOUNT_INDEX, accountRecord } from "../../signals/types/account.js";
import { canonicalAccountJson } from "../../kernels/accounts/index.js";
import { route, type RouteDef } from "../route.js";
import { medianView } from "../views.js";
import {
  AccountBody,
  AccountMatchResponse,
  AccountMeasurementView,
  type AccountPeriodView,
} from "../schemas/accounts.js";

const DAY = 86_400_000;

function periodView(p: AccountPeriod): AccountPeriodView {
  return {
    start: p.start,
    end: p.end,
    suspended: p.suspended,
    returns: p.returns,
    timed: p.timed,
    time_to_return: medianView(p.timeToReturn),
  };
}

export function accountRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "POST",
      url: "/v1/accounts",
      access: "match.lookup",
      summary: "Match a new or changed account against the suspended accounts the caller may see (ban evasion)",
      tags: ["matching"],
      schema: { body: AccountBody, response: { 200: AccountMatchResponse } },
      handler: async (req, _reply, who) => {
        const value = canonicalAccountJson(accountRecord(JSON.stringify(req.body)));
        const banks = await s.access.visibleBankIds(who);
        const result = s.matcher.match("account", value, banks);
        const index = s.matcher.indexOfKind(ACCOUNT_INDEX);
        const matches = result.matches.flatMap((m) =>
          m.type === "account"
            ? [
                {
                  signal_id: m.signalId,
                  bank_id: m.bankId,
                  score: m.similarity,
                  suppressed: m.suppressed === true,
                  evidence: m.evidence.map((e) => ({ ...e })),
                  account: ((r) => (r ? (JSON.parse(canonicalAccountJson(r)) as unknown) : null))(
                    index.get(m.signalId),
                  ),
                },
              ]
            : [],
        );
        return { account: JSON.parse(value) as unknown, matches, suppressed_by: result.suppressedBy };
      },
    }),
    route({
      method: "GET",
      url: "/v1/measure/accounts",
      access: "measure.read",
      summary:
        "Accounts suspended (banked by members), returning accounts found (ban evasion) and the median time from suspension to return with a 95% interval, per period, per platform and per reporting member",
      tags: ["measure"],
      schema: {
        querystring: Type.Object(
          {
            from: Type.Optional(
              Type.String({ format: "date-time", description: "Start (inclusive); default 30 days before `to`" }),
            ),
            to: Type.Optional(Type.String({ format: "date-time", description: "End (exclusive); default now" })),
            interval: Type.Optional(StringEnum(INTERVALS.filter((i): i is Exclude<Interval, "hour"> => i !== "hour"))),
            scope: Type.Optional(
              StringEnum(["org", "coalition"], {
                description:
                  "Whose items' returns count: org (default) the caller's organisation's; coalition every member's, in aggregate. Suspended accounts are those of the banks the caller may see either way",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: AccountMeasurementView },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const to = q.to ? Date.parse(q.to) : Date.now();
        const from = q.from ? Date.parse(q.from) : to - 30 * DAY;
        if (!(from < to)) throw new RasdError("invalid", "from must be before to");
        const interval = q.interval ?? "day";
        const scope = q.scope ?? "org";
        const visible = await s.access.visibleBankIds(who);
        const banks = await s.access.allBanks();
        const orgs = new Map((await s.stores.signals.listOrgs()).map((o) => [o.id, o.name]));
        const owner = new Map(banks.map((b) => [b.id, orgs.get(b.orgId) ?? `org ${b.orgId}`]));
        const m = await measureAccounts(s.stores.measures, {
          scope: { from, to, ...(scope === "org" ? { orgId: who.orgId } : {}) },
          interval,
          bankIds: visible,
          reporterOf: (id) => owner.get(id) ?? "?",
        });
        if (!m)
          throw new RasdError("invalid", `too many ${interval} periods between from and to; use a longer interval`);
        return {
          from: m.from,
          to: m.to,
          interval: m.interval,
          scope,
          overall: periodView(m.overall),
          periods: m.periods.map(periodView),
          by_platform: m.byPlatform.map((p) => ({
            platform: p.platform,
            suspended: p.suspended,
            returns: p.returns,
            time_to_return: medianView(p.timeToReturn),
          })),
          by_reporter: m.byReporter.map((r) => ({ ...r })),
          definitions: { ...m.definitions },
        };
      },
    }),
  ];
}
