/**
 * The review queue's filters (GET /v1/reviews: kind, bank, platform, language, reason) as the
 * reviewer set them, kept in localStorage so the queue opens as they left it, and the query
 * of one page. Pure apart from the storage it is given, so it is tested without a browser.
 */

export const QUEUE_KINDS = ["image", "video", "text", "url"] as const;
export const QUEUE_LANGUAGES = ["ar", "en", "und"] as const;
export const QUEUE_REASONS = ["match", "stance", "account", "incident", "link"] as const;

export interface QueueFilters {
  /** "" for all, else one of QUEUE_KINDS. */
  kind: string;
  /** A bank id, "" for all. */
  bank: string;
  platform: string;
  language: string;
  reason: string;
}

export const NO_QUEUE_FILTERS: QueueFilters = { kind: "", bank: "", platform: "", language: "", reason: "" };

const KEY = "rasd.review.filters";

interface KeyStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function oneOf(list: readonly string[], v: unknown): string {
  return typeof v === "string" && list.includes(v) ? v : "";
}

/** The filters kept from before; anything unreadable is left out. */
export function loadQueueFilters(store: KeyStore | undefined): QueueFilters {
  try {
    const raw = JSON.parse(store?.getItem(KEY) ?? "{}") as Record<string, unknown>;
    return {
      kind: oneOf(QUEUE_KINDS, raw.kind),
      bank: typeof raw.bank === "string" && /^[1-9][0-9]*$/.test(raw.bank) ? raw.bank : "",
      platform: typeof raw.platform === "string" ? raw.platform.slice(0, 100) : "",
      language: oneOf(QUEUE_LANGUAGES, raw.language),
      reason: oneOf(QUEUE_REASONS, raw.reason),
    };
  } catch {
    return { ...NO_QUEUE_FILTERS };
  }
}

export function saveQueueFilters(store: KeyStore | undefined, f: QueueFilters): void {
  try {
    store?.setItem(KEY, JSON.stringify(f));
  } catch {
    // Storage full or refused: the filters are not remembered, nothing else changes.
  }
}

/** Whether any filter narrows the queue. */
export function queueNarrowed(f: QueueFilters): boolean {
  return Object.values(f).some((v) => v.trim() !== "");
}

/** The query string of one page of the queue: its status, the filters set, and the page's cursor. */
export function queueQuery(status: string, f: QueueFilters, before: string | undefined, limit = 100): string {
  const q = new URLSearchParams({ status, limit: String(limit) });
  if (f.kind) q.set("kind", f.kind);
  if (f.bank) q.set("bank", f.bank);
  if (f.platform.trim()) q.set("platform", f.platform.trim());
  if (f.language) q.set("language", f.language);
  if (f.reason) q.set("reason", f.reason);
  if (before) q.set("before", before);
  return q.toString();
}
