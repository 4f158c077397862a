/**
 * URL MD5 signals (python-threatexchange's and ThreatExchange's `url_md5`, `HASH_URL_MD5`): the
 * MD5 of a URL as python-threatexchange normalises it — lower-cased, its scheme taken off
 * (`common.normalize_url`). A member can share a link it must not spell out.
 *
 * A URL lookup finds them (`url.ts`): rasd has the URL's canonical form, not the bytes the
 * sharer hashed, so it hashes the spellings of that form a sharer most likely saw — as it is, with
 * `www.`, and with a trailing `/` — lower-cased. A URL whose shared spelling carried what rasd's
 * canonical form drops (tracking parameters, a default port, a fragment) is not found through its MD5.
 */

import { hash } from "node:crypto";
import type { ExactMatch } from "./match.js";
import { exactMatches, hexDigestType } from "./exact.js";
import type { MatchScope } from "./signal-type.js";

export const urlMd5 = hexDigestType("url_md5", 32, "a URL MD5", {});

/** python-threatexchange's `url_md5` of a URL: MD5 of the URL lower-cased, without its scheme. */
export function pytxUrlMd5(url: string): string {
  const lower = url.toLowerCase();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//.exec(lower);
  return hash("md5", scheme ? lower.slice(scheme[0].length) : lower, "hex");
}

/** The spellings of a canonical URL (`host/path?query`) whose MD5 a sharer may have sent. */
export function urlMd5Spellings(canonical: string): string[] {
  const c = canonical.toLowerCase();
  const bare = c.endsWith("/") ? c.slice(0, -1) : c;
  const forms = [bare, `${bare}/`, `www.${bare}`, `www.${bare}/`];
  return [...new Set(forms)];
}

/** url_md5 matches of a canonical URL, in the banks in scope. */
export function matchUrlMd5(canonical: string, scope: MatchScope): ExactMatch[] {
  const index = scope.index(urlMd5.index);
  // No url_md5 signal loaded: nothing to find, so no spelling is hashed (most deployments).
  if (index.size === 0) return [];
  const out: ExactMatch[] = [];
  for (const form of urlMd5Spellings(canonical)) {
    const digest = pytxUrlMd5(form);
    out.push(...exactMatches(index.get(digest), "url_md5", digest, scope));
  }
  return out;
}
