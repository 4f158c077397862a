/** URLs: canonical match keys, host suffixes, shorteners, and links in free text. Pure, no I/O. */
export { canonicalizeUrl, type CanonicalUrl, type CanonicalizeOptions, type UrlScheme } from "./canonicalize.js";
export { canonicalHost, hostSuffixes, normalizeHost } from "./host.js";
export { extractUrls, type ExtractOptions, type ExtractedUrl } from "./extract.js";
export {
  BUILTIN_SHORTENERS,
  DEFAULT_SHORTENERS,
  isShortenerHost,
  loadShortenerList,
  mergeShortenerSets,
  shortenerSet,
  type ShortenerSet,
} from "./shorteners.js";
export { refangUrl, type Refanged } from "./defang.js";
export { HOST_ALIASES } from "./aliases.js";
export { TRACKING_PARAMS, TRACKING_PREFIXES } from "./tracking.js";
export { MAX_URL_LENGTH } from "./input.js";
export {
  LINK_STATUSES,
  REMOVED_PAGE_PATTERNS,
  REMOVED_STATUSES,
  hasRemovedPage,
  linkStatus,
  removedPage,
  type CheckAnswer,
  type LinkStatus,
  type RemovedPagePattern,
} from "./liveness.js";
