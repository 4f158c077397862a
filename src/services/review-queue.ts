/**
 * The review queue's filters and pages (GET /v1/reviews, `rasd review list`; decision 0039):
 * the values checked with a precise message, a bank only when the caller may see it, and the
 * cursor that carries a page's last entry (its priority and id; just the id for decided ones).
 */

import { RasdError } from "../core/errors.js";
import { CONTENT_KINDS } from "../storage/ports/content.js";
import { REVIEW_REASONS, type ReviewCursor, type ReviewFilter, type ReviewItem } from "../storage/ports/reviews.js";

export const QUEUE_LANGUAGES = ["ar", "en", "und"] as const;

/** The queue's filters as given (query parameters or CLI options), before they are checked. */
export interface QueueFilterInput {
  readonly kind?: string;
  readonly bank?: number | string;
  readonly platform?: string;
  readonly language?: string;
  readonly reason?: string;
  readonly before?: string;
}

/** The cursor of the page after `last`: "<priority>:<id>" in the open and escalated queues, "<id>" in decided. */
export function reviewCursor(last: ReviewItem, status: string): string {
  return status === "decided" ? String(last.id) : `${last.priority}:${last.id}`;
}

/** A `before` cursor read back; `name` names the parameter in the message. */
export function parseCursor(text: string, status: string, name = "before"): ReviewCursor {
  if (status === "decided") {
    if (!/^[1-9][0-9]{0,15}$/.test(text))
      throw new RasdError(
        "invalid",
        `${name}: "${text}" is not a cursor of the decided queue (a page's next: an entry id)`,
      );
    return { id: Number(text) };
  }
  const m = /^(-?[0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?):([1-9][0-9]{0,15})$/.exec(text);
  const priority = m ? Number(m[1]) : NaN;
  if (!m || !Number.isFinite(priority))
    throw new RasdError(
      "invalid",
      `${name}: "${text}" is not a cursor of the ${status} queue (a page's next: "<priority>:<entry id>")`,
    );
  return { priority, id: Number(m[2]) };
}

/**
 * The filter for the store, checked: kind, language and reason from their lists; platform 1 to
 * 100 characters; a bank the caller may see (one they may not is refused as unknown, so its
 * existence is not told); a cursor of the queue asked for.
 */
export async function queueFilter(
  q: QueueFilterInput,
  status: string,
  visibleBanks: () => Promise<ReadonlySet<number>>,
  names: { bank?: string; before?: string } = {},
): Promise<ReviewFilter> {
  const filter: { -readonly [K in keyof ReviewFilter]: ReviewFilter[K] } = {};
  if (q.kind !== undefined) {
    if (!(CONTENT_KINDS as readonly string[]).includes(q.kind))
      throw new RasdError("invalid", `kind: "${q.kind}" is not one of ${CONTENT_KINDS.join(", ")}`);
    filter.kind = q.kind;
  }
  if (q.language !== undefined) {
    if (!(QUEUE_LANGUAGES as readonly string[]).includes(q.language))
      throw new RasdError(
        "invalid",
        `language: "${q.language}" is not one of ${QUEUE_LANGUAGES.join(", ")} (und: no language found)`,
      );
    filter.language = q.language;
  }
  if (q.reason !== undefined) {
    if (!(REVIEW_REASONS as readonly string[]).includes(q.reason))
      throw new RasdError("invalid", `reason: "${q.reason}" is not one of ${REVIEW_REASONS.join(", ")}`);
    filter.reason = q.reason as ReviewFilter["reason"];
  }
  if (q.platform !== undefined) {
    const platform = q.platform.trim();
    if (platform.length < 1 || platform.length > 100)
      throw new RasdError("invalid", "platform: 1 to 100 characters, as the items were submitted with");
    filter.platform = platform;
  }
  if (q.bank !== undefined) {
    const name = names.bank ?? "bank";
    const id = typeof q.bank === "number" ? q.bank : /^[1-9][0-9]{0,15}$/.test(q.bank) ? Number(q.bank) : NaN;
    if (!Number.isSafeInteger(id) || id < 1)
      throw new RasdError("invalid", `${name}: "${q.bank}" is not a bank id (a whole number from 1)`);
    if (!(await visibleBanks()).has(id))
      throw new RasdError("invalid", `${name}: there is no bank ${id} that you may see`);
    filter.bankId = id;
  }
  if (q.before !== undefined) filter.after = parseCursor(q.before, status, names.before ?? "before");
  return filter;
}
