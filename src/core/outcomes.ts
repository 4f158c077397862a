/**
 * What happened to an item after rasd acted, as its platform reports it — the records the
 * EU terrorist-content regulation's transparency report (Regulation 2021/784, Art. 7) is
 * computed from: removal orders received, content removed or disabled and on what basis,
 * orders not acted on and why (Art. 3(7) and 3(8)), complaints and their outcomes, review
 * proceedings, and restorations. Pure.
 */

import { RasdError } from "./errors.js";

export const OUTCOME_KINDS = [
  "removal_order",
  "removed",
  "disabled",
  "not_actioned",
  "complaint",
  "complaint_upheld",
  "complaint_rejected",
  "review_filed",
  "review_upheld",
  "review_overturned",
  "restored",
] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

/** Why content was removed or disabled. */
const REMOVAL_BASES = ["removal_order", "referral", "terms_of_service", "hash_match"] as const;

/** Why a removal order was not acted on. */
const NOT_ACTIONED_REASONS = [
  "force_majeure",
  "technical_impossibility",
  "manifest_error",
  "insufficient_information",
  "not_terrorist_content",
  "other",
] as const;

/** Why content came back. */
const RESTORATION_REASONS = ["complaint", "review", "error"] as const;

export interface OutcomeInput {
  readonly kind: OutcomeKind;
  readonly basis?: string;
  readonly reason?: string;
  readonly authority?: string;
  readonly at: number;
}

/**
 * Checks a new outcome against the item's earlier ones: each must follow what it answers
 * (a restoration follows a removal, a complaint's outcome follows a complaint, …). Throws
 * a precise `invalid` error.
 */
export function checkOutcome(earlier: readonly { readonly kind: string }[], next: OutcomeInput): void {
  const had = (...kinds: string[]) => earlier.some((o) => kinds.includes(o.kind));
  const need = (ok: boolean, message: string) => {
    if (!ok) throw new RasdError("invalid", `${next.kind}: ${message}`);
  };
  switch (next.kind) {
    case "removal_order":
      need(Boolean(next.authority?.trim()), "name the competent authority that issued the order (authority)");
      break;
    case "removed":
    case "disabled":
      need(
        (REMOVAL_BASES as readonly string[]).includes(next.basis ?? ""),
        `basis must be one of ${REMOVAL_BASES.join(", ")}`,
      );
      if (next.basis === "removal_order") need(had("removal_order"), "no removal order was recorded for this item");
      break;
    case "not_actioned":
      need(had("removal_order"), "only a removal order can be not acted on; record the order first");
      need(
        (NOT_ACTIONED_REASONS as readonly string[]).includes(next.reason ?? ""),
        `reason must be one of ${NOT_ACTIONED_REASONS.join(", ")}`,
      );
      break;
    case "complaint":
    case "review_filed":
      need(had("removed", "disabled"), "the item was not removed or disabled");
      break;
    case "complaint_upheld":
    case "complaint_rejected":
      need(had("complaint"), "no complaint was recorded for this item");
      break;
    case "review_upheld":
    case "review_overturned":
      need(had("review_filed"), "no review proceeding was recorded for this item");
      break;
    case "restored":
      need(had("removed", "disabled"), "the item was not removed or disabled");
      need(
        (RESTORATION_REASONS as readonly string[]).includes(next.reason ?? ""),
        `reason must be one of ${RESTORATION_REASONS.join(", ")}`,
      );
      break;
  }
}
