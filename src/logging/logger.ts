/**
 * The service's log: pino (Fastify's own logger) writing one JSON object per line on stderr,
 * with `level`, `time`, `msg` and structured fields. stdout stays for command results.
 *
 * No secret reaches it. Requests are logged as method, path (never the query string),
 * status and time — no headers, no bodies; fields that hold secrets anywhere near the top
 * of a logged object (authorization, cookie, password, secret, token, key, apiKey) are
 * redacted; errors keep only type, message, code and stack (a pg error's `client` property
 * holds the connection's password); URLs with credentials go through `redactUrl`.
 *
 * One logger per process (or worker thread). Its composition root makes it from
 * configuration with `createLogger` and installs it with `setLogger`; code that logs asks
 * `getLogger(component)` when it logs, so a logger installed later (or a test's) is used.
 * It lives in its own folder because every layer logs; it imports nothing of rasd.
 */

import pino from "pino";

/** The levels `--log-level` accepts, from the fewest lines to the most ("silent": none). */
export const LOG_LEVELS = ["silent", "fatal", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type Logger = pino.Logger;
/** Where lines go: anything with `write(line)` (tests capture them). */
export type LogDestination = pino.DestinationStream;

/** What a redacted value is replaced with. */
const REDACTED = "[redacted]";

/** Field names whose values are secrets wherever they appear in a logged object. */
const SECRET_FIELDS = ["authorization", "cookie", '["set-cookie"]', "password", "secret", "token", "key", "apiKey"];
const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  ...SECRET_FIELDS.flatMap((f) =>
    f.startsWith("[") ? [f, `*${f}`, `*.headers${f}`] : [f, `*.${f}`, `*.headers.${f}`],
  ),
];
/** How deep an error's causes are followed. */
const MAX_CAUSE_DEPTH = 3;

export interface LoggerOptions {
  /** Default "info". */
  readonly level?: LogLevel;
  /** Default stderr (written synchronously, so the last lines before an exit are kept). */
  readonly destination?: LogDestination;
}

/**
 * Makes a logger: JSON lines at `level` and above, secrets redacted.
 * @example createLogger({ level: config.logLevel }).info({ port }, "listening")
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: "rasd",
      level: options.level ?? "info",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { req: requestFields, res: responseFields, err: errorFields },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

let current: Logger | undefined;

/**
 * The process's logger (stderr at "info" until one is installed), as a child naming the
 * `component` that logs.
 * @example getLogger("webhook worker").error({ err }, "delivery failed")
 */
export function getLogger(component?: string): Logger {
  current ??= createLogger();
  return component === undefined ? current : current.child({ component });
}

/** Installs the process's logger; returns the one it replaces (undefined: the default). */
export function setLogger(logger: Logger | undefined): Logger | undefined {
  const previous = current;
  current = logger;
  return previous;
}

/**
 * A URL (a database URL, a webhook target) fit for a log line: its password and the values
 * of its query parameters replaced. Text that is not a URL (a file path) is returned as is.
 * @example redactUrl("postgres://rasd:hunter2@db/rasd") // "postgres://rasd:[redacted]@db/rasd"
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.password === "" && url.search === "") return text;
  const user = url.username === "" ? "" : `${url.username}${url.password === "" ? "" : `:${REDACTED}`}@`;
  const query = [...url.searchParams.keys()].map((k) => `${k}=${REDACTED}`).join("&");
  const host = url.host === "" ? "" : `//${user}${url.host}`;
  return `${url.protocol}${host}${url.pathname}${query ? `?${query}` : ""}`;
}

/** A request in a log line: method and path only (the query string may carry what was searched for). */
function requestFields(req: { method?: string; url?: string }): { method?: string; url?: string } {
  return { method: req.method, url: req.url?.split("?")[0] };
}

/** A reply in a log line: its status only. */
function responseFields(res: { statusCode?: number }): { statusCode?: number } {
  return { statusCode: res.statusCode };
}

/** An error in a log line: type, message, code and stack, and its causes; no other property. */
function errorFields(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  const fields: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  if (typeof code === "string" || typeof code === "number") fields.code = code;
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) fields.cause = errorFields(error.cause, depth + 1);
  if (error instanceof AggregateError && depth < MAX_CAUSE_DEPTH)
    fields.errors = (error.errors as unknown[]).slice(0, MAX_CAUSE_DEPTH).map((e) => errorFields(e, depth + 1));
  return fields;
}
