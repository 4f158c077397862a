/**
 * The transparency report (Regulation (EU) 2021/784, Art. 7): what a hosting service did
 * against terrorist content in a period — the measures it uses, removal orders and what
 * came of them, items removed or disabled and on what basis, orders not acted on and why,
 * complaints and their outcomes, review proceedings, restorations — with rasd's speed and
 * the measured stance of the information space. Built only from stored records, which are
 * exported beside it so that every figure can be recomputed.
 */

import type {
  LabelStance,
  LabelStore,
  LinkStore,
  MeasurementReads,
  RuleStore,
  SignalStore,
} from "../storage/ports/index.js";
import { measureLinks, type LinkMeasurement } from "./links/measure.js";
import { measureAccounts, type AccountMeasurement } from "./account-figures.js";
import type { MeasurementService, StanceInputs, StanceMeasurement, TakedownMeasurement } from "./measurement.js";
import { itemDurations, type ReuploadFigures, type TakedownRecord } from "../kernels/quantify/index.js";
import {
  measureDecisions,
  REUSE_DEFINITIONS,
  reuploadsWithRows,
  type CopyRow,
  type DecisionMeasurement,
} from "./reuploads.js";

/** One item of the report's records, with its classification and people's label (items.csv). */
export interface ReportItem extends TakedownRecord {
  readonly lang: string | null;
  readonly predicted: string | null;
  readonly score: number | null;
  /** The model version that classified the item; null when it was not classified. */
  readonly modelVersion: string | null;
  /** A person's stance label from the labelling queue; null when not in the sample. */
  readonly label: LabelStance | null;
  readonly timeToRemoval: number | null;
  readonly timeOnline: number | null;
  /** Its author is a returning account first found here (ban evasion); its time from suspension, ms (null: not timed). */
  readonly accountReturn: boolean;
  readonly timeToReturn: number | null;
}

/** One item of Art. 7(3) of Regulation (EU) 2021/784, as a row: its point, what it asks, the figures. */
export interface Art7Row {
  readonly point: string;
  readonly requires: string;
  readonly figures: Readonly<Record<string, number | string | null>>;
}

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
  /** The same content submitted again (on this platform or another; after removal; found by matching). */
  readonly reuploads: ReuploadFigures;
  /** Who decided the removals (people, automated matching, the member's own process) and the matching's precision. */
  readonly decisions: DecisionMeasurement;
  readonly stance: StanceMeasurement | undefined;
  /** Banked links checked for liveness, alerted to their hosts, and how fast they went down (issue 19). */
  readonly links: LinkMeasurement | undefined;
  /**
   * Accounts suspended (banked by members), returning accounts found among the items in scope and
   * the time from suspension to return (issue 19); undefined without the signal store.
   */
  readonly accounts: AccountMeasurement | undefined;
  /** Art. 7(3)(a)–(g), each present, as rows. */
  readonly art7: readonly Art7Row[];
  /** The automated tools' accuracy measured on the labelled sample (items in scope with a person's label). */
  readonly automatedTools: {
    readonly labelledItems: number;
    /** Of them, labelled pro, anti or neutral (can't tell left out). */
    readonly judged: number;
    readonly agreeing: number;
    readonly accuracy: number | null;
    /** Of items labelled pro: the share the model called pro. */
    readonly proRecall: number | null;
    /** Of items the model called pro: the share labelled pro. */
    readonly proPrecision: number | null;
  };
  readonly definitions: Readonly<Record<string, string>>;
  /**
   * The records behind the figures (exported as CSV beside the report): the items and outcomes
   * behind takedown and Art. 7, and what the stance figures are computed from (every classified
   * item counted by stratum, and the labelled sample), so that every figure recomputes.
   */
  readonly records: {
    readonly items: readonly ReportItem[];
    readonly outcomes: readonly OutcomeEvent[];
    readonly stance: StanceInputs;
    /** Every item received in scope with its content (its original's id): the re-upload figures recompute from it. */
    readonly copies: readonly CopyRow[];
  };
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
  restorations: "restored events, by reason; afterComplaint = those with reason complaint (Art. 7(3)(g)).",
  art7: "Regulation (EU) 2021/784, Art. 7(3)(a)–(g); items are counted once each (distinct item ids), events only where the point asks for cases of an event.",
  automatedTools:
    "The classifier's predicted label against a person's stance label on the random labelling sample: accuracy over items labelled pro, anti or neutral.",
  takedown:
    "Per item received in the period and matched, acted on or with an outcome: time to action = acted_at − received_at; time to removal = first removal − (first order, or receipt); within-hour share = removals within one hour of that start.",
  stance:
    "Stratified prediction-powered estimate: a random sample labelled by people per period × platform × language × predicted label, combined with the model's predictions on every item; 95% Wilson intervals on the effective sample size, Fieller's for ratio = anti share / pro share (a lower bound when pro may be zero). validated = false marks periods with strata that have no labels (model-only, worst-case bounds).",
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
  readonly labels: LabelStore;
  /** Links that stay down (absent: the report has no link figures). */
  readonly links?: LinkStore;
  /** Banks' owners, for the account figures (absent: the report has no account figures). */
  readonly signals?: Pick<SignalStore, "listBanks" | "listOrgs">;
}

const hours = (ms: number | null | undefined): number | null => (ms == null ? null : ms / 3_600_000);

/** The account figures over the report's range: every bank's suspended accounts; returns among the scope's items. */
async function reportAccounts(
  measures: MeasurementReads,
  signals: Pick<SignalStore, "listBanks" | "listOrgs">,
  scope: ReportScope,
): Promise<AccountMeasurement | undefined> {
  const orgs = new Map((await signals.listOrgs()).map((o) => [o.id, o.name]));
  const banks = await signals.listBanks(undefined, { includeDeleted: true });
  const owner = new Map(banks.map((b) => [b.id, orgs.get(b.orgId) ?? `org ${b.orgId}`]));
  return measureAccounts(measures, {
    scope: { from: scope.from, to: scope.to, ...(scope.org ? { orgId: scope.org.id } : {}) },
    interval: "month",
    bankIds: new Set(owner.keys()),
    reporterOf: (id) => owner.get(id) ?? "?",
  });
}

/** The calendar year before `now`'s (the report is due before 1 March of the next year, Art. 7(2)). */
export function lastCalendarYear(now: number): { from: number; to: number } {
  const y = new Date(now).getUTCFullYear() - 1;
  return { from: Date.UTC(y, 0, 1), to: Date.UTC(y + 1, 0, 1) };
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
  const links = sources.links
    ? await measureLinks(sources.links, {
        from: scope.from,
        to: scope.to,
        interval: "month",
        bankIds: [...allBanks],
        orgNames: new Map(),
      })
    : undefined;
  const accounts = sources.signals ? await reportAccounts(sources.measures, sources.signals, scope) : undefined;
  const takedownRecords = await measurement.takedownRecords(filter);
  const ids = takedownRecords.map((r) => r.itemId);
  const [classes, labels] = await Promise.all([sources.labels.classificationsOf(ids), sources.labels.labelsOf(ids)]);
  const returned = new Map((accounts?.returnRecords ?? []).map((x) => [x.itemId, x.ms]));
  const records: ReportItem[] = takedownRecords.map((r) => {
    const c = classes.get(r.itemId);
    return {
      ...r,
      postedAt: c?.postedAt ?? r.postedAt ?? null,
      lang: c?.lang ?? null,
      predicted: c?.label ?? null,
      score: c?.score ?? null,
      modelVersion: c?.model ?? null,
      label: labels.get(r.itemId) ?? null,
      ...itemDurations({ ...r, postedAt: c?.postedAt ?? r.postedAt ?? null }),
      accountReturn: returned.has(r.itemId),
      timeToReturn: returned.get(r.itemId) ?? null,
    };
  });
  const labelled = await sources.labels.labelled(filter);
  const judged = labelled.filter((l) => l.stance !== "cant_tell");
  const agreeing = judged.filter((l) => l.label === l.stance).length;
  const labelledPro = judged.filter((l) => l.stance === "pro");
  const predictedPro = judged.filter((l) => l.label === "pro");
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  const distinct = (rows: readonly OutcomeEvent[]) => new Set(rows.map((o) => o.itemId)).size;
  const removals = [...of("removed"), ...of("disabled")];
  const [{ figures: reuploads, rows: copies }, decisions] = await Promise.all([
    reuploadsWithRows(sources.measures, filter),
    measureDecisions(sources.measures, filter),
  ]);
  const stance = await measurement.stance({ from: scope.from, to: scope.to }, "month");
  const stanceInputs = await measurement.stanceInputs({ from: scope.from, to: scope.to });
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
    reuploads,
    decisions,
    stance,
    links,
    accounts,
    art7: [
      {
        point: "7(3)(a)",
        requires:
          "measures in relation to the identification and removal of, or disabling of access to, terrorist content",
        figures: {
          rules: ruleRows.length,
          enabledRules: ruleRows.filter((r) => r.enabled).length,
          banksUsed,
          activeSignals,
          classifier: measurement.model,
        },
      },
      {
        point: "7(3)(b)",
        requires:
          "measures to address the reappearance online of material previously removed or disabled as terrorist content, in particular automated tools",
        figures: {
          itemsMatchedToKnownContent: takedown.overall.matched,
          itemsRemovedOnHashMatch: distinct(removals.filter((o) => o.basis === "hash_match")),
          reuploadsDetected: reuploads.reuploads,
          reuploadsAfterRemoval: reuploads.afterRemoval,
          reuploadsAfterRemovalActedOnAutomatically: reuploads.afterRemovalActedAutomatically,
          removalsDecidedAutomatically: decisions.removals.automated,
          removalsDecidedByPeople: decisions.removals.human,
          matchingPrecisionReviewed: decisions.matching.precision,
          bankedLinksChecked: links?.overall.checked ?? 0,
          bankedLinksOfflineAtEnd: links?.overall.offline ?? 0,
          linksAlertedToHosts: links?.overall.alerted ?? 0,
          linksAlertedRemovedSince: links?.overall.alertedRemoved ?? 0,
          medianHoursAlertToTakedown: hours(links?.overall.alertToTakedown.median),
          medianHoursAlertToTakedownLow: hours(links?.overall.alertToTakedown.low),
          medianHoursAlertToTakedownHigh: hours(links?.overall.alertToTakedown.high),
          bankedLinksOfflineShare: links?.overall.share ?? null,
          bankedLinksOfflineShareLow: links?.overall.shareLow ?? null,
          bankedLinksOfflineShareHigh: links?.overall.shareHigh ?? null,
          accountsSuspendedReported: accounts?.overall.suspended ?? 0,
          ...(scope.org
            ? {
                accountsSuspendedReportedByThisMember:
                  accounts?.byReporter.find((r) => r.reporter === scope.org?.name)?.suspended ?? 0,
              }
            : {}),
          returningAccountsFound: accounts?.overall.returns ?? 0,
          medianHoursSuspensionToReturn: hours(accounts?.overall.timeToReturn.median),
          medianHoursSuspensionToReturnLow: hours(accounts?.overall.timeToReturn.low),
          medianHoursSuspensionToReturnHigh: hours(accounts?.overall.timeToReturn.high),
        },
      },
      {
        point: "7(3)(c)",
        requires:
          "items removed or disabled following removal orders or specific measures; removal orders not acted on (Art. 3(7), 3(8)) and the grounds",
        figures: {
          itemsRemovedFollowingRemovalOrders: distinct(removals.filter((o) => o.basis === "removal_order")),
          itemsRemovedBySpecificMeasures: distinct(removals.filter((o) => o.basis !== "removal_order")),
          removalOrdersNotActioned: of("not_actioned").length,
          ...Object.fromEntries(
            Object.entries(countBy(of("not_actioned"), (o) => o.reason)).map(([k, v]) => [`notActioned.${k}`, v]),
          ),
        },
      },
      {
        point: "7(3)(d)",
        requires: "number and outcome of complaints handled under Art. 10",
        figures: { complaints, upheld, rejected, pending: Math.max(0, complaints - upheld - rejected) },
      },
      {
        point: "7(3)(e)",
        requires:
          "number and outcome of administrative or judicial review proceedings brought by the hosting service provider",
        figures: {
          filed: of("review_filed").length,
          upheld: of("review_upheld").length,
          overturned: of("review_overturned").length,
        },
      },
      {
        point: "7(3)(f)",
        requires: "cases in which content was reinstated as a result of administrative or judicial review proceedings",
        figures: { itemsReinstatedAfterReview: distinct(restored.filter((o) => o.reason === "review")) },
      },
      {
        point: "7(3)(g)",
        requires: "cases in which content was reinstated following a complaint by the content provider",
        figures: { itemsReinstatedAfterComplaint: distinct(restored.filter((o) => o.reason === "complaint")) },
      },
    ],
    automatedTools: {
      labelledItems: labelled.length,
      judged: judged.length,
      agreeing,
      accuracy: ratio(agreeing, judged.length),
      proRecall: ratio(labelledPro.filter((l) => l.label === "pro").length, labelledPro.length),
      proPrecision: ratio(predictedPro.filter((l) => l.stance === "pro").length, predictedPro.length),
    },
    definitions: {
      ...DEFINITIONS,
      ...Object.fromEntries(Object.entries(REUSE_DEFINITIONS).map(([k, v]) => [`reuploads.${k}`, v])),
    },
    records: { items: records, outcomes, stance: stanceInputs, copies },
  };
}
