/**
 * The ban-evasion review view (issue 19): for a review entry whose item's author matched
 * suspended accounts, the submitted account and each suspended one side by side, with the
 * evidence per feature, the score and the threshold the match needed. Only matches of banks
 * the caller may see now are shown (a bank made RED, or a sharing withdrawn, after the match
 * hides it); the entry must be the caller's organisation's.
 */

import { RasdError } from "../../core/errors.js";
import {
  canonicalAccountJson,
  parseAccountJson,
  prepareAccount,
  scoreAccount,
  type AccountRecord,
  type Evidence,
} from "../../kernels/accounts/index.js";

import type { StoredMatch } from "../../services/pipeline.js";
import { ownReview } from "../../services/reviews.js";
import type { Services } from "../../server/services.js";
import { DEFAULT_ACCOUNT_MIN_SCORE } from "../../signals/types/account.js";
import { idParam, route, type RouteDef } from "../route.js";
import { ReviewAccountsView, type ReviewAccountMatchView } from "../schemas/accounts.js";

/** The record, or undefined when the stored text is not an account (never thrown at a reviewer). */
function record(text: string | null | undefined): AccountRecord | undefined {
  if (!text) return undefined;
  try {
    return parseAccountJson(text);
  } catch {
    return undefined;
  }
}

const view = (r: AccountRecord): unknown => JSON.parse(canonicalAccountJson(r)) as unknown;

export function reviewAccountRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/v1/reviews/:id/accounts",
      access: "review.read",
      summary:
        "Ban evasion beside a review entry: the item's author account and the suspended accounts it matched " +
        "(banks the caller may see only), with the evidence per feature, the score and the bank's threshold",
      tags: ["review"],
      schema: { response: { 200: ReviewAccountsView } },
      handler: async (req, _reply, who) => {
        const row = await ownReview(s.reviews, who.orgId, idParam(req));
        const item = await s.content.getItem(row.itemId);
        if (!item) throw new RasdError("not_found", "no such review entry");
        const banks = new Map((await s.access.visibleBanks(who)).map((b) => [b.id, b]));
        let stored: StoredMatch[] = [];
        try {
          stored = (JSON.parse(item.matches) as StoredMatch[]).filter(
            (m) => m.type === "account" && banks.has(m.bankId),
          );
        } catch {
          stored = [];
        }
        const submitted = record(item.author);
        const signals = new Map((await s.store.getSignals([...new Set(stored.map((m) => m.signalId))])).map((x) => [x.id, x]));
        const orgs = new Map((await s.store.listOrgs()).map((o) => [o.id, o.name]));
        const matches: ReviewAccountMatchView[] = [];
        for (const m of stored) {
          const signal = signals.get(m.signalId);
          const suspended = record(signal?.value);
          // The signal must still be in a bank the caller may see (it may have moved or gone).
          if (!signal || !suspended || !banks.has(signal.bankId)) continue;
          const bank = banks.get(signal.bankId)!;
          let evidence: readonly Evidence[] | undefined = m.evidence;
          const recomputed = evidence === undefined;
          if (evidence === undefined)
            evidence = submitted ? scoreAccount(prepareAccount(submitted), prepareAccount(suspended)).evidence : [];
          matches.push({
            signal_id: signal.id,
            status: signal.status,
            bank: { id: bank.id, name: bank.name, org_id: bank.orgId, org_name: orgs.get(bank.orgId) ?? "", tlp: bank.tlp },
            labels: signal.labels,
            score: m.similarity ?? 0,
            threshold: DEFAULT_ACCOUNT_MIN_SCORE,
            suppressed: m.suppressed ?? false,
            evidence: evidence.map((e) => ({ ...e })),
            evidence_source: recomputed ? "recomputed" : "stored",
            account: view(suspended),
          });
        }
        matches.sort((a, b) => b.score - a.score);
        return {
          review_id: row.id,
          item_id: item.id,
          submitted: submitted ? view(submitted) : null,
          matches,
        };
      },
    }),
  ];
}
