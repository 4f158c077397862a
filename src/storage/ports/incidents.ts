/**
 * The incidents port (the crisis protocol, issue 20): incidents, their timed events, the
 * variants proposed to their banks, and the alerts queued for members' webhook receivers.
 * Queuing alerts and recording their delivery are each one transaction with their jobs.
 */

import type {
  Incident,
  IncidentEvent,
  IncidentEventKind,
  IncidentStatus,
  IncidentTier,
  Variant,
  VariantStatus,
  VariantType,
} from "../../core/incidents.js";
import type { Job } from "./jobs.js";

export interface NewIncident {
  readonly orgId: number;
  readonly declaredBy: number | null;
  readonly tier: IncidentTier;
  readonly title: string;
  readonly description: string;
  readonly drill: boolean;
  readonly bankId: number;
  readonly declaredAt: number;
}

export interface IncidentPatch {
  readonly tier?: IncidentTier;
  readonly title?: string;
  readonly description?: string;
  readonly improve?: string;
  readonly status?: IncidentStatus;
  readonly closedAt?: number;
}

export type NewIncidentEvent = Omit<IncidentEvent, "id" | "orgId" | "itemId" | "signalId" | "variantId" | "detail"> & {
  readonly orgId?: number | null;
  readonly itemId?: number | null;
  readonly signalId?: number | null;
  readonly variantId?: number | null;
  readonly detail?: Readonly<Record<string, unknown>>;
};

export interface NewVariant {
  readonly incidentId: number;
  readonly type: VariantType;
  readonly value: string;
  readonly itemId: number | null;
  readonly orgId: number | null;
  readonly nearSignalId: number | null;
  readonly distance: number | null;
  readonly similarity: number | null;
  readonly proposedAt: number;
}

/** An alert to one member's webhook receiver (a URL of one of its rules, signed with that webhook's secret). */
export interface IncidentAlert {
  readonly id: number;
  readonly incidentId: number;
  readonly orgId: number;
  readonly event: string;
  readonly deliveryId: string;
  readonly target: string;
  readonly ruleId: number;
  readonly actionIndex: number;
  readonly payload: string;
  readonly status: "pending" | "delivered" | "dead";
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly deliveredAt: number | null;
}

export type NewAlert = Pick<
  IncidentAlert,
  "incidentId" | "orgId" | "event" | "deliveryId" | "target" | "ruleId" | "actionIndex" | "payload" | "createdAt"
>;

/** One alert attempt's outcome. */
export interface AlertResult {
  readonly job: Job;
  readonly alert: IncidentAlert;
  readonly httpStatus: number | null;
  /** Undefined: delivered. */
  readonly error?: string;
  readonly retryAt: number;
  readonly at: number;
}

export interface IncidentStore {
  /** Creates the incident with its first events, in one transaction. */
  create(input: NewIncident, events: readonly Omit<NewIncidentEvent, "incidentId">[]): Promise<Incident>;
  get(id: number): Promise<Incident | undefined>;
  /** Newest first. */
  list(options?: { status?: IncidentStatus; limit?: number }): Promise<Incident[]>;
  /** Throws not_found for an unknown id. */
  update(id: number, patch: IncidentPatch, at: number): Promise<Incident>;
  addEvents(events: readonly NewIncidentEvent[]): Promise<void>;
  /** In time order. */
  events(incidentId: number): Promise<IncidentEvent[]>;
  /** Which of these items have a `kind` event of the incident already. */
  itemsWithEvent(incidentId: number, kind: IncidentEventKind, itemIds: readonly number[]): Promise<Set<number>>;
  /** Items matched in drill incidents (excluded from real figures), among these. */
  drillItems(itemIds: readonly number[]): Promise<Set<number>>;
  /** Inserts a proposal, or returns the one with the same value (created false). */
  proposeVariant(v: NewVariant): Promise<{ variant: Variant; created: boolean }>;
  variants(incidentId: number, status?: VariantStatus): Promise<Variant[]>;
  getVariant(id: number): Promise<Variant | undefined>;
  /** Counts one more near-duplicate in the variant's cluster. */
  sawVariant(id: number): Promise<void>;
  /** Accepts or rejects a proposed variant; throws conflict when it was decided already. */
  decideVariant(
    id: number,
    decision: { status: "accepted" | "rejected"; by: number | null; at: number; signalId: number | null },
  ): Promise<Variant>;
  /** Records the alerts and queues an "incident" job for each, in one transaction. */
  queueAlerts(alerts: readonly NewAlert[]): Promise<void>;
  getAlert(id: number): Promise<IncidentAlert | undefined>;
  alerts(incidentId: number): Promise<IncidentAlert[]>;
  /**
   * Records attempts in one transaction: delivered alerts (job done, an `alert_delivered`
   * event at the attempt's time), failed ones retried or dead; jobs whose alert is gone completed.
   */
  recordAlerts(results: readonly AlertResult[], orphanJobs: readonly number[]): Promise<void>;
}
