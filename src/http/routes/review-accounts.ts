/**
 * The ban-evasion review view (issue 19): for a review entry whose item's author matched
 * suspended accounts, the submitted account and each suspended one side by side, with the
 * evidence per feature, the score and the threshold (services/review-accounts.ts).
 */

import type { Services } from "../../server/services.js";
import { reviewAccounts } from "../../services/review-accounts.js";
import { idParam, route, type RouteDef } from "../route.js";
import { ReviewAccountsView } from "../schemas/accounts.js";

export function reviewAccountRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/v1/reviews/:id/accounts",
      access: "review.read",
      summary:
        "Ban evasion beside a review entry: the item's author account and the suspended accounts it matched " +
        "(banks the caller may see now only), with the evidence per feature, the score and the bank's threshold; " +
        "the caller's organisation's entries only",
      tags: ["review"],
      schema: { response: { 200: ReviewAccountsView } },
      handler: async (req, _reply, who) =>
        reviewAccounts(
          { reviews: s.reviews, content: s.content, signals: s.store, visibleBanks: () => s.access.visibleBanks(who) },
          who.orgId,
          idParam(req),
        ),
    }),
  ];
}
