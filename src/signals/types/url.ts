/**
 * URL signals: the canonical URL (kernels/url: defanged forms refanged, tracking parameters
 * dropped, hosts normalised). A URL lookup also finds domain signals for its host and each
 * parent domain (`domain.ts`), and python-threatexchange's `url_md5` signals (`url-md5.ts`).
 */

import { describeError } from "../../core/errors.js";
import { canonicalizeUrl } from "../../kernels/url/index.js";
import { matchHost } from "./domain.js";
import { exactMatches, exactScore, valueIndexKind, type ValueIndex } from "./exact.js";
import type { ExactMatch } from "./match.js";
import type { MatchScope, SignalTypeDef } from "./signal-type.js";
import { matchUrlMd5 } from "./url-md5.js";

const URL_INDEX = valueIndexKind("url");

/** URL matches: the canonical URL, and the host or any parent domain as a domain signal. */
export function matchUrlValue(
  url: string,
  scope: MatchScope,
): { matches: ExactMatch[]; canonical: string; isShortener: boolean } {
  const c = canonicalizeUrl(url, scope.shorteners ? { shorteners: scope.shorteners } : {});
  const matches = exactMatches(scope.index(URL_INDEX).get(c.canonical), "url", c.canonical, scope);
  matches.push(...matchHost(c.host, scope), ...matchUrlMd5(c.canonical, scope));
  return { matches, canonical: c.canonical, isShortener: c.isShortener };
}

export const url: SignalTypeDef<ValueIndex, ExactMatch> = {
  type: "url",
  hasQuality: false,
  canonical(text, _raw, options) {
    const c = canonicalizeUrl(text, options.shorteners ? { shorteners: options.shorteners } : {});
    return { value: c.canonical, isShortener: c.isShortener };
  },
  index: URL_INDEX,
  add: (index, s) => index.add(s.value, s.id),
  remove: (index, s) => index.delete(s.value, s.id),
  match: (value, scope) => matchUrlValue(value, scope).matches,
  lookupValue: (raw) => raw,
  score: exactScore,
  scoreText: (m) => `matched=${m.matched}`,
  hma: {
    answers: ["url", "domain"],
    invalid: (_value, error) => describeError(error),
    distance: () => "-",
    compare: (a, b) => [a === b, {}],
  },
};
