/**
 * The actions port: what the organisation's rules did for an item (webhook, review,
 * decision), webhook delivery outcomes, and the one transaction in which the pipeline
 * records a batch's results (`commitResults`). That transaction — items finished,
 * classifications saved, actions recorded, webhook jobs and review entries queued, content
 * jobs completed — is what makes a kill -9 at any point safe: all of it lands, or none.
 */

import type { Classification, ItemOutcome } from "./content.js";
import type { Job, LeaseRequest, RetryFate } from "./jobs.js";

export type ActionType = "webhook" | "review" | "decision";
/** A webhook is pending until delivered, or dead after its last attempt; other actions are done at once. */
export type ActionStatus = "pending" | "delivered" | "dead" | "done";

export interface Action {
  readonly id: number;
  readonly itemId: number;
  readonly orgId: number;
  readonly ruleId: number;
  /**
   * The position of this action in its rule's list of actions: what finds a webhook's
   * secret. Null only for a row whose delivery id did not say it (none rasd wrote).
   */
  readonly actionIndex: number | null;
  readonly type: ActionType;
  readonly status: ActionStatus;
  /** The webhook-id: stable across retries so receivers can drop repeats. */
  readonly deliveryId: string;
  readonly target: string;
  readonly payload: string;
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
  readonly completedAt: number | null;
}

/** An action a rule fired; recorded once per delivery id (a rerun of the job skips it). */
export interface NewAction {
  readonly itemId: number;
  readonly orgId: number;
  readonly ruleId: number;
  readonly actionIndex: number;
  readonly type: ActionType;
  readonly deliveryId: string;
  readonly target: string;
  readonly payload: string;
  /** For a review action: the priority of the item's review entry (one entry per item). */
  readonly reviewPriority?: number;
  /**
   * For a review action: why the item is queued (an incident bank among `reviewBanks` makes it
   * "incident" whatever is said here); left out, "match" when there are banks, else "stance".
   */
  readonly reviewReason?: "match" | "stance" | "account" | "link";
  /** For a review action: the banks whose signals the item matched (the queue's bank filter). */
  readonly reviewBanks?: readonly number[];
}

/** What became of a NewAction: created now, or found from an earlier run of the same job. */
export interface RecordedAction {
  readonly deliveryId: string;
  readonly itemId: number;
  readonly type: ActionType;
  readonly created: boolean;
  /** Its status now (an earlier run's status when not created). */
  readonly status: ActionStatus;
}

/** One batch of pipeline results, written in one transaction. */
export interface ResultBatch {
  /** Actions in firing order; webhooks get a job, the first review of an item a review entry. */
  readonly actions: readonly NewAction[];
  /** Item outcomes, computed from what became of the actions (inside the transaction). */
  readonly finish: (recorded: readonly RecordedAction[]) => readonly ItemOutcome[];
  readonly classifications: readonly Classification[];
  /** Content jobs done (their items finished, or gone); "links" jobs done too. */
  readonly completedJobs: readonly number[];
  /** Jobs given up on: marked dead with their last error (a "links" job whose attempts ran out). */
  readonly buriedJobs?: readonly { readonly id: number; readonly error: string }[];
  /**
   * Items whose links are followed next, as a "links" job each, queued in this transaction
   * (none queued for an item that already has one waiting or running).
   */
  readonly followLinks?: readonly number[];
  /** What following items' links found: written to the items (finish is not used for them). */
  readonly linked?: readonly LinkedItem[];
  /** Lease the next batch in the same transaction (one commit less under load). */
  readonly leaseNext?: LeaseRequest;
  /** When the actions are recorded. */
  readonly now: number;
}

/** An item after its links were followed (services/links/follow-up.ts). */
export interface LinkedItem {
  readonly id: number;
  /** The item's hashes with `links` (JSON). */
  readonly hashes: string;
  /** The item's matches, direct ones first, then those found through a hop (JSON). */
  readonly matches: string;
}

export interface CommittedBatch {
  readonly recorded: readonly RecordedAction[];
  readonly leased: readonly Job[];
}

/** The outcome of one webhook attempt, to record. */
export interface DeliveryResult {
  readonly job: Job;
  readonly action: Action;
  /** The receiver's HTTP status, or null when there was no answer. */
  readonly httpStatus: number | null;
  /** Undefined: delivered. */
  readonly error?: string;
  /** When to try again after an error (ignored when the job has no attempts left). */
  readonly retryAt: number;
}

/** What became of a delivery attempt. */
export type DeliveryFate = "delivered" | RetryFate;

export interface ActionStore {
  actionsOf(itemIds: readonly number[]): Promise<Action[]>;
  getAction(id: number): Promise<Action | undefined>;
  /** An organisation's actions, newest first. */
  listActions(orgId: number, options?: { status?: string; beforeId?: number; limit?: number }): Promise<Action[]>;
  /** Records a batch of pipeline results in one transaction (see ResultBatch). */
  commitResults(batch: ResultBatch): Promise<CommittedBatch>;
  /**
   * Records webhook attempts in one transaction: delivered actions and their jobs done,
   * failed ones retried or dead-lettered (the item marked action_failed), jobs whose action
   * is gone completed, and items with no action left pending marked done.
   */
  recordDeliveries(
    results: readonly DeliveryResult[],
    orphanJobs: readonly number[],
    now: number,
  ): Promise<DeliveryFate[]>;
  /** Puts a dead or delivered action back in the queue (same delivery id). */
  redeliver(action: Action): Promise<void>;
}
