/**
 * Text signals: near-duplicate texts by MinHash LSH with exact verification
 * (kernels/text); each bank sets its own minimum similarity. A text lookup also matches
 * every URL found in the text (`url.ts`).
 */

import { RasdError, describeError } from "../../core/errors.js";
import { TextIndex } from "../../kernels/text/index.js";
import { extractUrls } from "../../kernels/url/index.js";
import type { Match, TextMatch } from "./match.js";
import type { IndexKind, MatchScope, SignalIndex, SignalTypeDef } from "./signal-type.js";
import { matchUrlValue } from "./url.js";

/** The longest text signal, in UTF-16 code units. */
export const MAX_TEXT = 20_000;
/** Near-copy search (GET /v1/signals?q=) treats a query this long or longer as a text. */
const MIN_NEAR_QUERY = 12;

class TextSignalIndex extends TextIndex implements SignalIndex {}

const TEXT_INDEX: IndexKind<TextSignalIndex> = { name: "text", create: () => new TextSignalIndex() };

/** Near-duplicate text matches, plus matches of every URL found in the text. */
export function matchTextValue(text: string, scope: MatchScope): { matches: Match[]; urls: string[] } {
  let minSimilarity = 1;
  for (const b of scope.banks.values()) minSimilarity = Math.min(minSimilarity, b.textMinSimilarity);
  const matches: Match[] = [];
  for (const m of scope.index(TEXT_INDEX).query(text, minSimilarity)) {
    const bankId = scope.bankOf(m.id);
    const bank = bankId === undefined ? undefined : scope.banks.get(bankId);
    if (!bank || m.similarity < bank.textMinSimilarity || (scope.only && !scope.only.has(bank.id))) continue;
    matches.push({ signalId: m.id, bankId: bank.id, type: "text", similarity: m.similarity });
  }
  const urls: string[] = [];
  for (const found of extractUrls(text)) {
    urls.push(found.canonical);
    try {
      matches.push(...matchUrlValue(found.canonical, scope).matches);
    } catch {
      // An extracted link that does not canonicalise is not a match.
    }
  }
  return { matches, urls };
}

export const text: SignalTypeDef<TextSignalIndex, TextMatch> = {
  type: "text",
  hasQuality: false,
  canonical(_text, raw) {
    if (raw.length > MAX_TEXT)
      throw new RasdError("invalid", `text is ${raw.length} characters, over the ${MAX_TEXT} limit`);
    if (!raw.isWellFormed()) throw new RasdError("invalid", "text has unpaired surrogates (invalid UTF-16)");
    return { value: raw.normalize("NFC") };
  },
  index: TEXT_INDEX,
  add: (index, s) => index.add(s.id, s.value),
  remove: (index, s) => index.remove(s.id),
  match: (value, scope) => matchTextValue(value, scope).matches,
  lookupValue: (raw) => raw,
  score: (m) => ({ similarity: m.similarity }),
  scoreText: (m) => `similarity=${m.similarity.toFixed(3)}`,
  nearQuery: (q) => q.length >= MIN_NEAR_QUERY,
  hma: {
    answers: ["text"],
    invalid: (_value, error) => describeError(error),
    distance: (m) => m.similarity.toFixed(2),
  },
};
