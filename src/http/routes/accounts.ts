/** Ban evasion: a platform's new or changed account matched against the suspended accounts it may see. */

import type { Services } from "../../server/services.js";
import { ACCOUNT_INDEX, accountRecord } from "../../signals/types/account.js";
import { canonicalAccountJson } from "../../kernels/accounts/index.js";
import { route, type RouteDef } from "../route.js";
import { AccountBody, AccountMatchResponse } from "../schemas/accounts.js";

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
  ];
}
