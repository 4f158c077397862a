/**
 * Account signals (issue 19): a suspended account — platform, platform id, handle, display
 * name, bio, avatar PDQ, links, mentioned accounts, dates and the behaviour labels it was
 * suspended for — stored as canonical JSON (kernels/accounts). A lookup is a new or changed
 * account; it matches the banked accounts it may be the return of (ban evasion), scored with
 * the evidence (handle variants, display name, bio, avatar, shared links and mentions).
 */

import { RasdError } from "../../core/errors.js";
import { BEHAVIOURS, DEFAULT_ACCOUNT_MIN_SCORE as DEFAULT_MIN_SCORE } from "../../core/model.js";
import {
  AccountIndex,
  MAX_CANDIDATES,
  canonicalAccountJson,
  parseAccountJson,
  type AccountRecord,
} from "../../kernels/accounts/index.js";
import type { AccountMatch } from "./match.js";
import type { IndexKind, MatchScope, SignalIndex, SignalTypeDef } from "./signal-type.js";

/**
 * The score a ban-evasion match needs by default (each bank sets its own, `accountMinScore`,
 * decision 0031): the lowest at which the training half of `npm run bench -- accounts` keeps
 * precision at 0.99 or more (decisions 0026, 0033).
 */
export const DEFAULT_ACCOUNT_MIN_SCORE = DEFAULT_MIN_SCORE;

export class AccountSignalIndex extends AccountIndex implements SignalIndex {}

export const ACCOUNT_INDEX: IndexKind<AccountSignalIndex> = { name: "account", create: () => new AccountSignalIndex() };

/** Parses and checks an account's JSON (behaviour labels included); throws "invalid". */
export function accountRecord(raw: string): AccountRecord {
  const record = parseAccountJson(raw);
  for (const r of record.reason ?? [])
    if (!(BEHAVIOURS as readonly string[]).includes(r))
      throw new RasdError("invalid", `account: reason "${r}" is not one of ${BEHAVIOURS.join(", ")}`);
  return record;
}

/**
 * Ban-evasion matches of an account among the banked ones in scope: each needs its bank's
 * `accountMinScore` (or `minScore` when given, for every bank).
 */
export function matchAccount(record: AccountRecord, scope: MatchScope, minScore?: number): AccountMatch[] {
  let lowest = minScore ?? 1;
  if (minScore === undefined) for (const b of scope.banks.values()) lowest = Math.min(lowest, b.accountMinScore);
  const out: AccountMatch[] = [];
  const visible = (id: number): boolean => {
    const bankId = scope.bankOf(id);
    return bankId !== undefined && scope.banks.has(bankId) && (!scope.only || scope.only.has(bankId));
  };
  // Candidates and the handle's rarity come from the banks in scope only (decision 0033); each
  // match needs its own bank's threshold (decision 0031).
  for (const hit of scope.index(ACCOUNT_INDEX).query(record, lowest, MAX_CANDIDATES, visible)) {
    const bankId = scope.bankOf(hit.id)!;
    const bank = scope.banks.get(bankId);
    if (!bank || hit.score < (minScore ?? bank.accountMinScore)) continue;
    out.push({ signalId: hit.id, bankId, type: "account", similarity: hit.score, evidence: hit.evidence });
  }
  return out;
}

export const account: SignalTypeDef<AccountSignalIndex, AccountMatch> = {
  type: "account",
  hasQuality: false,
  canonical: (_text, raw) => ({ value: canonicalAccountJson(accountRecord(raw)) }),
  index: ACCOUNT_INDEX,
  add: (index, s) => index.add(s.id, parseAccountJson(s.value)),
  remove: (index, s) => index.remove(s.id),
  match: (value, scope) => matchAccount(parseAccountJson(value), scope),
  lookupValue: (raw) => canonicalAccountJson(accountRecord(raw)),
  score: (m) => ({ similarity: m.similarity }),
  scoreText: (m) => `score=${m.similarity.toFixed(3)} ${m.evidence.map((e) => e.kind).join(",")}`,
};
