/**
 * The webhook endpoints port: leasing deliveries endpoint by endpoint (so that one slow or
 * dead receiver cannot take every worker slot), each endpoint's health after its attempts,
 * and disabling and re-enabling endpoints. A disabled endpoint's jobs stay queued — held,
 * neither leased nor retried — until it is enabled again.
 */

import type { DisablePolicy, EndpointHealth, EndpointKey } from "../../core/webhook-endpoints.js";
import type { Job } from "./jobs.js";

export interface WebhookEndpoint extends EndpointKey, EndpointHealth {
  readonly id: number;
}

export interface DeliveryLeaseRequest {
  readonly owner: string;
  readonly leaseMs: number;
  /** Most jobs in all. */
  readonly limit: number;
  /** Most jobs of any one endpoint. */
  readonly perEndpoint: number;
  /** Endpoints to skip (their lanes are full in this worker). */
  readonly skip: readonly EndpointKey[];
}

/** A leased webhook job and the endpoint its action goes to (origin "" when its action is gone). */
export interface LeasedDelivery {
  readonly job: Job;
  readonly endpoint: EndpointKey;
}

/** One attempt's outcome, for the endpoint's health. */
export interface EndpointOutcome {
  readonly endpoint: EndpointKey;
  readonly ok: boolean;
  readonly error?: string;
  readonly at: number;
}

export interface WebhookEndpointStore {
  /**
   * Leases runnable webhook jobs, oldest first, at most `perEndpoint` of any one endpoint,
   * none of a disabled endpoint or of one in `skip`; counts the attempt like `JobQueue.lease`.
   */
  leaseDeliveries(request: DeliveryLeaseRequest): Promise<LeasedDelivery[]>;
  /**
   * Updates each endpoint's health with the outcomes, in order (core `nextHealth`), and
   * returns the endpoints this call disabled.
   */
  recordOutcomes(outcomes: readonly EndpointOutcome[], policy: DisablePolicy): Promise<WebhookEndpoint[]>;
  /** An organisation's endpoints with a recorded outcome, by origin. */
  list(orgId: number): Promise<WebhookEndpoint[]>;
  get(id: number): Promise<WebhookEndpoint | undefined>;
  /**
   * Enables an endpoint again (failures cleared); its held jobs become runnable now with
   * their attempts reset. Returns the endpoint and how many jobs were released.
   */
  enable(id: number, now: number): Promise<{ endpoint: WebhookEndpoint; released: number }>;
}
