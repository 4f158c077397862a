/**
 * Whether a link is still up, from what its host answered: the verdict a liveness check
 * records. Pure: the HTTP exchange happens elsewhere (services/links). A link is
 *   - removed: the host answered 404 Not Found, 410 Gone or 451 Unavailable For Legal
 *     Reasons, or a page that a known platform serves in place of removed content (a 200
 *     "this file was removed" page, or a redirect to one);
 *   - online: any other 2xx answer;
 *   - error: anything else — 429 Too Many Requests, 5xx, 401/403 (a block is not a removal),
 *     a network failure or a timeout. An error says nothing about the content: the link is
 *     checked again later, with back-off.
 */

/** A liveness verdict. */
export const LINK_STATUSES = ["online", "removed", "error"] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

/** HTTP statuses that mean the content is gone. */
export const REMOVED_STATUSES: ReadonlySet<number> = new Set([404, 410, 451]);

/** A platform's "removed" page: on `host` (or under it), a final URL path or a body that says so. */
export interface RemovedPagePattern {
  readonly host: string;
  /** The final URL's path (after redirects) when the content is gone. */
  readonly path?: RegExp;
  /** Text in the first bytes of a 200 answer's body when the content is gone. */
  readonly body?: RegExp;
}

/**
 * Removed pages of hosts common in the 2014–16 propaganda links (file hosts and paste sites
 * answer 200 with a notice rather than 404). A pattern is matched on the final hop only.
 */
export const REMOVED_PAGE_PATTERNS: readonly RemovedPagePattern[] = [
  { host: "archive.org", body: /item (?:is not available|cannot be found)|this item is no longer available/i },
  { host: "justpaste.it", body: /this (?:article|paste) (?:has been|was) (?:removed|deleted)/i },
  { host: "pastebin.com", path: /^\/removed/i, body: /this paste has been removed|not found \(#404\)/i },
  { host: "t.me", body: /tgme_page_title[^<]*<[^>]*>\s*(?:Telegram: Contact|This channel can't be displayed)/i },
  { host: "youtube.com", body: /"status":"ERROR","reason":"(?:This video has been removed|Video unavailable)/i },
  { host: "drive.google.com", body: /sorry, the file you have requested does not exist/i },
  { host: "mediafire.com", path: /^\/error\.php/i, body: /file (?:removed|deleted) for violation/i },
  { host: "dailymotion.com", body: /this video (?:has been removed|is no longer available)/i },
];

/** What a check learnt from the final hop. */
export interface CheckAnswer {
  /** The final hop's HTTP status, or null when there was no answer (network error, timeout). */
  readonly status: number | null;
  /** The final hop's host (canonical) and path. */
  readonly host?: string;
  readonly path?: string;
  /** The start of a 2xx answer's body, when it was read. */
  readonly body?: string;
}

function hostUnder(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/**
 * The removed-page pattern the answer shows, if any.
 * @example removedPage({ status: 200, host: "pastebin.com", path: "/removed/abc" })?.host // "pastebin.com"
 */
export function removedPage(
  answer: CheckAnswer,
  patterns: readonly RemovedPagePattern[] = REMOVED_PAGE_PATTERNS,
): RemovedPagePattern | undefined {
  if (answer.host === undefined) return undefined;
  for (const p of patterns) {
    if (!hostUnder(answer.host, p.host)) continue;
    if (p.path && answer.path !== undefined && p.path.test(answer.path)) return p;
    if (p.body && answer.body !== undefined && p.body.test(answer.body)) return p;
  }
  return undefined;
}

/**
 * The verdict on a link from its final answer.
 * @example linkStatus({ status: 410 }) // "removed"
 * @example linkStatus({ status: 429 }) // "error"
 */
export function linkStatus(answer: CheckAnswer, patterns?: readonly RemovedPagePattern[]): LinkStatus {
  const { status } = answer;
  if (status === null) return "error";
  if (REMOVED_STATUSES.has(status)) return "removed";
  if (status >= 200 && status <= 399)
    return removedPage(answer, patterns) ? "removed" : status <= 299 ? "online" : "error";
  return "error";
}

/**
 * Whether `host` has a removed-page pattern that needs the page's body or path (so a check
 * must read the page, not only ask HEAD).
 * @example hasRemovedPage("www.pastebin.com") // false: hosts are canonical, without www.
 */
export function hasRemovedPage(host: string, patterns: readonly RemovedPagePattern[] = REMOVED_PAGE_PATTERNS): boolean {
  return patterns.some((p) => hostUnder(host, p.host));
}
