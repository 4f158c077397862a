/**
 * Outcomes in time order (issue 16): an event reported on an item may not predate the item
 * (its posting, when the platform gave it), a removal may not predate rasd's receipt of the
 * item (else "removed within the hour" would count time that never ran), and an event that
 * needs an earlier one (a restoration its removal, a removal on an order that order, a
 * complaint the removal it contests, …) may not come before it. Pure; the HTTP layer
 * answers 400 with the message.
 */

import { RasdError } from "./errors.js";

/** Which earlier event kinds each kind follows (any one of them, the earliest). */
const FOLLOWS: Readonly<Record<string, readonly string[]>> = {
  not_actioned: ["removal_order"],
  complaint: ["removed", "disabled"],
  review_filed: ["removed", "disabled"],
  complaint_upheld: ["complaint"],
  complaint_rejected: ["complaint"],
  review_upheld: ["review_filed"],
  review_overturned: ["review_filed"],
  restored: ["removed", "disabled"],
};

const REMOVALS = new Set(["removed", "disabled"]);
const iso = (ms: number) => new Date(ms).toISOString();

export function checkOutcomeOrder(
  item: { readonly postedAt: number | null; readonly receivedAt: number },
  earlier: readonly { readonly kind: string; readonly at: number }[],
  next: { readonly kind: string; readonly basis?: string; readonly at: number },
): void {
  const fail = (message: string) => {
    throw new RasdError("invalid", `${next.kind}: ${message}`);
  };
  if (item.postedAt !== null && next.at < item.postedAt)
    fail(`dated ${iso(next.at)}, before the item was posted (${iso(item.postedAt)})`);
  if (REMOVALS.has(next.kind) && next.at < item.receivedAt)
    fail(
      `dated ${iso(next.at)}, before rasd received the item (${iso(item.receivedAt)}); report removals that followed receipt`,
    );
  const needs = next.basis === "removal_order" && REMOVALS.has(next.kind) ? ["removal_order"] : FOLLOWS[next.kind];
  if (!needs) return;
  const prior = earlier.filter((o) => needs.includes(o.kind)).map((o) => o.at);
  if (prior.length === 0) return; // checkOutcome says what is missing
  const first = Math.min(...prior);
  if (next.at < first) fail(`dated ${iso(next.at)}, before the ${needs.join(" or ")} it follows (${iso(first)})`);
}
