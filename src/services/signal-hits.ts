/**
 * A signal owner's view (issue 18): how often the signals of the banks their organisation
 * owns matched members' items in a period, which members' items they matched, and what
 * those members decided in review — counts only. No item, its text, the member's reasons or
 * a reviewer's name leaves the member: the owner learns how its signals fare, never the
 * content they caught (decision 0028).
 */

import type { MeasureScope, MeasurementReads } from "../storage/ports/index.js";

export interface DecisionCounts {
  violating: number;
  not_violating: number;
  escalate: number;
}

export interface SignalHits {
  readonly from: number;
  readonly to: number;
  /** Items (any member's) that matched one of the owner's signals, allow-list suppressions left out. */
  readonly items: number;
  readonly byMember: { member: string; items: number; decisions: DecisionCounts }[];
  readonly bySignal: { signalId: number; bankId: number; items: number; members: number; decisions: DecisionCounts }[];
  /** Decisions on those items, the latest per item (an escalation then a decision counts once, as decided). */
  readonly decisions: DecisionCounts;
  /** Items that matched and were never decided by a person (acted on by rule, or not reviewed). */
  readonly undecided: number;
}

const zero = (): DecisionCounts => ({ violating: 0, not_violating: 0, escalate: 0 });

function add(c: DecisionCounts, d: string | undefined): void {
  if (d === "violating" || d === "not_violating" || d === "escalate") c[d]++;
}

/** The figures for the banks in `ownBanks`, over every member's items in `scope` (no orgId). */
export async function signalHits(
  reads: MeasurementReads,
  ownBanks: ReadonlySet<number>,
  scope: Omit<MeasureScope, "orgId">,
  limit = 50,
): Promise<SignalHits> {
  const hits: { itemId: number; member: string; signals: { signalId: number; bankId: number }[] }[] = [];
  for (const item of await reads.takedownItems(scope)) {
    let matches: { signalId?: number; bankId?: number; suppressed?: boolean }[];
    try {
      matches = JSON.parse(item.matches) as typeof matches;
    } catch {
      continue;
    }
    const own = new Map<number, number>();
    for (const m of matches)
      if (!m.suppressed && m.bankId !== undefined && m.signalId !== undefined && ownBanks.has(m.bankId))
        own.set(m.signalId, m.bankId);
    if (own.size > 0)
      hits.push({
        itemId: item.id,
        member: item.orgName,
        signals: [...own].map(([signalId, bankId]) => ({ signalId, bankId })),
      });
  }
  // The latest decision per item (itemDecisions is oldest first).
  const latest = new Map<number, string>();
  for (const d of await reads.itemDecisions(hits.map((h) => h.itemId))) latest.set(d.itemId, d.decision);

  const decisions = zero();
  const byMember = new Map<string, { items: number; decisions: DecisionCounts }>();
  const bySignal = new Map<
    number,
    { bankId: number; items: number; members: Set<string>; decisions: DecisionCounts }
  >();
  let undecided = 0;
  for (const h of hits) {
    const d = latest.get(h.itemId);
    if (d === undefined) undecided++;
    add(decisions, d);
    const m = byMember.get(h.member) ?? { items: 0, decisions: zero() };
    m.items++;
    add(m.decisions, d);
    byMember.set(h.member, m);
    for (const sig of h.signals) {
      const s = bySignal.get(sig.signalId) ?? { bankId: sig.bankId, items: 0, members: new Set(), decisions: zero() };
      s.items++;
      s.members.add(h.member);
      add(s.decisions, d);
      bySignal.set(sig.signalId, s);
    }
  }
  return {
    from: scope.from,
    to: scope.to,
    items: hits.length,
    byMember: [...byMember]
      .map(([member, v]) => ({ member, ...v }))
      .sort((a, b) => b.items - a.items || a.member.localeCompare(b.member)),
    bySignal: [...bySignal]
      .map(([signalId, v]) => ({
        signalId,
        bankId: v.bankId,
        items: v.items,
        members: v.members.size,
        decisions: v.decisions,
      }))
      .sort((a, b) => b.items - a.items || a.signalId - b.signalId)
      .slice(0, limit),
    decisions,
    undecided,
  };
}
