/**
 * Every storage port in one place: services and routes depend on these types, never on
 * the Kysely adapters beside them. `openStores` (storage/open.ts) builds all of them on one
 * database; only the composition roots call it.
 */

import type { SignalStore } from "../store.js";
import type { AccessStore } from "./access.js";
import type { AccountStore } from "./accounts.js";
import type { ActionStore } from "./actions.js";
import type { ContentStore } from "./content.js";
import type { CounterStore } from "./counter.js";
import type { DashboardReads } from "./dashboard.js";
import type { ExchangeStore } from "./exchanges.js";
import type { HmaContentStore } from "./hma.js";
import type { IncidentStore } from "./incidents.js";
import type { JobQueue } from "./jobs.js";
import type { LabelStore } from "./labels.js";
import type { LinkStore } from "./links.js";
import type { MeasurementReads } from "./measurement.js";
import type { MediaStore } from "./media.js";
import type { ReviewStore } from "./reviews.js";
import type { RuleStore } from "./rules.js";
import type { WebhookEndpointStore } from "./webhook-endpoints.js";
import type { WellnessStore } from "./wellness.js";

export type * from "../store.js";
export type * from "./access.js";
export type * from "./accounts.js";
export type * from "./actions.js";
export type * from "./content.js";
export type * from "./counter.js";
export type * from "./dashboard.js";
export type * from "./exchanges.js";
export type * from "./hma.js";
export type * from "./incidents.js";
export type * from "./jobs.js";
export type * from "./labels.js";
export type * from "./links.js";
export type * from "./measurement.js";
export type * from "./media.js";
export type * from "./reviews.js";
export type * from "./rules.js";
export type * from "./webhook-endpoints.js";
export type * from "./wellness.js";

/** Every port, on one database (and the media store beside it). */
export interface Stores {
  readonly dialect: "sqlite" | "postgres";
  readonly signals: SignalStore;
  readonly content: ContentStore;
  /** Submitted media's bytes, out of the database (a folder today). */
  readonly media: MediaStore;
  readonly jobs: JobQueue;
  readonly actions: ActionStore;
  readonly reviews: ReviewStore;
  readonly rules: RuleStore;
  readonly access: AccessStore;
  readonly accounts: AccountStore;
  readonly dashboard: DashboardReads;
  readonly measures: MeasurementReads;
  /** The labelling queue and the labelled sample (issue 16). */
  readonly labels: LabelStore;
  /** HMA's bank content (one item with all its signals) and signal-type settings. */
  readonly hma: HmaContentStore;
  /** Webhook endpoints: per-endpoint leasing, health, disabling. */
  readonly endpoints: WebhookEndpointStore;
  /** Exchanges: feeds from outside fetched into banks (issue 17). */
  readonly exchanges: ExchangeStore;
  /** Review wellness: preferences, daily limits, exposures (decision 0028). */
  readonly wellness: WellnessStore;
  /** Counter-messaging: the library, keyword sets, event secrets and events (issue 20). */
  readonly counter: CounterStore;
  /** Links that stay down (issue 19): liveness checks, members' domains, alerts, expansions. */
  readonly links: LinkStore;
  /** The crisis protocol's incidents, events, variants and alerts (issue 20). */
  readonly incidents: IncidentStore;
  /** Closes the database (every port at once). */
  close(): Promise<void>;
}
