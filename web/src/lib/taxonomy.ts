/**
 * The review decision taxonomy, as the API's POST /v1/reviews/:id/decision takes it: checked
 * here before sending, so a reviewer hears what is missing without a round trip.
 */

import { t } from "./i18n.js";

export const DECISIONS = ["violating", "not_violating", "escalate"] as const;
export type Decision = (typeof DECISIONS)[number];

/** A decision's name in the locale. */
export function decisionName(d: string): string {
  return (DECISIONS as readonly string[]).includes(d) ? t(`review:decision.${d}`) : d;
}

/** The coalition's behaviour labels: the server's own list, bundled. */
export { BEHAVIOURS } from "../../../src/core/model.js";

/** Entities offered as choices (the API accepts any lower-case slug). */
export const ENTITIES = ["isis", "aq", "hts", "al-shabaab"] as const;

export interface DecisionDraft {
  decision: Decision | "";
  entity: string[];
  behaviour: string[];
  reasons: string;
  addToBank: boolean;
  bankId: number | undefined;
}

export const EMPTY_DRAFT: DecisionDraft = {
  decision: "",
  entity: [],
  behaviour: [],
  reasons: "",
  addToBank: false,
  bankId: undefined,
};

const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Problems with a draft, each naming its field; empty when it can be sent. */
export function validateDraft(d: DecisionDraft): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (d.decision === "") out.push({ field: "decision", message: t("review:problem.decision") });
  if (d.decision === "violating" && d.entity.length === 0 && d.behaviour.length === 0)
    out.push({ field: "labels", message: t("review:problem.labels") });
  for (const e of d.entity)
    if (!SLUG.test(e)) out.push({ field: "labels", message: t("review:problem.entity", { entity: e }) });
  if (d.reasons.trim().length === 0) out.push({ field: "reasons", message: t("review:problem.reasons") });
  if (d.decision === "violating" && d.addToBank && d.bankId === undefined)
    out.push({ field: "bank", message: t("review:problem.bank") });
  return out;
}

/** The API request body for a valid draft. */
export function decisionBody(d: DecisionDraft): Record<string, unknown> {
  const violating = d.decision === "violating";
  return {
    decision: d.decision,
    reasons: d.reasons.trim(),
    ...(violating ? { labels: { entity: d.entity, behaviour: d.behaviour } } : {}),
    ...(violating && d.addToBank && d.bankId !== undefined ? { addToBank: { bankId: d.bankId } } : {}),
  };
}
