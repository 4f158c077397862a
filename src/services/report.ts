/**
 * The transparency report (Regulation (EU) 2021/784, Art. 7): what a hosting service did
 * against terrorist content in a period — the measures it uses, removal orders and what
 * came of them, items removed or disabled and on what basis, orders not acted on and why,
 * complaints and their outcomes, review proceedings, restorations — with rasd's speed and
 * the measured stance of the information space. Built only from stored records, which are
 * exported beside it so that every figure can be recomputed.
 */

import type { MeasurementReads, RuleStore } from "../storage/ports/index.js";
import type { MeasurementService, StanceMeasurement, TakedownMeasurement } from "./measurement.js";
import type { TakedownRecord } from "../kernels/quantify/index.js";

export interface ReportScope {
  readonly from: number;
  readonly to: number;
  /** One member's report; undefined = the coalition's. */
  readonly org?: { readonly id: number; readonly name: string };
}

export interface OutcomeEvent {
  readonly id: number;
  readonly itemId: number;
  readonly org: string;
  readonly kind: string;
  readonly basis: string;
  readonly reason: string;
  readonly authority: string;
  readonly at: string;
}

export interface TransparencyReport {
  readonly title: string;
  readonly generatedAt: string;
  readonly period: { readonly from: string; readonly to: string };
  readonly organisation: string;
  readonly measures: {
    readonly rules: readonly { id: number; name: string; enabled: boolean; conditions: unknown; actions: string[] }[];
    readonly banksUsed: number;
    readonly activeSignals: number;
    readonly classifier: string;
  };
  readonly removalOrders: {
    readonly received: number;
    readonly metWithinOneHour: number;
    readonly notActioned: number;
    readonly notActionedByReason: Readonly<Record<string, number>>;
  };
  readonly removals: {
    readonly removed: number;
    readonly disabled: number;
    readonly byBasis: Readonly<Record<string, number>>;
  };
  readonly complaints: {
    readonly received: number;
    readonly upheld: number;
    readonly rejected: number;
    readonly pending: number;
  };
  readonly reviewProceedings: { readonly filed: number; readonly upheld: number; readonly overturned: number };
  readonly restorations: {
    readonly total: number;
    readonly afterComplaint: number;
    readonly byReason: Readonly<Record<string, number>>;
  };
  readonly takedown: TakedownMeasurement;
  readonly stance: StanceMeasurement | undefined;
  readonly definitions: Readonly<Record<string, string>>;
  /** The records behind the figures (exported as CSV beside the report). */
  readonly records: { readonly items: readonly TakedownRecord[]; readonly outcomes: readonly OutcomeEvent[] };
}

const DEFINITIONS: Record<string, string> = {
  period: "Events are counted when they happened (outcome `at`); items when they were received.",
  "removalOrders.received": "Outcome events of kind removal_order in the period.",
  "removalOrders.metWithinOneHour":
    "Removal orders whose item was removed or disabled at most one hour after the order (Art. 3(3)).",
  "removalOrders.notActioned": "Outcome events of kind not_actioned, by reason (Art. 3(7) and 3(8)).",
  "removals.byBasis":
    "Outcome events of kind removed or disabled, by basis (removal order, referral, terms of service, hash match).",
  complaints:
    "complaint events; upheld and rejected are complaint_upheld and complaint_rejected events; pending = received − upheld − rejected.",
  reviewProceedings:
    "Administrative or judicial review proceedings: review_filed, review_upheld, review_overturned events.",
  restorations: "restored events, by reason; afterComplaint = those with reason complaint (Art. 7(2)(e)).",
  takedown:
    "Per item received in the period and matched, acted on or with an outcome: time to action = acted_at − received_at; time to removal = first removal − (first order, or receipt); within-hour share = removals within one hour of that start.",
  stance:
    "Adjusted classify-and-count per language with the model's cross-validated error rates; 95% percentile bootstrap intervals (1,000 replicates, seeded from the query). ratio = anti share / pro share.",
};

function countBy<T>(rows: readonly T[], key: (r: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
}

/** What the report reads besides the measurement service. */
export interface ReportSources {
  readonly measures: MeasurementReads;
  readonly rules: RuleStore;
}

export async function buildReport(
  sources: ReportSources,
  measurement: MeasurementService,
  scope: ReportScope,
  generatedAt = Date.now(),
): Promise<TransparencyReport> {
  const filter = { from: scope.from, to: scope.to, ...(scope.org ? { orgId: scope.org.id } : {}) };
  const outcomes: OutcomeEvent[] = (await sources.measures.outcomeEvents(scope.from, scope.to, scope.org?.id)).map(
    (r) => ({
      id: r.id,
      itemId: r.itemId,
      org: r.orgName,
      kind: r.kind,
      basis: r.basis,
      reason: r.reason,
      authority: r.authority,
      at: new Date(r.at).toISOString(),
    }),
  );
  const of = (kind: string) => outcomes.filter((o) => o.kind === kind);

  // Orders met within the hour: the item's first removal after the order, within one hour.
  const removalsByItem = new Map<number, number[]>();
  for (const o of outcomes)
    if (o.kind === "removed" || o.kind === "disabled")
      removalsByItem.set(o.itemId, [...(removalsByItem.get(o.itemId) ?? []), Date.parse(o.at)]);
  const metWithinOneHour = of("removal_order").filter((order) => {
    const t = Date.parse(order.at);
    return (removalsByItem.get(order.itemId) ?? []).some((r) => r >= t && r - t <= 3_600_000);
  }).length;

  const ruleRows = await sources.rules.list(scope.org?.id);
  const banksUsed = await sources.measures.activeBankCount();
  const activeSignals = await sources.measures.activeSignalCount();
  const bankNames = await sources.measures.bankNames();
  const allBanks = new Set(bankNames.keys());
  const takedown = await measurement.takedown(filter, allBanks, bankNames);
  const records = await measurement.takedownRecords(filter);
  const stance = await measurement.stance({ from: scope.from, to: scope.to }, "month");
  const complaints = of("complaint").length;
  const upheld = of("complaint_upheld").length;
  const rejected = of("complaint_rejected").length;
  const restored = of("restored");
  return {
    title: `Transparency report — ${scope.org?.name ?? "the coalition"}`,
    generatedAt: new Date(generatedAt).toISOString(),
    period: { from: new Date(scope.from).toISOString(), to: new Date(scope.to).toISOString() },
    organisation: scope.org?.name ?? "coalition",
    measures: {
      rules: ruleRows.map((r) => ({
        id: r.id,
        name: r.name,
        enabled: r.enabled,
        conditions: r.conditions as unknown,
        actions: r.actions.map((a) => a.type),
      })),
      banksUsed,
      activeSignals,
      classifier: measurement.model,
    },
    removalOrders: {
      received: of("removal_order").length,
      metWithinOneHour,
      notActioned: of("not_actioned").length,
      notActionedByReason: countBy(of("not_actioned"), (o) => o.reason),
    },
    removals: {
      removed: of("removed").length,
      disabled: of("disabled").length,
      byBasis: countBy([...of("removed"), ...of("disabled")], (o) => o.basis),
    },
    complaints: { received: complaints, upheld, rejected, pending: Math.max(0, complaints - upheld - rejected) },
    reviewProceedings: {
      filed: of("review_filed").length,
      upheld: of("review_upheld").length,
      overturned: of("review_overturned").length,
    },
    restorations: {
      total: restored.length,
      afterComplaint: restored.filter((o) => o.reason === "complaint").length,
      byReason: countBy(restored, (o) => o.reason),
    },
    takedown,
    stance,
    definitions: DEFINITIONS,
    records: { items: records, outcomes },
  };
}
