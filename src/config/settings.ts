/**
 * The one settings table: every setting with its option, environment variable and default,
 * as Markdown cells. `docs/configuration.md`'s tables are generated from it
 * (`npm run docs:config`, scripts/gen-config-doc.ts) and tests fail when the committed page
 * differs, or when a RASD_ variable read in src/ or an option of `rasd serve`, `worker` or
 * `migrate` is missing here. config.ts parses the values; this file says what they mean.
 *
 * Adding a setting: a row here (in its section), then `npm run docs:config`.
 */

/** The tables of docs/configuration.md, in the order of the page. */
export const SETTINGS_SECTIONS = ["general", "service", "processes", "media"] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

export interface Setting {
  readonly section: SettingsSection;
  /** What it sets, in words. */
  readonly setting: string;
  /** The command-line option (Markdown), "" for none. */
  readonly option: string;
  /** The environment variable (Markdown), "" for none. */
  readonly env: string;
  /** The default and what other values mean (Markdown). */
  readonly default: string;
}

export const SETTINGS: readonly Setting[] = [
  {
    section: "general",
    setting: "data folder",
    option: "`--data DIR`",
    env: "`RASD_DATA`",
    default: "`./data`",
  },
  {
    section: "general",
    setting: "database",
    option: "`--db URL`",
    env: "`RASD_DATABASE_URL`",
    default: "`sqlite:DATA/rasd.db` (embedded SQLite, WAL, `synchronous=FULL`)",
  },
  {
    section: "general",
    setting: "URL-shortener list",
    option: "`--shorteners FILE`",
    env: "`RASD_SHORTENERS`",
    default:
      "a built-in list of about 40; a file adds to it (one domain per line, `#` comments — e.g. the PeterDaveHello/url-shorteners list)",
  },
  {
    section: "general",
    setting: "SQLite durability (`PRAGMA synchronous`)",
    option: "",
    env: "`RASD_SQLITE_SYNC`",
    default:
      "`FULL`: a committed transaction survives power loss; `NORMAL` survives a process crash only (benchmarks). Unset, pipeline threads commit with `NORMAL` (what they write is redone if lost; decision 0045)",
  },
  {
    section: "general",
    setting: "PDQ kernel",
    option: "",
    env: "`RASD_PDQ_KERNEL`",
    default:
      "the WebAssembly SIMD kernel when it loads, else TypeScript; `simd` requires it, `js` uses TypeScript (same bits, decision 0011)",
  },
  {
    section: "general",
    setting: "hand-labelled texts for `rasd train`",
    option: "`--shared DIR`",
    env: "`RASD_SHARED`",
    default: "the `shared` folder beside the rasd checkout",
  },
  {
    section: "service",
    setting: "listen address",
    option: "`--host`",
    env: "`RASD_HOST`",
    default: "`127.0.0.1`",
  },
  {
    section: "service",
    setting: "port",
    option: "`--port`",
    env: "`RASD_PORT`",
    default: "`8080`",
  },
  {
    section: "service",
    setting: "requests per API key or session",
    option: "`--rate-limit R[:B]`",
    env: "`RASD_RATE_LIMIT`",
    default: "`2000:40000` (2,000/s sustained, bursts of 40,000); `R` alone bursts to `2R`; see `access-control.md`",
  },
  {
    section: "service",
    setting: "requests per person (all keys, sessions)",
    option: "`--rate-limit-person R[:B]`",
    env: "`RASD_RATE_LIMIT_PERSON`",
    default: "the per-key limit",
  },
  {
    section: "service",
    setting: "requests per organisation",
    option: "`--rate-limit-org R[:B]`",
    env: "`RASD_RATE_LIMIT_ORG`",
    default: "`5000:100000`",
  },
  {
    section: "service",
    setting: "failed authentications per address",
    option: "",
    env: "`RASD_RATE_LIMIT_FAILED_AUTH`",
    default: "`5:50` (429 before the credential is looked up)",
  },
  {
    section: "service",
    setting: "sign-ins (`POST /v1/session`) per address",
    option: "",
    env: "`RASD_RATE_LIMIT_SIGN_IN`",
    default: "`2:20`",
  },
  {
    section: "service",
    setting: "trusted proxies (`X-Forwarded-For`)",
    option: "`--trust-proxy LIST`",
    env: "`RASD_TRUST_PROXY`",
    default:
      "none: the peer's address is the client's; `LIST` is addresses, CIDRs (`10.0.0.0/8`) or `loopback`, `linklocal`, `uniquelocal`, comma-separated",
  },
  {
    section: "service",
    setting: "webhook targets on private addresses or `http://`",
    option: "",
    env: "`RASD_WEBHOOK_ALLOW_PRIVATE=1`",
    default: "refused when a rule is saved and at delivery (loopback, RFC 1918, link-local, metadata, …)",
  },
  {
    section: "service",
    setting: "webhook deliveries in flight per endpoint",
    option: "",
    env: "`RASD_WEBHOOK_CONCURRENCY`",
    default: "`8` (an endpoint: an organisation's target origin; `webhooks.md`)",
  },
  {
    section: "service",
    setting: "webhook jobs held by one worker",
    option: "",
    env: "`RASD_WEBHOOK_IN_FLIGHT`",
    default: "`1024`",
  },
  {
    section: "service",
    setting: "disable an endpoint after N failures in a row…",
    option: "",
    env: "`RASD_WEBHOOK_DISABLE_AFTER`",
    default: "`20`",
  },
  {
    section: "service",
    setting: "…spanning at least M minutes",
    option: "",
    env: "`RASD_WEBHOOK_DISABLE_MINUTES`",
    default: "`15`",
  },
  {
    section: "service",
    setting: "a rotated webhook secret still signs for",
    option: "",
    env: "`RASD_WEBHOOK_ROTATION_OVERLAP_HOURS`",
    default: "`24` hours",
  },
  {
    section: "service",
    setting: "master key sealing webhook secrets",
    option: "",
    env: "`RASD_SECRET_KEY` (base64 of 32 bytes)",
    default: "`secret.key` in the data folder, made with mode 0600; set it when several processes share PostgreSQL",
  },
  {
    section: "service",
    setting: "`/h/hash?url=` from private addresses",
    option: "",
    env: "`RASD_FETCH_ALLOW_PRIVATE=1`",
    default: "refused",
  },
  {
    section: "service",
    setting: "exchanges fetching from private addresses or `http://` peers",
    option: "",
    env: "`RASD_EXCHANGE_ALLOW_PRIVATE=1`",
    default: "refused (loopback, RFC 1918, link-local, metadata, …; `exchanges.md`)",
  },
  {
    section: "service",
    setting: "what opinions leaving this instance (change feed, TAXII, exports) say of their organisation",
    option: "",
    env: "`RASD_OPINION_ORGS`",
    default: "`named`: its id and name; `anonymous`: neither (`exchanges.md`, decision 0042)",
  },
  {
    section: "service",
    setting: "submitted links followed (expanded) in the pipeline",
    option: "",
    env: "`RASD_LINK_EXPAND`",
    default: "`shorteners`: links on shortener hosts; `all`: every link; `off`: none (`links.md`)",
  },
  {
    section: "service",
    setting: "hours between liveness checks of a banked link",
    option: "",
    env: "`RASD_LINK_CHECK_HOURS`",
    default: "`24` (±10% jitter; after an error sooner, backing off exponentially)",
  },
  {
    section: "service",
    setting: "least time between two requests to one host (all workers)",
    option: "",
    env: "`RASD_LINK_HOST_GAP_MS`",
    default: "`2000`; a host's 429 Retry-After holds it longer",
  },
  {
    section: "service",
    setting: "links a worker checks at once (each on another host)",
    option: "",
    env: "`RASD_LINK_CONCURRENCY`",
    default: "`8`",
  },
  {
    section: "service",
    setting: "time limit of one link request; requests in one redirect chain",
    option: "",
    env: "`RASD_LINK_TIMEOUT_MS`, `RASD_LINK_MAX_HOPS`",
    default: "`10000` ms; `10` requests",
  },
  {
    section: "service",
    setting: "link checks and expansion on private addresses (tests only)",
    option: "",
    env: "`RASD_LINK_ALLOW_PRIVATE=1`",
    default: "refused (loopback, RFC 1918, link-local, metadata, …; `links.md`)",
  },
  {
    section: "service",
    setting: "stance model file",
    option: "",
    env: "`RASD_STANCE_MODEL=FILE`",
    default: "`models/stance-v2.bin`, shipped with rasd (`rasd train` makes one)",
  },
  {
    section: "service",
    setting: "ONNX stance models per language",
    option: "",
    env: "`RASD_STANCE_ONNX=en=FILE.onnx[,ar=FILE.onnx]`",
    default:
      "none: the stance model file serves Arabic and English; with a file for a language, texts in it go to that ONNX model (run by onnxruntime-node; decision 0030)",
  },
  {
    section: "service",
    setting: "what this process does",
    option: "`--roles R`",
    env: "",
    default:
      "`api,worker`; `api` serves the HTTP API only, `worker` runs hash – match – act and webhooks only (as `rasd worker`)",
  },
  {
    section: "service",
    setting: "pipeline worker threads",
    option: "`--pipeline-threads N`",
    env: "`RASD_PIPELINE_THREADS`",
    default: "`1`: hash – match – act and webhooks on a thread of their own (0: on the HTTP thread; up to 64)",
  },
  {
    section: "service",
    setting: "pending items beyond which submissions wait",
    option: "",
    env: "`RASD_MAX_BACKLOG`",
    default:
      "`100000` content jobs queued or running (counted in the database, every 250 ms at most); beyond, `POST /v1/content` and `/v1/content/batch` get 503 `busy.backlog` with `retry-after: 2`; `0`: no limit",
  },
  {
    section: "service",
    setting: "migrate the database on start",
    option: "`--no-migrate`",
    env: "`RASD_MIGRATE=0`",
    default: "migrate; with either, refuse a database `rasd migrate` has not prepared",
  },
  {
    section: "service",
    setting: "a worker's `/metrics` and `/status/*` port",
    option: "`--metrics-port P` (`rasd worker`, `serve --roles worker`)",
    env: "`RASD_WORKER_PORT`",
    default: "`9464` on `RASD_HOST`; `0`: none. Unauthenticated: keep it on the private network (see `deploy.md`)",
  },
  {
    section: "service",
    setting: "sample data on an empty database",
    option: "`--demo`",
    env: "",
    default: "off",
  },
  {
    section: "service",
    setting: "request log (one line per request)",
    option: "`--log`",
    env: "",
    default: "off",
  },
  {
    section: "service",
    setting: "log level (JSON lines on stderr)",
    option: "`--log-level L`",
    env: "`RASD_LOG_LEVEL`",
    default: "`info`; also `trace`, `debug`, `warn`, `error`, `fatal`, `silent`",
  },
  {
    section: "service",
    setting: "TLS certificate (PEM, chain)",
    option: "`--tls-cert F`",
    env: "`RASD_TLS_CERT`",
    default: "none: plain HTTP. With `--tls-key`, HTTPS and HSTS",
  },
  {
    section: "service",
    setting: "TLS private key (PEM)",
    option: "`--tls-key F`",
    env: "`RASD_TLS_KEY`",
    default: "none; both or neither, checked as a pair at start-up",
  },
  {
    section: "service",
    setting: "image decodes at once (per thread)",
    option: "",
    env: "`RASD_DECODE_CONCURRENCY`",
    default: "`2`",
  },
  {
    section: "service",
    setting: "video hashes at once (per thread)",
    option: "",
    env: "`RASD_VIDEO_CONCURRENCY`",
    default: "`2`",
  },
  {
    section: "service",
    setting: "requests waiting for a media slot",
    option: "",
    env: "`RASD_MEDIA_QUEUE`",
    default: "`4` per gate; more get 503 `busy.decode` / `busy.video`",
  },
  {
    section: "service",
    setting: "longest wait for a media slot",
    option: "",
    env: "`RASD_MEDIA_WAIT_MS`",
    default: "`2000`; then 503 with `retry-after: 2` (pipeline jobs just wait)",
  },
  {
    section: "service",
    setting: "decoding budget per image",
    option: "",
    env: "`RASD_MAX_DECODED_MIB`",
    default: "`256` (width × height × channels × bytes per sample, from header)",
  },
  {
    section: "processes",
    setting: "NATS server (signal-change notices, wake-ups for workers)",
    option: "",
    env: "`RASD_NATS_URL`",
    default: "none: changes polled every 100 ms, work found by polling the database",
  },
  {
    section: "processes",
    setting: "NATS subject and stream prefix",
    option: "",
    env: "`RASD_NATS_PREFIX`",
    default: "`rasd` (one per deployment sharing a NATS server)",
  },
  {
    section: "processes",
    setting: "replicas of the JetStream streams rasd creates (kept in step on start)",
    option: "",
    env: "`RASD_NATS_REPLICAS`",
    default: "`1` (3 or 5 on a NATS cluster)",
  },
  {
    section: "processes",
    setting: "longest wait between NATS connection attempts",
    option: "",
    env: "`RASD_NATS_RECONNECT_MAX_MS`",
    default:
      "`5000`: attempts start 250 ms apart, doubling up to this, jittered; never given up, also when NATS is down at start",
  },
  {
    section: "processes",
    setting: "job lease",
    option: "",
    env: "`RASD_LEASE_SECONDS`",
    default:
      "`10`, timed by the database's clock (a dead worker's jobs run again after this; content jobs are renewed every quarter of it, webhook jobs every half)",
  },
  {
    section: "processes",
    setting: "hard deadline for stopping",
    option: "",
    env: "`RASD_SHUTDOWN_SECONDS`",
    default:
      "`30`: after SIGTERM/SIGINT a process still stopping then exits with status 1 (a second signal exits at once); 0 means the default",
  },
  {
    section: "media",
    setting: "media store (submitted images and videos)",
    option: "",
    env: "`RASD_MEDIA_DIR`",
    default: "`DATA/media` (0700; files 0600, named by SHA-256); a shared folder when several processes run",
  },
  {
    section: "media",
    setting: "media kept after an item is processed",
    option: "`--retention-days N` (`rasd media sweep`)",
    env: "`RASD_MEDIA_RETENTION_DAYS`",
    default:
      "`90` days, longer while an open or escalated review or an unanswered complaint holds it; `0`: for ever. Hashes, matches and decisions are kept",
  },
  {
    section: "media",
    setting: "minutes between a worker's retention sweeps",
    option: "",
    env: "`RASD_MEDIA_SWEEP_MINUTES`",
    default: "`60` (the first a minute after start)",
  },
];
