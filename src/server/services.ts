/**
 * The composition root of the service: opens the store and builds every service on it.
 * `serve` starts the workers and the HTTP API on top; tests build the same thing.
 */

import { hostname } from "node:os";
import type { Config } from "../config/config.js";
import { ChangeFeed } from "../services/changes.js";
import { CounterService } from "../services/counter.js";
import { ExchangeFetcher } from "../services/exchanges/fetcher.js";
import { ExchangeService } from "../services/exchanges/service.js";
import { DEFAULT_EXCHANGE_HTTP } from "../services/exchanges/http.js";
import { AccessService } from "../services/access.js";
import { AccountService } from "../services/accounts.js";
import { DashboardService } from "../services/dashboard.js";
import { BankService } from "../services/banks.js";
import { HmaContentService } from "../services/hma-contents.js";
import { IncidentService } from "../services/incidents.js";
import { WebhookDeliverer } from "../services/deliveries.js";
import { Matcher } from "../services/matcher.js";
import { PDQ_INDEX, type PdqSignalIndex } from "../signals/types/pdq.js";
import { ServiceMetrics } from "../services/metrics.js";
import { ContentPipeline } from "../services/pipeline.js";
import { SubmissionBatcher } from "../services/submissions.js";
import { BacklogGuard, pendingContent } from "../services/backlog.js";
import { MeasurementService } from "../services/measurement.js";
import { loadShorteners } from "../services/shorteners.js";
import { loadServiceClassifier } from "../services/stance.js";
import { SealedRuleStore } from "../services/rule-secrets.js";
import { loadSecretKey } from "../services/secret-key.js";
import type { StanceClassifier } from "../core/stance.js";
import { MediaRetention } from "../services/media-retention.js";
import { DEFAULT_LINK_HTTP, type LinkHttp } from "../services/links/follow.js";
import { LinkExpander } from "../services/links/expander.js";
import { LinkLiveness } from "../services/links/liveness.js";
import { LinkService } from "../services/links/service.js";
import { openStores } from "../storage/open.js";
import type {
  ActionStore,
  ContentStore,
  JobQueue,
  ReviewStore,
  RuleStore,
  SignalStore,
  Stores,
} from "../storage/ports/index.js";
import { SignalBus } from "../bus/signal-bus.js";
import { configureGates } from "../media/decode-gate.js";
import { WorkQueue } from "../bus/work-queue.js";
import type { ShortenerSet } from "../kernels/url/index.js";
import { FALLBACK_MATCHER_POLL_MS, followNats, stopStep } from "./lifecycle.js";

/** How often a process looks for HMA content whose disable_until_ts has passed. */
const HMA_SWEEP_MS = 1000;

export interface Services {
  readonly config: Config;
  /** Every storage port, on the one database. */
  readonly stores: Stores;
  /** The signal store (`stores.signals`). */
  readonly store: SignalStore;
  readonly banks: BankService;
  /** HMA's bank content: one item with all its signals, timed disabling (decision 0020). */
  readonly hmaContents: HmaContentService;
  readonly access: AccessService;
  /** Every signal change a caller may see, resumable (GET /v1/changes). */
  readonly changes: ChangeFeed;
  /** Feeds from outside fetched into banks (issue 17), and the workers' fetcher. */
  readonly exchanges: ExchangeService;
  readonly exchangeFetcher: ExchangeFetcher;
  /** Links that stay down (issue 19): expansion, liveness checks (a worker loop), domains, alerts, figures. */
  readonly links: LinkService;
  /** Passwords and sign-in sessions (the web app). */
  readonly accounts: AccountService;
  /** The web app's dashboard figures and bank search. */
  readonly dashboard: DashboardService;
  /** The crisis protocol: incidents, their banks, alerts, variants and debriefs (issue 20). */
  readonly incidents: IncidentService;
  readonly content: ContentStore;
  readonly jobs: JobQueue;
  readonly actions: ActionStore;
  readonly reviews: ReviewStore;
  readonly rules: RuleStore;
  readonly matcher: Matcher;
  readonly pipeline: ContentPipeline;
  readonly classifier: StanceClassifier;
  readonly measurement: MeasurementService;
  /** Counter-messaging: the library, the redirect lookup, events and campaign figures (issue 20). */
  readonly counter: CounterService;
  readonly deliverer: WebhookDeliverer;
  readonly submissions: SubmissionBatcher;
  /** Refuses submissions while the content backlog is over RASD_MAX_BACKLOG. */
  readonly backlog: BacklogGuard;
  /** Deletes expired media now and then (started with the workers). */
  readonly mediaRetention: MediaRetention;
  readonly metrics: ServiceMetrics;
  readonly shorteners: ShortenerSet;
  readonly startedAt: number;
  /** Signal-change notices between processes (when RASD_NATS_URL is set). */
  readonly bus: SignalBus | undefined;
  /** Work distribution between worker processes (when RASD_NATS_URL is set). */
  readonly work: WorkQueue | undefined;
  /** The Prometheus text for /metrics (replaced when worker threads add theirs). */
  metricsText: () => Promise<string>;
}

export interface ServiceOptions {
  /** Run the hash–match–act and webhook workers in this process (default true). */
  readonly workers?: boolean;
  /** First webhook retry delay (tests shorten it). */
  readonly backoffBaseMs?: number;
  readonly defaultMetrics?: boolean;
  /**
   * How often the matcher polls the change cursor (default 100 ms; with NATS 1 s while
   * notices arrive, 100 ms while they do not; 0: never while they do).
   */
  readonly matcherPollMs?: number;
  /**
   * The matcher's PDQ index when it is not its own: the one shared with pipeline threads
   * (the HTTP thread's), or a replica of it (a pipeline thread's); see shared-pdq.ts.
   */
  readonly pdqIndex?: PdqSignalIndex;
  /** Who answers link fetches' DNS questions (tests map test host names to 127.0.0.1). */
  readonly linkResolve?: LinkHttp["resolve"];
  /** SQLite: false for a pipeline thread's connection (see OpenOptions.syncEachCommit). */
  readonly syncEachCommit?: boolean;
}

export async function openServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const shorteners = loadShorteners(config);
  configureGates(config.media);
  const stores = await openStores(config.databaseUrl, {
    migrate: config.migrate,
    mediaDir: config.mediaDir,
    ...(options.syncEachCommit === false ? { syncEachCommit: false } : {}),
  });
  const { signals: store, content, jobs, actions, reviews } = stores;
  // Webhook secrets are sealed at rest; plain ones from before are sealed now (docs/webhooks.md).
  const secretKey = loadSecretKey(config);
  const rules = new SealedRuleStore(stores.rules, secretKey);
  await rules.sealPlainSecrets();
  const access = new AccessService(stores.access, store);
  const accounts = new AccountService(stores.accounts, access, store);
  // NATS is reached in the background: a process starts (degraded, polling) while it is down.
  const nats = { reconnectMaxMs: config.natsReconnectMaxMs };
  const bus = config.natsUrl
    ? SignalBus.open(config.natsUrl, config.natsPrefix, { ...nats, replicas: config.natsReplicas })
    : undefined;
  const matcher = new Matcher(store, {
    shorteners,
    indexes: options.pdqIndex ? [[PDQ_INDEX, options.pdqIndex]] : [],
    pollMs: bus ? FALLBACK_MATCHER_POLL_MS : (options.matcherPollMs ?? FALLBACK_MATCHER_POLL_MS),
  });
  const metrics = new ServiceMetrics(options.defaultMetrics ?? true);
  const owner = `${hostname()}:${process.pid}`;
  // The database queue hands out work; NATS only wakes idle workers (decision 0013).
  const work = config.natsUrl ? WorkQueue.open(config.natsUrl, config.natsPrefix, nats) : undefined;
  const classifier = await loadServiceClassifier(config.stanceModel, config.stanceOnnx);
  const linkHttp: LinkHttp = {
    ...DEFAULT_LINK_HTTP,
    allowPrivate: config.links.allowPrivate,
    timeoutMs: config.links.timeoutMs,
    maxHops: config.links.maxHops,
    ...(options.linkResolve ? { resolve: options.linkResolve } : {}),
  };
  const expander = new LinkExpander({ links: stores.links, http: linkHttp, shorteners }, config.links.expand);
  const banks = new BankService(store, matcher, shorteners);
  const incidents = new IncidentService({
    incidents: stores.incidents,
    signals: store,
    banks,
    rules,
    audit: stores.access,
    endpoints: stores.endpoints,
  });
  const pipeline = new ContentPipeline(
    {
      content,
      jobs,
      actions,
      rules,
      access,
      signals: store,
      matcher,
      metrics,
      classifier,
      incidents,
      ...(config.links.expand === "off" ? {} : { links: expander }),
    },
    // With work hints, the database poll is only the safety net for lost hints.
    { owner, leaseMs: config.leaseSeconds * 1000, pollMs: work ? 2000 : 50 },
  );
  const hooks = config.webhooks;
  const deliverer = new WebhookDeliverer(
    { content, jobs, actions, endpoints: stores.endpoints, access: stores.access, incidents: stores.incidents },
    rules,
    {
      owner,
      leaseMs: config.leaseSeconds * 1000,
      allowPrivate: config.webhookAllowPrivate,
      perEndpoint: hooks.perEndpoint,
      inFlight: hooks.inFlight,
      disable: { failures: hooks.disableAfterFailures, minMs: hooks.disableAfterMs },
      ...(options.backoffBaseMs ? { backoffBaseMs: options.backoffBaseMs } : {}),
    },
    metrics,
  );
  pipeline.onWebhooks = () => deliverer.wake();
  if (work) pipeline.onLinks = (ids) => work.publish(ids, "links");
  incidents.onAlerts = () => deliverer.wakeAlerts();
  incidents.onShared = () => access.invalidate();
  followNats({ bus, work, matcher, pipeline, metrics }, options.matcherPollMs ?? 1000);
  const submissions = new SubmissionBatcher(content, (ids) => (work ? work.publish(ids) : pipeline.wake()));
  if (bus) {
    banks.onChange = () => bus.changed();
    access.onInvalidate = (what) => bus.changed(what === "keys" ? "keys" : "signals");
  }
  const exchanges = new ExchangeService(
    stores.exchanges,
    banks,
    secretKey,
    { ...DEFAULT_EXCHANGE_HTTP, allowPrivate: config.exchangeAllowPrivate },
    { jobs: stores.jobs, ...(options.backoffBaseMs ? { backoffBaseMs: options.backoffBaseMs } : {}) },
  );
  const liveness = new LinkLiveness(
    {
      links: stores.links,
      signals: store,
      access,
      http: linkHttp,
      shorteners,
      submit: (item) => submissions.submit(item),
    },
    {
      owner,
      checkMs: config.links.checkHours * 3_600_000,
      hostGapMs: config.links.hostGapMs,
      concurrency: config.links.concurrency,
    },
  );
  return {
    config,
    stores,
    store,
    banks,
    links: new LinkService(stores.links, access, store, matcher, expander, liveness),
    exchanges,
    exchangeFetcher: new ExchangeFetcher(exchanges, owner),
    hmaContents: new HmaContentService(stores.hma, store, banks),
    bus,
    work,
    access,
    changes: new ChangeFeed(store, access, () => stores.exchanges.bankIds()),
    accounts,
    dashboard: new DashboardService(stores.dashboard),
    incidents,
    content,
    jobs,
    actions,
    reviews,
    rules,
    matcher,
    pipeline,
    classifier,
    measurement: new MeasurementService(stores.measures, classifier, stores.labels),
    counter: new CounterService(
      {
        store: stores.counter,
        classifier,
        matcher,
        signals: store,
        visibleBankIds: (who) => access.visibleBankIds(who),
      },
      secretKey,
    ),
    deliverer,
    submissions,
    mediaRetention: new MediaRetention(
      { content, media: stores.media },
      { retentionDays: config.mediaRetentionDays, everyMs: config.mediaSweepMinutes * 60_000 },
    ),
    backlog: new BacklogGuard(async () => pendingContent(await jobs.counts()), config.maxBacklog),
    metrics,
    shorteners,
    startedAt: Date.now(),
    metricsText: () => metrics.registry.metrics(),
  };
}

/** Loads the match indexes (and follows other processes' changes), then starts the workers. */
/**
 * `retention`: run the media retention sweep here (default: where the workers run). With
 * pipeline threads it runs on the HTTP thread: it deletes bytes after committing that their
 * items' media expired, so that commit must wait for the disk, which a pipeline thread's do not
 * (decision 0045).
 */
export async function startWorkers(s: Services, workers = true, retention = workers): Promise<void> {
  // A moment for NATS to answer, so that a normal start follows notices from the outset.
  await Promise.race([s.bus?.link.ready, new Promise((r) => setTimeout(r, 2000).unref())]);
  await s.bus?.follow((kinds) => {
    if (kinds.has("keys")) s.access.forgetKeys();
    if (!kinds.has("signals")) return;
    s.access.forget();
    void s.matcher.sync();
  });
  await s.matcher.start();
  // Content disabled until a time is enabled again once it passes (any process may do it).
  s.hmaContents.start(HMA_SWEEP_MS);
  // The redirect path's snapshot of the library, built now and kept up with other processes.
  await s.counter.library.refresh();
  s.counter.library.start();
  if (workers) {
    s.pipeline.start();
    s.deliverer.start();
    s.exchangeFetcher.start();
    s.links.liveness.start();
    s.work?.start(
      () => s.pipeline.wake(),
      () => s.pipeline.wakeLinks(),
    );
  }
  if (retention) s.mediaRetention.start();
}

/**
 * Stops in order — taking work, the batches in hand (finished or released), the matcher,
 * NATS, the database — logging each step's failure and going on; never throws.
 */
export async function closeServices(s: Services): Promise<void> {
  await stopStep("pulling work", () => s.work?.stop());
  await stopStep("the content worker", () => s.pipeline.stop());
  await stopStep("the webhook sender", () => s.deliverer.stop());
  await stopStep("the media retention sweep", () => s.mediaRetention.stop());
  await stopStep("the exchange fetcher", () => s.exchangeFetcher.stop());
  await stopStep("the link checker", () => s.links.liveness.stop());
  s.hmaContents.stop();
  s.counter.library.stop();
  s.matcher.stop();
  await stopStep("the work queue", () => s.work?.close());
  await stopStep("the signal bus", () => s.bus?.close());
  await stopStep("the database", () => s.stores.close());
}
