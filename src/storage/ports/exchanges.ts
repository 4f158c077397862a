/**
 * The exchanges port (issue 17): feeds from outside fetched into a bank of their own. The
 * store keeps credentials as given (the service seals them before and opens them after);
 * a fetch holds a lease on its exchange so that two workers never fetch one at once.
 */

export interface Exchange {
  readonly id: number;
  readonly orgId: number;
  /** Unique across the coalition, HMA's CAPS_AND_UNDERSCORE. */
  readonly name: string;
  /** The exchange API (plug-in) name: `rasd`, `taxii`, `fb_threatexchange`. */
  readonly api: string;
  /** The bank the exchange writes into. */
  readonly bankId: number;
  readonly enabled: boolean;
  /** The API's own settings (JSON object). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Sealed credentials as stored, or null. */
  readonly credentials: string | null;
  /** Where the next fetch resumes (the API's own text), or null: from the beginning. */
  readonly checkpoint: string | null;
  /** The time the checkpoint stands for (ms), when the API says. */
  readonly checkpointAt: number | null;
  readonly fetchStartedAt: number | null;
  readonly fetchEndedAt: number | null;
  /** Whether the last finished fetch succeeded; null before the first. */
  readonly fetchOk: boolean | null;
  /** The last fetch reached the end of the remote feed. */
  readonly upToDate: boolean;
  /** Items written into the bank, over every fetch. */
  readonly fetchedItems: number;
  /** Failed fetches in a row (the backoff grows with them). */
  readonly failures: number;
  readonly lastError: string | null;
  readonly nextFetchAt: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewExchange {
  readonly orgId: number;
  readonly name: string;
  readonly api: string;
  readonly bankId: number;
  readonly enabled: boolean;
  readonly config: Readonly<Record<string, unknown>>;
  readonly credentials: string | null;
}

export interface ExchangePatch {
  readonly enabled?: boolean;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly credentials?: string | null;
  /** Fetch at this time (ms); 0: at once. */
  readonly nextFetchAt?: number;
}

export interface ExchangeProgress {
  readonly checkpoint: string | null;
  readonly checkpointAt: number | null;
  /** Items written by this step (added to the total). */
  readonly items: number;
  readonly upToDate: boolean;
}

export interface ExchangeOutcome {
  readonly ok: boolean;
  readonly error: string | null;
  readonly failures: number;
  readonly nextFetchAt: number;
}

export interface ExchangeStore {
  create(input: NewExchange, now: number): Promise<Exchange>;
  get(id: number): Promise<Exchange | undefined>;
  getByName(name: string): Promise<Exchange | undefined>;
  /** Every exchange, or one organisation's, by name. */
  list(orgId?: number): Promise<Exchange[]>;
  update(id: number, patch: ExchangePatch, now: number): Promise<Exchange>;
  delete(id: number): Promise<void>;
  /** The banks exchanges write into (mirrored signals: never exported as the coalition's own). */
  bankIds(): Promise<number[]>;
  /**
   * Takes the lease of exchange `id` (any enabled exchange due by `now` when `id` is
   * undefined) for `owner` until `now + leaseMs`, marking its fetch started; undefined when
   * none is due or another owner holds an unexpired lease.
   */
  lease(owner: string, now: number, leaseMs: number, id?: number): Promise<Exchange | undefined>;
  /** Records a step of a fetch (checkpoint and items) and extends the lease; false when the lease was lost. */
  progress(id: number, owner: string, step: ExchangeProgress, now: number, leaseMs: number): Promise<boolean>;
  /** Ends a fetch: its outcome, the next fetch's time, the lease released. */
  finish(id: number, owner: string, outcome: ExchangeOutcome, now: number): Promise<void>;
  /** An organisation's sealed credentials for an exchange API (HMA's per-API credentials), or null. */
  getApiCredentials(orgId: number, api: string): Promise<string | null>;
  /** Sets (or with null clears) an organisation's sealed credentials for an exchange API. */
  setApiCredentials(orgId: number, api: string, sealed: string | null, now: number): Promise<void>;
  /** Keeps a TAXII 2.1 status resource (objects written to a collection: the inbound exchange). */
  saveTaxiiStatus(id: string, orgId: number, body: string, now: number): Promise<void>;
  /** A TAXII status resource and its organisation. */
  getTaxiiStatus(id: string): Promise<{ readonly orgId: number; readonly body: string } | undefined>;
}
