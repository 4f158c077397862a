/**
 * Table shapes as Kysely sees them. Portable across SQLite and PostgreSQL: integers for
 * booleans, epoch milliseconds (bigint) for times, JSON as text.
 */

import type { Generated } from "kysely";

export interface OrgsTable {
  id: Generated<number>;
  name: string;
  kind: string;
  created_at: number;
}

export interface BanksTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  description: string;
  action_hint: string;
  negative: number;
  pdq_threshold: number;
  pdq_min_quality: number;
  text_min_similarity: number;
  account_min_score: Generated<number>;
  tlp: Generated<string>;
  enabled_ratio: Generated<number>;
  deleted: Generated<number>;
  created_at: number;
  updated_at: number;
  change_seq: number;
}

export interface SignalsTable {
  id: Generated<number>;
  bank_id: number;
  type: string;
  value: string;
  value_key: string;
  quality: number | null;
  labels: string;
  confidence: number;
  source: string;
  first_seen: number;
  last_seen: number;
  status: string;
  created_at: number;
  updated_at: number;
  change_seq: number;
}

export interface OpinionsTable {
  id: Generated<number>;
  signal_id: number;
  org_id: number;
  kind: string;
  note: string;
  created_at: number;
  updated_at: number;
  /** Set when the organisation took its opinion back (a tombstone mirrors learn of). */
  retracted_at: number | null;
}

/** Opinions that came from elsewhere (a peer's exchange, an imported file): migration 0026. */
export interface ForeignOpinionsTable {
  id: Generated<number>;
  signal_id: number;
  source: string;
  origin_key: string;
  org_name: string | null;
  kind: string;
  note: string;
  created_at: number;
  updated_at: number;
}

export interface CountersTable {
  name: string;
  value: number;
}

export interface BankSharesTable {
  bank_id: number;
  org_id: number;
}

/** TAXII 2.1 status resources (migration 0022): TAXII's JSON, readable by its organisation. */
export interface TaxiiStatusesTable {
  id: string;
  org_id: number;
  body: string;
  created_at: number;
}

/** Organisations named as recipients of an AMBER+STRICT bank (migration 0021). */
export interface BankRecipientsTable {
  bank_id: number;
  org_id: number;
}

export interface PeopleTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  role: string;
  created_at: number;
  password_hash: string | null;
}

export interface BankReadersTable {
  bank_id: number;
  person_id: number;
}

export interface ApiKeysTable {
  id: Generated<number>;
  person_id: number;
  prefix: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
  // 0007-key-lifecycle
  name: string | null;
  created_by: number | null;
  last_used_at: number | null;
  expires_at: number | null;
  rotated_at: number | null;
  previous_secret_hash: string | null;
  previous_expires_at: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  org_id: number | null;
  person_id: number | null;
  actor: string;
  action: string;
  target: string;
  detail: string;
  source: string;
  /** Hash chain (migration 0008, core/audit-chain.ts): the organisation's chain, 0 for none. */
  chain: Generated<number>;
  seq: Generated<number>;
  prev_hash: Generated<string>;
  hash: Generated<string>;
}

/** Each audit chain's last entry: the row an appender locks. */
export interface AuditChainHeadsTable {
  chain: number;
  seq: number;
  hash: string;
}

export interface ContentItemsTable {
  id: Generated<number>;
  org_id: number;
  person_id: number;
  idempotency_key: string;
  request_hash: string;
  kind: string;
  content_id: string;
  author_id: string;
  posted_at: number | null;
  media_type: string | null;
  media_size: number | null;
  url: string | null;
  text: string | null;
  status: string;
  error: string | null;
  hashes: Generated<string>;
  matches: Generated<string>;
  received_at: number;
  hashed_at: number | null;
  matched_at: number | null;
  acted_at: number | null;
  platform: Generated<string>;
  country: Generated<string>;
  classified_at: number | null;
  /** The media store's key for the item's bytes (migration 0009); null: no media, or not moved yet. */
  media_sha256: string | null;
  /** When retention let the bytes go (migration 0009). */
  media_expired_at: number | null;
  /** The author account, canonical JSON (migration 0020); null: none given. */
  author: string | null;
}

/** Media bytes as rasd stored them before 0009; emptied by storage/media-move.ts. */
export interface ContentMediaTable {
  item_id: number;
  bytes: Uint8Array;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  ref_id: number;
  status: string;
  attempts: number;
  max_attempts: number;
  run_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface ActionRulesTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  enabled: number;
  conditions: string;
  actions: string;
  created_at: number;
  updated_at: number;
}

export interface ActionsTable {
  id: Generated<number>;
  item_id: number;
  org_id: number;
  rule_id: number;
  /** The action's position in its rule's list (migration 0005). */
  action_index: number | null;
  type: string;
  status: string;
  delivery_id: string;
  target: string;
  payload: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  completed_at: number | null;
}

export interface ReviewItemsTable {
  id: Generated<number>;
  org_id: number;
  item_id: number;
  action_id: number;
  status: string;
  decision: string | null;
  note: string;
  decided_by: number | null;
  created_at: number;
  decided_at: number | null;
  priority: Generated<number>;
  labels: Generated<string>;
  reasons: Generated<string>;
  bank_id: number | null;
  added_signals: Generated<string>;
  claimed_by: number | null;
  claimed_until: number | null;
  /** The status before the latest decision (undo puts it back); null when undone or undecided. */
  previous_status: Generated<string | null>;
  /** Why the entry was queued (migration 0025): match, stance, account, incident or link. */
  reason: Generated<string>;
}

/** The banks whose signals a review entry's item matched (migration 0025), for the queue's bank filter. */
export interface ReviewBanksTable {
  review_id: number;
  bank_id: number;
}

export interface SessionsTable {
  id: Generated<number>;
  person_id: number;
  key_id: number | null;
  prefix: string;
  secret_hash: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  source: Generated<string>;
}

export interface ClassificationsTable {
  item_id: number;
  model: string;
  label: string;
  score: number;
  p_pro: number;
  p_anti: number;
  p_neutral: number;
  lang: string;
  behaviour: string | null;
  classified_at: number;
}

export interface ContentOutcomesTable {
  id: Generated<number>;
  item_id: number;
  org_id: number;
  person_id: number;
  kind: string;
  basis: Generated<string>;
  reason: Generated<string>;
  authority: Generated<string>;
  note: Generated<string>;
  at: number;
  recorded_at: number;
}

/** The labelling queue (migration 0009): items drawn for people to label their stance. */
export interface StanceLabelsTable {
  id: Generated<number>;
  item_id: number;
  org_id: number;
  period_start: number;
  interval: string;
  drawn_at: number;
  drawn_by: number | null;
  stance: string | null;
  note: Generated<string>;
  labelled_by: number | null;
  labelled_at: number | null;
}

/** Webhook endpoints' health and state (migration 0006). */
export interface WebhookEndpointsTable {
  id: Generated<number>;
  org_id: number;
  origin: string;
  state: string;
  since: number;
  failures: number;
  failing_since: number | null;
  last_error: string | null;
  updated_at: number;
}

/** An exchange API's credentials per organisation, as HMA keeps them per API (migration 0027). */
export interface ExchangeApiCredentialsTable {
  org_id: number;
  api: string;
  credentials: string;
  updated_at: number;
}

/** Exchanges: feeds fetched into a bank of their own (migration 0014). */
export interface ExchangesTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  api: string;
  bank_id: number;
  enabled: Generated<number>;
  config: Generated<string>;
  credentials: string | null;
  checkpoint: string | null;
  checkpoint_at: number | null;
  fetch_started_at: number | null;
  fetch_ended_at: number | null;
  fetch_ok: number | null;
  up_to_date: Generated<number>;
  fetched_items: Generated<number>;
  failures: Generated<number>;
  last_error: string | null;
  next_fetch_at: Generated<number>;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
}

/** HMA's bank content: one item with its signals (migration 0015). */
export interface HmaContentsTable {
  id: Generated<number>;
  bank_id: number;
  note: string | null;
  metadata: string | null;
  disable_until_ts: number;
  enable_pending: number;
  origin_signal_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface HmaContentSignalsTable {
  content_id: number;
  signal_id: number;
}

/** An organisation's HMA signal-type settings (migration 0015). */
export interface HmaSignalTypeSettingsTable {
  org_id: number;
  signal_type: string;
  enabled_ratio: number;
  updated_at: number;
}

/** A person's review preferences (migration 0021); booleans as 0/1. */
export interface ReviewPreferencesTable {
  person_id: number;
  blur: number;
  greyscale: number;
  break_minutes: number;
  break_items: number;
  audio: number;
  updated_at: number;
}

/** An organisation's daily limit of review entries a person may open (migration 0021). */
export interface ReviewLimitsTable {
  org_id: number;
  daily_limit: number | null;
  updated_by: number | null;
  updated_at: number;
}

/** A person opened a review entry on a UTC day (migration 0021). */
export interface ReviewExposuresTable {
  person_id: number;
  review_id: number;
  day: number;
  seen_at: number;
}

/** An organisation's sharing defaults (migration 0024). */
export interface OrgDefaultsTable {
  org_id: number;
  /** The TLP marking of new banks when none is chosen; null: the built-in AMBER+STRICT. */
  tlp: string | null;
  updated_by: number | null;
  updated_at: number;
}

export interface Database {
  org_defaults: OrgDefaultsTable;
  orgs: OrgsTable;
  banks: BanksTable;
  signals: SignalsTable;
  opinions: OpinionsTable;
  foreign_opinions: ForeignOpinionsTable;
  counters: CountersTable;
  bank_shares: BankSharesTable;
  bank_recipients: BankRecipientsTable;
  taxii_statuses: TaxiiStatusesTable;
  people: PeopleTable;
  bank_readers: BankReadersTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  audit_chain_heads: AuditChainHeadsTable;
  content_items: ContentItemsTable;
  content_media: ContentMediaTable;
  jobs: JobsTable;
  action_rules: ActionRulesTable;
  actions: ActionsTable;
  review_items: ReviewItemsTable;
  review_banks: ReviewBanksTable;
  sessions: SessionsTable;
  classifications: ClassificationsTable;
  content_outcomes: ContentOutcomesTable;
  webhook_endpoints: WebhookEndpointsTable;
  stance_labels: StanceLabelsTable;
  exchanges: ExchangesTable;
  exchange_api_credentials: ExchangeApiCredentialsTable;
  hma_contents: HmaContentsTable;
  hma_content_signals: HmaContentSignalsTable;
  hma_signal_type_settings: HmaSignalTypeSettingsTable;
  review_preferences: ReviewPreferencesTable;
  review_limits: ReviewLimitsTable;
  review_exposures: ReviewExposuresTable;
  incidents: IncidentsTable;
  incident_events: IncidentEventsTable;
  incident_variants: IncidentVariantsTable;
  incident_alerts: IncidentAlertsTable;
}

/** Incidents of the crisis protocol (migration 0017). */
export interface IncidentsTable {
  id: Generated<number>;
  org_id: number;
  declared_by: number | null;
  tier: number;
  title: string;
  description: Generated<string>;
  drill: Generated<number>;
  status: Generated<string>;
  bank_id: number;
  declared_at: number;
  closed_at: number | null;
  improve: Generated<string>;
  updated_at: number;
}

export interface IncidentEventsTable {
  id: Generated<number>;
  incident_id: number;
  at: number;
  kind: string;
  org_id: number | null;
  item_id: number | null;
  signal_id: number | null;
  variant_id: number | null;
  detail: Generated<string>;
}

export interface IncidentVariantsTable {
  id: Generated<number>;
  incident_id: number;
  type: string;
  value: string;
  item_id: number | null;
  org_id: number | null;
  near_signal_id: number | null;
  distance: number | null;
  similarity: number | null;
  seen: Generated<number>;
  status: Generated<string>;
  proposed_at: number;
  decided_at: number | null;
  decided_by: number | null;
  signal_id: number | null;
}

export interface IncidentAlertsTable {
  id: Generated<number>;
  incident_id: number;
  org_id: number;
  event: string;
  delivery_id: string;
  target: string;
  rule_id: number;
  action_index: number;
  payload: string;
  status: Generated<string>;
  attempts: Generated<number>;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}
