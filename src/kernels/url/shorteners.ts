/**
 * URL shorteners: hosts whose links only redirect elsewhere, so a match on them says
 * little until the link is followed. A host counts when it or a parent domain is in the
 * set (maps.app.goo.gl is goo.gl's).
 *
 * The built-in set is a short, hand-written list of the best-known services, current and
 * historical (2014–16 propaganda links are full of goo.gl and adf.ly). Operators can load
 * a full list such as PeterDaveHello/url-shorteners (CC BY-SA 4.0, not shipped here) with
 * {@link loadShortenerList}. Hosts that rasd canonicalises instead (youtu.be, t.me and the
 * other aliases in aliases.ts) are never shorteners: their links are rewritten to the
 * content they name, not followed.
 */

import { RasdError, isRasdError } from "../../core/errors.js";
import { isAliasedHost } from "./aliases.js";
import { hostSuffixes, normalizeHost } from "./host.js";

/** A set of shortener hosts, each normalised (lower-case punycode, no `www.`). */
export interface ShortenerSet {
  readonly domains: ReadonlySet<string>;
}

/** The built-in shorteners (checked against PeterDaveHello/url-shorteners in the tests). */
export const BUILTIN_SHORTENERS: readonly string[] = [
  // in service
  "bit.ly",
  "bitly.com",
  "j.mp",
  "t.co",
  "goo.gl",
  "tinyurl.com",
  "ow.ly",
  "is.gd",
  "v.gd",
  "buff.ly",
  "dlvr.it",
  "fb.me",
  "lnkd.in",
  "tiny.cc",
  "tiny.pl",
  "rebrand.ly",
  "cutt.ly",
  "shorturl.at",
  "rb.gy",
  "bl.ink",
  "t.ly",
  "s.id",
  "bc.vc",
  "ouo.io",
  "qr.ae",
  "ift.tt",
  "wp.me",
  "amzn.to",
  "trib.al",
  "snip.ly",
  "db.tt",
  "1drv.ms",
  "aka.ms",
  "g.co",
  "forms.gle",
  "clck.ru",
  "vk.cc",
  "surl.li",
  "redd.it",
  "flic.kr",
  // historical, common in 2010s data
  "adf.ly",
  "shorte.st",
  "su.pr",
  "tr.im",
  "x.co",
  "po.st",
  "cli.gs",
  "ln.is",
];

/**
 * A shortener set from host names (defanged, Unicode or `www.` forms are accepted).
 * Aliased hosts are left out. Throws `RasdError` for a name that is not a host.
 */
export function shortenerSet(hosts: Iterable<string>): ShortenerSet {
  const domains = new Set<string>();
  for (const host of hosts) {
    const normal = normalizeHost(host);
    if (!isAliasedHost(normal)) domains.add(normal);
  }
  return { domains };
}

/** The built-in set. */
export const DEFAULT_SHORTENERS: ShortenerSet = shortenerSet(BUILTIN_SHORTENERS);

/**
 * Parses a shortener list: one domain per line, `#` starts a comment, blank lines are
 * skipped (the format of PeterDaveHello/url-shorteners). Throws `RasdError` naming the
 * line of the first entry that is not a host name.
 * @example loadShortenerList("# mine\nbit.ly\nexample.link  # ours\n").domains.size // 2
 */
export function loadShortenerList(text: string): ShortenerSet {
  const domains = new Set<string>();
  text.split(/\r?\n/).forEach((line, index) => {
    const hash = line.indexOf("#");
    const entry = (hash < 0 ? line : line.slice(0, hash)).trim();
    if (entry === "") return;
    let normal: string;
    try {
      normal = normalizeHost(entry);
    } catch (error) {
      if (!isRasdError(error)) throw error;
      throw new RasdError("url.invalid", `shortener list line ${index + 1}: ${error.message}`, { cause: error });
    }
    if (!isAliasedHost(normal)) domains.add(normal);
  });
  return { domains };
}

/** The union of several sets (e.g. the built-in set and a loaded list). */
export function mergeShortenerSets(...sets: ShortenerSet[]): ShortenerSet {
  return { domains: new Set(sets.flatMap((s) => [...s.domains])) };
}

/**
 * True when canonical `host` or one of its parent domains is a shortener.
 * @example isShortenerHost("bit.ly") // true (built-in set)
 */
export function isShortenerHost(host: string, set: ShortenerSet = DEFAULT_SHORTENERS): boolean {
  for (const suffix of hostSuffixes(host)) if (set.domains.has(suffix)) return true;
  return false;
}
