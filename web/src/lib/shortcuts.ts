/** The review queue's keyboard shortcuts: one table, shown on screen and used by the handler. */

export type ReviewAction = "next" | "previous" | "reveal" | "violating" | "not_violating" | "escalate" | "reasons";

export const REVIEW_SHORTCUTS: readonly { key: string; action: ReviewAction; help: string }[] = [
  { key: "j", action: "next", help: "next item" },
  { key: "k", action: "previous", help: "previous item" },
  { key: "r", action: "reveal", help: "reveal or hide the media" },
  { key: "v", action: "violating", help: "violating" },
  { key: "n", action: "not_violating", help: "not violating" },
  { key: "e", action: "escalate", help: "escalate" },
  { key: "s", action: "reasons", help: "write the statement of reasons" },
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
