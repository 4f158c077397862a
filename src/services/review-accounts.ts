/**
 * Ban evasion beside a review entry (issue 19): the item's author account and the suspended
 * accounts it matched, with the evidence per feature, the score and the threshold the match
 * needed. Only matches of banks the viewer may see now are given (a bank made RED, or a sharing
 * withdrawn, after the match hides it); the entry must be the viewer's organisation's. The
 * same answer for GET /v1/reviews/:id/accounts and `rasd review accounts`.
 */

import { RasdError } from "../core/errors.js";
import type { Bank, Labels, Org, Signal } from "../core/model.js";
import {
  canonicalAccountJson,
  parseAccountJson,
  prepareAccount,
  scoreAccount,
  type AccountRecord,
  type Evidence,
} from "../kernels/accounts/index.js";
import type { ContentStore, ReviewStore } from "../storage/ports/index.js";
import type { StoredMatch } from "./pipeline.js";
import { ownReview } from "./reviews.js";

export interface ReviewAccountsDeps {
  readonly reviews: Pick<ReviewStore, "getReview">;
  readonly content: Pick<ContentStore, "getItem">;
  readonly signals: { getSignals(ids: number[]): Promise<Signal[]>; listOrgs(): Promise<Org[]> };
  /** The banks the viewer may see now. */
  readonly visibleBanks: () => Promise<Bank[]>;
}

export interface ReviewAccountMatch {
  readonly signal_id: number;
  readonly status: string;
  readonly bank: { id: number; name: string; org_id: number; org_name: string; tlp: string };
  readonly labels: Labels;
  readonly score: number;
  readonly threshold: number;
  readonly suppressed: boolean;
  readonly evidence: ({ kind: string; strength: number } & Record<string, unknown>)[];
  readonly evidence_source: "stored" | "recomputed";
  readonly account: unknown;
}

export interface ReviewAccounts {
  readonly review_id: number;
  readonly item_id: number;
  readonly submitted: unknown;
  readonly matches: ReviewAccountMatch[];
}

/** The record, or undefined when the stored text is not an account (never thrown at a reviewer). */
function record(text: string | null | undefined): AccountRecord | undefined {
  if (!text) return undefined;
  try {
    return parseAccountJson(text);
  } catch {
    return undefined;
  }
}

const view = (r: AccountRecord): unknown => JSON.parse(canonicalAccountJson(r)) as unknown;

/** The score a match in `bank` needs: the bank's own threshold (decision 0031). */
export function accountThreshold(bank: Bank): number {
  return bank.accountMinScore;
}

export async function reviewAccounts(
  deps: ReviewAccountsDeps,
  orgId: number,
  reviewId: number,
): Promise<ReviewAccounts> {
  const row = await ownReview(deps.reviews as ReviewStore, orgId, reviewId);
  const item = await deps.content.getItem(row.itemId);
  if (!item) throw new RasdError("not_found", "no such review entry");
  const banks = new Map((await deps.visibleBanks()).map((b) => [b.id, b]));
  let stored: StoredMatch[];
  try {
    stored = (JSON.parse(item.matches) as StoredMatch[]).filter((m) => m.type === "account" && banks.has(m.bankId));
  } catch {
    stored = [];
  }
  const submitted = record(item.author);
  const signals = new Map(
    (await deps.signals.getSignals([...new Set(stored.map((m) => m.signalId))])).map((x) => [x.id, x]),
  );
  const orgs = new Map((await deps.signals.listOrgs()).map((o) => [o.id, o.name]));
  const matches: ReviewAccountMatch[] = [];
  for (const m of stored) {
    const signal = signals.get(m.signalId);
    const suspended = record(signal?.value);
    // The signal must still be in a bank the viewer may see (it may have moved or gone).
    if (!signal || !suspended || !banks.has(signal.bankId)) continue;
    const bank = banks.get(signal.bankId)!;
    let evidence: readonly Evidence[] | undefined = m.evidence;
    const recomputed = evidence === undefined;
    if (evidence === undefined)
      evidence = submitted ? scoreAccount(prepareAccount(submitted), prepareAccount(suspended)).evidence : [];
    matches.push({
      signal_id: signal.id,
      status: signal.status,
      bank: { id: bank.id, name: bank.name, org_id: bank.orgId, org_name: orgs.get(bank.orgId) ?? "", tlp: bank.tlp },
      labels: signal.labels,
      score: m.similarity ?? 0,
      threshold: accountThreshold(bank),
      suppressed: m.suppressed ?? false,
      evidence: evidence.map((e) => ({ ...e })),
      evidence_source: recomputed ? "recomputed" : "stored",
      account: view(suspended),
    });
  }
  matches.sort((a, b) => b.score - a.score);
  return { review_id: row.id, item_id: item.id, submitted: submitted ? view(submitted) : null, matches };
}
