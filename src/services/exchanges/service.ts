/**
 * Exchanges as the API and the CLI use them (issue 17): an organisation configures a feed
 * from outside (an exchange API plug-in, registry.ts) that rasd fetches into a bank of its
 * own, named as the exchange. Credentials are sealed under the master key (as webhook
 * secrets) and never returned. One fetch loop serves every API (fetchExchange): it leases the
 * exchange (one worker at a time), asks the API for steps from the checkpoint, writes each
 * step's items into the bank — additions de-duplicated by the bank, retractions applied to
 * what the bank holds — and saves the checkpoint after each step, so a crash resumes where it
 * stopped. A failure is retried with exponential backoff; the status says when, what and how
 * many. Workers run `ExchangeFetcher` (fetcher.ts) which fetches every due exchange.
 *
 * TLP: the local bank has one marking, chosen when the exchange is made (default
 * AMBER+STRICT, only the organisation). An item the remote marks stricter than the bank is
 * withheld (counted in the status), so a mirror never widens who may see a signal.
 * Loops: a bank an exchange writes is never in this instance's change feed, so a mirrored
 * signal is never exported as this instance's own.
 */

import { RasdError, describeError } from "../../core/errors.js";
import { TLP_MARKINGS, type Bank, type OpinionKind, type Signal, type Tlp } from "../../core/model.js";
import { isSealed, open, seal } from "../../kernels/crypto/secret-box.js";
import { getLogger } from "../../logging/logger.js";
import type { Exchange, ExchangeStore, JobQueue } from "../../storage/ports/index.js";
import type { BankService } from "../banks.js";
import { SOURCE_MAX_CHARS, type RawSignal } from "../signal-input.js";
import type { ExchangeApi, FetchedItem } from "./api.js";
import { DEFAULT_EXCHANGE_HTTP, RemoteStatusError, sendJson, type ExchangeHttp } from "./http.js";
import { EXCHANGE_APIS, exchangeApi } from "./registry.js";

/** HMA's exchange (and bank) names. */
export const EXCHANGE_NAME = /^[A-Z0-9_]{1,80}$/;
export const DEFAULT_INTERVAL_SECONDS = 60;
/** Steps of one fetch before it lets others run (it resumes at once: `more`). */
const MAX_STEPS = 50;
const BACKOFF_BASE_MS = 5_000;
const BACKOFF_MAX_MS = 3_600_000;
export const FETCH_LEASE_MS = 120_000;
/** Relays of opinions retried at once by one worker, and how long one holds its lease. */
const RELAY_BATCH = 20;
const RELAY_LEASE_MS = 60_000;
let leaseSeq = 0;

/** Where relays that failed wait to be sent again (decision 0048); absent, a failure is only reported. */
export interface RelayQueue {
  readonly jobs: JobQueue;
  /** The first retry's wait, doubling up to an hour (default 5 s). */
  readonly backoffBaseMs?: number;
}

export interface RelayOutcome {
  readonly exchange: string;
  readonly ok: boolean;
  readonly error?: string;
  /** Not arrived: kept and sent again with backoff until the remote takes it. */
  readonly queued?: boolean;
}

export interface NewExchangeRequest {
  readonly orgId: number;
  readonly name: string;
  readonly api: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly credentials?: Readonly<Record<string, unknown>> | null;
  readonly enabled?: boolean;
  /** The local bank's marking (default AMBER+STRICT). */
  readonly tlp?: Tlp;
}

export interface FetchReport {
  readonly steps: number;
  readonly added: number;
  readonly retracted: number;
  readonly withheld: number;
  readonly skipped: number;
  /** Remote opinions kept, changed or taken away (decision 0042). */
  readonly opinions: number;
  readonly upToDate: boolean;
  readonly error: string | null;
}

function delayAfter(failures: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(failures - 1, 30));
}

function intervalMs(e: Exchange): number {
  const s = e.config.interval_seconds;
  return (typeof s === "number" && s > 0 ? s : DEFAULT_INTERVAL_SECONDS) * 1000;
}

export class ExchangeService {
  private readonly log = getLogger("exchanges");

  constructor(
    readonly store: ExchangeStore,
    private readonly banks: BankService,
    private readonly key: Uint8Array,
    readonly http: ExchangeHttp = DEFAULT_EXCHANGE_HTTP,
    private readonly relays?: RelayQueue,
  ) {}

  apis(): readonly ExchangeApi[] {
    return EXCHANGE_APIS;
  }

  api(name: string): ExchangeApi {
    const api = exchangeApi(name);
    if (!api)
      throw new RasdError(
        "invalid",
        `no exchange API named ${name} (known: ${EXCHANGE_APIS.map((a) => a.name).join(", ")})`,
      );
    return api;
  }

  private sealCredentials(api: ExchangeApi, json: Readonly<Record<string, unknown>>): string | null {
    if (Object.keys(json).length === 0) return null;
    if (!api.credentialsSchema) throw new RasdError("invalid", `exchange API ${api.name} takes no credentials`);
    const schema = api.credentialsSchema;
    const plain: Record<string, string> = {};
    for (const [k, v] of Object.entries(json)) {
      if (!(k in schema.properties))
        throw new RasdError(
          "invalid",
          `credentials: unknown field "${k}" (known: ${Object.keys(schema.properties).join(", ")})`,
        );
      if (typeof v !== "string" || v === "")
        throw new RasdError("invalid", `credentials.${k}: must be a non-empty string`);
      plain[k] = v;
    }
    for (const k of schema.required)
      if (plain[k] === undefined) throw new RasdError("invalid", `credentials.${k}: required`);
    return seal(this.key, JSON.stringify(plain));
  }

  private opened(sealed: string): Record<string, string> {
    const text = isSealed(sealed) ? open(this.key, sealed) : sealed;
    return JSON.parse(text) as Record<string, string>;
  }

  /**
   * The credentials, opened (for the fetch only; never answered): the exchange's own, else its
   * organisation's for the exchange's API (HMA keeps credentials per API; decision 0047).
   */
  private async credentialsOf(e: Exchange): Promise<Record<string, string> | null> {
    if (e.credentials !== null) return this.opened(e.credentials);
    const perApi = await this.store.getApiCredentials(e.orgId, e.api);
    return perApi === null ? null : this.opened(perApi);
  }

  /**
   * Sets (or with null or {} clears) an organisation's credentials for an exchange API, as
   * HMA's POST /c/exchanges/api/<api>: checked against the API's credential schema, sealed.
   */
  async setApiCredentials(
    orgId: number,
    apiName: string,
    json: Readonly<Record<string, unknown>> | null,
  ): Promise<void> {
    const api = this.api(apiName);
    await this.store.setApiCredentials(orgId, api.name, this.sealCredentials(api, json ?? {}), Date.now());
  }

  /** Whether an organisation has credentials for an exchange API (never what they are). */
  async hasApiCredentials(orgId: number, apiName: string): Promise<boolean> {
    return (await this.store.getApiCredentials(orgId, apiName)) !== null;
  }

  async create(r: NewExchangeRequest): Promise<Exchange> {
    if (!EXCHANGE_NAME.test(r.name))
      throw new RasdError("invalid", "name: must match /^[A-Z0-9_]+$/ (at most 80 characters)");
    const api = this.api(r.api);
    const config = api.parseConfig(r.config);
    const credentials = this.sealCredentials(api, r.credentials ?? {});
    if (await this.store.getByName(r.name))
      throw new RasdError("conflict", `an exchange named ${r.name} already exists`);
    if (await this.banks.store.getBankByName(r.orgId, r.name))
      throw new RasdError(
        "conflict",
        `a bank named ${r.name} already exists: an exchange writes into a bank of its own name`,
      );
    const bank = await this.banks.createBank({
      orgId: r.orgId,
      name: r.name,
      description: `Fetched by exchange ${r.name} (${api.name})`,
      tlp: r.tlp ?? "AMBER+STRICT",
    });
    try {
      return await this.store.create(
        {
          orgId: r.orgId,
          name: r.name,
          api: api.name,
          bankId: bank.id,
          enabled: r.enabled ?? true,
          config,
          credentials,
        },
        Date.now(),
      );
    } catch (error) {
      await this.banks.deleteBank(bank.id);
      throw error;
    }
  }

  /** The organisation's exchange by name; another organisation's answers as missing. */
  async get(orgId: number, name: string): Promise<Exchange> {
    const e = await this.store.getByName(name);
    if (!e || e.orgId !== orgId) throw new RasdError("not_found", `Exchange '${name}' not found`);
    return e;
  }

  list(orgId: number): Promise<Exchange[]> {
    return this.store.list(orgId);
  }

  async update(
    orgId: number,
    name: string,
    patch: {
      readonly enabled?: boolean;
      readonly config?: Readonly<Record<string, unknown>>;
      readonly credentials?: Readonly<Record<string, unknown>> | null;
    },
  ): Promise<Exchange> {
    const e = await this.get(orgId, name);
    const api = this.api(e.api);
    return this.store.update(
      e.id,
      {
        ...(patch.enabled !== undefined ? { enabled: patch.enabled, nextFetchAt: 0 } : {}),
        // Merged into what is set; a null clears that setting (back to its default).
        ...(patch.config !== undefined
          ? {
              config: api.parseConfig(
                Object.fromEntries(Object.entries({ ...e.config, ...patch.config }).filter(([, v]) => v !== null)),
              ),
            }
          : {}),
        ...(patch.credentials !== undefined
          ? { credentials: patch.credentials === null ? null : this.sealCredentials(api, patch.credentials) }
          : {}),
      },
      Date.now(),
    );
  }

  /** Deletes the exchange; its bank too unless `keepBank` (the bank's signals become tombstones). */
  async delete(orgId: number, name: string, keepBank = false): Promise<void> {
    const e = await this.get(orgId, name);
    await this.store.delete(e.id);
    if (!keepBank) await this.banks.deleteBank(e.bankId);
  }

  async bankOf(e: Exchange): Promise<Bank> {
    const bank = await this.banks.store.getBank(e.bankId);
    if (!bank) throw new RasdError("not_found", `exchange ${e.name}: its bank ${e.bankId} is gone`);
    return bank;
  }

  /**
   * Fetches exchange `id` now (or any due exchange when undefined) as `owner`; undefined when
   * none was due or another worker is fetching it. A background fetch may long-poll its remote
   * unless `mayWait` is false.
   */
  async fetchExchange(
    owner: string,
    id?: number,
    options: { readonly mayWait?: boolean } = {},
  ): Promise<{ exchange: Exchange; report: FetchReport } | undefined> {
    const started = Date.now();
    // Each fetch holds its own lease, so two lanes of one worker never fetch one exchange at once
    // and a fetch whose lease expired cannot write over the one that took it over.
    const lease = `${owner}#${++leaseSeq}`;
    const e = await this.store.lease(lease, started, FETCH_LEASE_MS, id);
    if (!e) return undefined;
    const report = {
      steps: 0,
      added: 0,
      retracted: 0,
      withheld: 0,
      skipped: 0,
      opinions: 0,
      upToDate: false,
      error: null as string | null,
    };
    let checkpoint = e.checkpoint;
    let more = true;
    let nextFetchMs: number | undefined;
    try {
      const api = this.api(e.api);
      const bank = await this.bankOf(e);
      const credentials = await this.credentialsOf(e);
      while (more && report.steps < MAX_STEPS) {
        const step = await api.fetchStep({
          config: e.config,
          credentials,
          checkpoint,
          http: this.http,
          background: id === undefined && options.mayWait !== false,
        });
        nextFetchMs = step.nextFetchMs;
        report.steps++;
        report.skipped += step.skipped.length;
        const written = await this.write(e, bank, step.items);
        report.added += written.added;
        report.retracted += written.retracted;
        report.withheld += written.withheld;
        report.opinions += written.opinions;
        checkpoint = step.checkpoint;
        more = step.more;
        report.upToDate = !more;
        const kept = await this.store.progress(
          e.id,
          lease,
          { checkpoint, checkpointAt: step.checkpointAt, items: written.added + written.retracted, upToDate: !more },
          Date.now(),
          FETCH_LEASE_MS,
        );
        if (!kept) throw new RasdError("conflict", "another worker took over this fetch (its lease expired)");
      }
      await this.store.finish(
        e.id,
        lease,
        {
          ok: true,
          error: null,
          failures: 0,
          nextFetchAt: more ? Date.now() : Date.now() + (nextFetchMs ?? intervalMs(e)),
        },
        Date.now(),
      );
    } catch (error) {
      report.error = describeError(error);
      const failures = e.failures + 1;
      this.log.warn({ exchange: e.name, failures, err: report.error }, "exchange fetch failed");
      await this.store.finish(
        e.id,
        lease,
        { ok: false, error: report.error, failures, nextFetchAt: Date.now() + delayAfter(failures) },
        Date.now(),
      );
    }
    return { exchange: (await this.store.get(e.id)) ?? e, report };
  }

  /** Writes a step's items into the bank, in order: additions batched, retractions applied. */
  private async write(
    e: Exchange,
    bank: Bank,
    items: readonly FetchedItem[],
  ): Promise<{ added: number; retracted: number; withheld: number; opinions: number }> {
    let added = 0;
    let retracted = 0;
    let withheld = 0;
    let opinions = 0;
    const opined: FetchedItem[] = [];
    let batch: { line: number; raw: RawSignal }[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const r = await this.banks.addSignals(bank.id, batch);
      added += r.created + r.reactivated + r.updated;
      if (r.rejected.length) this.log.info({ exchange: e.name, rejected: r.rejected.slice(0, 5) }, "items rejected");
      batch = [];
    };
    const rank = (t: Tlp): number => TLP_MARKINGS.indexOf(t);
    for (const [i, item] of items.entries()) {
      if (item.status === "retracted") {
        await flush();
        retracted += await this.banks.retractValue(bank.id, item.type, item.value);
        continue;
      }
      if (item.tlp !== undefined && rank(item.tlp) > rank(bank.tlp)) {
        withheld++;
        continue;
      }
      batch.push({ line: i + 1, raw: this.raw(e, item) });
      if (item.opinions !== undefined) opined.push(item);
    }
    await flush();
    // Opinions land once their signal is held (a withheld or retracted one brings none).
    for (const item of opined) opinions += await this.putOpinions(e, bank, item);
    return { added, retracted, withheld, opinions };
  }

  private async putOpinions(e: Exchange, bank: Bank, item: FetchedItem): Promise<number> {
    const signal = await this.banks.heldSignal(bank.id, item.type, item.value);
    if (!signal) return 0;
    const all = item.opinions ?? [];
    return this.banks.store.putForeignOpinions(signal.id, `exchange ${e.name}`, {
      upsert: all
        .filter((o) => o.retracted !== true)
        .map((o) => ({
          originKey: o.key,
          orgName: o.orgName === null ? null : [...o.orgName].slice(0, 200).join(""),
          kind: o.kind,
          note: [...o.note].slice(0, 2000).join(""),
          updatedAt: o.updatedAt,
        })),
      remove: all.filter((o) => o.retracted === true).map((o) => o.key),
      replaceAll: item.opinionsComplete === true,
    });
  }

  /**
   * An opinion given (or, with `kind` null, taken back) here of a signal this instance mirrors
   * from another rasd goes back to that rasd, given there by the link's key (decision 0042): the
   * key is the member's identity at the remote, so the owner of the signal sees it as that
   * member's. Only the exchange's own organisation's opinions go (another member here who sees
   * the mirror does not speak with its key). Undefined when the signal is not such a mirror.
   * Sent at once; when the remote cannot be reached or refuses, a "relay" job keeps it and sends
   * the opinion's state at that time again, with backoff, until it arrives (decision 0048).
   */
  async relayOpinion(
    signal: Signal,
    orgId: number,
    kind: OpinionKind | null,
    note = "",
  ): Promise<RelayOutcome | undefined> {
    const e = (await this.store.list()).find((x) => x.bankId === signal.bankId);
    if (!e || e.api !== "rasd" || e.orgId !== orgId) return undefined;
    const error = await this.sendRelay(e, signal, kind, note);
    if (error === undefined) return { exchange: e.name, ok: true };
    this.log.warn({ exchange: e.name, signal: signal.id, err: error }, "opinion not relayed");
    if (!this.relays) return { exchange: e.name, ok: false, error };
    await this.relays.jobs.enqueue("relay", [signal.id], Date.now() + this.relayDelay(1));
    return { exchange: e.name, ok: false, error, queued: true };
  }

  private relayDelay(attempts: number): number {
    const base = this.relays?.backoffBaseMs ?? BACKOFF_BASE_MS;
    return Math.min(BACKOFF_MAX_MS, base * 2 ** Math.min(Math.max(attempts, 1) - 1, 30));
  }

  /** POSTs (DELETEs, with `kind` null) the opinion at the remote; undefined when it arrived, else why not. */
  private async sendRelay(
    e: Exchange,
    signal: Signal,
    kind: OpinionKind | null,
    note: string,
  ): Promise<string | undefined> {
    const remoteId = /^exchange .*: .* signal (\d+)(?: TLP:\S+)?$/.exec(signal.source)?.[1];
    if (remoteId === undefined) return "the signal's origin names no remote signal";
    try {
      const key = (await this.credentialsOf(e))?.api_key;
      if (!key) throw new RasdError("invalid", "no credentials: set api_key");
      const url = new URL(`v1/signals/${remoteId}/opinions`, String(e.config.url)).href;
      const auth = { authorization: `Bearer ${key}` };
      if (kind !== null) await sendJson(url, this.http, "POST", auth, { kind, ...(note ? { note } : {}) });
      else
        try {
          await sendJson(url, this.http, "DELETE", auth);
        } catch (error) {
          // Nothing standing there to take back: what was wanted is true.
          if (!(error instanceof RemoteStatusError && error.status === 404)) throw error;
        }
      return undefined;
    } catch (error) {
      return describeError(error);
    }
  }

  /**
   * Sends again the relays that failed and are due (a worker runs this beside the fetches): each
   * job sends its signal's current opinion of the exchange's organisation — given, changed or
   * taken back since, the latest state is what goes. A failure waits longer each time (5 s
   * doubling to an hour, 40 attempts, about a day and a half); a job out of attempts is kept dead.
   * Returns how many were tried.
   */
  async relayQueued(owner: string): Promise<number> {
    if (!this.relays) return 0;
    const jobs = this.relays.jobs;
    await jobs.reclaim("relay");
    const leased = await jobs.lease({ kind: "relay", owner, limit: RELAY_BATCH, leaseMs: RELAY_LEASE_MS });
    for (const job of leased) {
      let error: string | undefined;
      try {
        const signal = await this.banks.store.getSignal(job.refId);
        const e = signal && (await this.store.list()).find((x) => x.bankId === signal.bankId);
        // The mirror or its exchange is gone: nothing left to send.
        if (signal && e && e.api === "rasd") {
          const mine = (await this.banks.store.listOpinions(signal.id)).find((o) => o.orgId === e.orgId);
          error = await this.sendRelay(e, signal, mine ? mine.kind : null, mine?.note ?? "");
        }
      } catch (failure) {
        error = describeError(failure);
      }
      if (error === undefined) await jobs.complete([job.id]);
      else {
        this.log.warn({ signal: job.refId, attempts: job.attempts, err: error }, "opinion relay failed; retrying");
        await jobs.retryOrBury(job, error, Date.now() + this.relayDelay(job.attempts));
      }
    }
    return leased.length;
  }

  private raw(e: Exchange, item: FetchedItem): RawSignal {
    const source = `exchange ${e.name}: ${item.origin}${item.tlp ? ` TLP:${item.tlp}` : ""}`;
    return {
      type: item.type,
      value: item.value,
      ...(item.labels ? { labels: item.labels } : {}),
      ...(item.confidence !== undefined ? { confidence: item.confidence } : {}),
      ...(item.quality !== undefined && item.quality !== null ? { quality: item.quality } : {}),
      source: [...source].slice(0, SOURCE_MAX_CHARS).join(""),
      ...(item.firstSeen !== undefined ? { first_seen: new Date(item.firstSeen).toISOString() } : {}),
      ...(item.lastSeen !== undefined ? { last_seen: new Date(item.lastSeen).toISOString() } : {}),
    };
  }
}
