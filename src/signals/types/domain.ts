/**
 * Domain signals: a host name; a URL whose host is that domain or under it matches.
 */

import { RasdError } from "../../core/errors.js";
import { canonicalHost, hostSuffixes } from "../../kernels/url/index.js";
import { exactMatches, exactScore, valueIndexKind, type ValueIndex } from "./exact.js";
import type { ExactMatch } from "./match.js";
import { clip, type MatchScope, type SignalTypeDef } from "./signal-type.js";

const DOMAIN_INDEX = valueIndexKind("domain");

/** Domain signals for a host: the host itself and each parent domain. */
export function matchHost(host: string, scope: MatchScope): ExactMatch[] {
  const index = scope.index(DOMAIN_INDEX);
  const out: ExactMatch[] = [];
  for (const suffix of hostSuffixes(host)) out.push(...exactMatches(index.get(suffix), "domain", suffix, scope));
  return out;
}

function canonicalDomain(text: string): string {
  const host = canonicalHost(text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/[/?#].*$/, ""));
  if (!host.includes(".")) throw new RasdError("invalid", `not a domain name: "${clip(text)}"`);
  return host;
}

export const domain: SignalTypeDef<ValueIndex, ExactMatch> = {
  type: "domain",
  hasQuality: false,
  canonical: (text) => ({ value: canonicalDomain(text) }),
  index: DOMAIN_INDEX,
  add: (index, s) => index.add(s.value, s.id),
  remove: (index, s) => index.delete(s.value, s.id),
  match: (value, scope) => matchHost(canonicalDomain(value), scope),
  lookupValue: (raw) => raw,
  score: exactScore,
  scoreText: (m) => `matched=${m.matched}`,
};
