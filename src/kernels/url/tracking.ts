/**
 * Query parameters that only say who shared or clicked a link, never what it points to,
 * and are removed from every URL. A name is listed only when no site uses it for content:
 * generic names such as `ref`, `s`, `t` or `feature` are removed only on the sites where
 * their meaning is known (see sites.ts). Compared case-insensitively after decoding.
 */

/** Every parameter whose name starts with one of these (Google Analytics campaign tags). */
export const TRACKING_PREFIXES: readonly string[] = ["utm_"];

/** Exact names, each with the service that adds it. */
export const TRACKING_PARAMS: ReadonlySet<string> = new Set([
  "fbclid", // Facebook click id
  "gclid", // Google Ads click id
  "dclid", // Google Display click id
  "gbraid", // Google Ads (iOS, app to web)
  "wbraid", // Google Ads (iOS, web to app)
  "msclkid", // Microsoft Ads click id
  "yclid", // Yandex click id
  "twclid", // X/Twitter Ads click id
  "ttclid", // TikTok Ads click id
  "igshid", // Instagram share id
  "igsh", // Instagram share id (since 2023)
  "mc_cid", // Mailchimp campaign id
  "mc_eid", // Mailchimp subscriber id
  "_hsenc", // HubSpot
  "_hsmi", // HubSpot
  "mkt_tok", // Marketo
  "_ga", // Google Analytics cross-domain linker
  "_gl", // Google Analytics cross-domain linker
  "ref_src", // X/Twitter embed and share referrer
  "ref_url", // X/Twitter embed referrer
  "__twitter_impression", // X/Twitter card impression
  "dlvrit", // dlvr.it auto-posting
]);

/**
 * True when `key` (decoded, lower-cased) names a tracking parameter on any site.
 * @example isTrackingParam("utm_source") // true
 */
export function isTrackingParam(key: string): boolean {
  return TRACKING_PARAMS.has(key) || TRACKING_PREFIXES.some((prefix) => key.startsWith(prefix));
}
