/**
 * Host aliases: other names of the same site that serve the same content at the same path.
 * The list is kept to the platforms that carry most shared propaganda links and whose
 * aliases are stable and documented; a wrong alias would merge different content, a
 * missing one only costs a match. `www.` is removed from every host before this lookup.
 *
 *   twitter.com, mobile.twitter.com, m.twitter.com, mobile.x.com  → x.com  (renamed 2023)
 *   youtu.be, m.youtube.com, youtube-nocookie.com                → youtube.com (paths: sites.ts)
 *   telegram.me, telegram.dog                                   → t.me
 *   m.facebook.com, mobile.facebook.com, web.facebook.com,
 *   mbasic.facebook.com                                         → facebook.com
 */

const ALIASES: ReadonlyMap<string, string> = new Map([
  ["twitter.com", "x.com"],
  ["mobile.twitter.com", "x.com"],
  ["m.twitter.com", "x.com"],
  ["mobile.x.com", "x.com"],
  ["youtu.be", "youtube.com"],
  ["m.youtube.com", "youtube.com"],
  ["youtube-nocookie.com", "youtube.com"],
  ["telegram.me", "t.me"],
  ["telegram.dog", "t.me"],
  ["m.facebook.com", "facebook.com"],
  ["mobile.facebook.com", "facebook.com"],
  ["web.facebook.com", "facebook.com"],
  ["mbasic.facebook.com", "facebook.com"],
]);

const ALIASED: ReadonlySet<string> = new Set([...ALIASES.keys(), ...ALIASES.values()]);

/** Every alias, as [alias, canonical host] pairs (for documentation and tests). */
export const HOST_ALIASES: readonly (readonly [string, string])[] = [...ALIASES];

/**
 * The canonical name of a (normalised, `www.`-less) host.
 * @example aliasHost("mobile.twitter.com") // "x.com"
 */
export function aliasHost(host: string): string {
  return ALIASES.get(host) ?? host;
}

/** True when `host` is an alias or the canonical name of an aliased site. */
export function isAliasedHost(host: string): boolean {
  return ALIASED.has(host);
}
