/** The review queue's keyboard shortcuts: one table, shown on screen (help in the review catalog, review:keys.<action>) and used by the handler. */

export type ReviewAction = "next" | "previous" | "reveal" | "violating" | "not_violating" | "escalate" | "reasons";

export const REVIEW_SHORTCUTS: readonly { key: string; action: ReviewAction }[] = [
  { key: "j", action: "next" },
  { key: "k", action: "previous" },
  { key: "r", action: "reveal" },
  { key: "v", action: "violating" },
  { key: "n", action: "not_violating" },
  { key: "e", action: "escalate" },
  { key: "s", action: "reasons" },
];

/** The action for a key press, or undefined (typing in a field, or with a modifier). */
export function reviewAction(e: {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  targetTag?: string;
  targetEditable?: boolean;
}): ReviewAction | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  const tag = (e.targetTag ?? "").toUpperCase();
  if (e.targetEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return undefined;
  return REVIEW_SHORTCUTS.find((s) => s.key === e.key.toLowerCase())?.action;
}
