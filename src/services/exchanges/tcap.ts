/**
 * The `tat` exchange API: Tech Against Terrorism's TCAP (Terrorist Content Analytics Platform)
 * hash list, read as python-threatexchange's `tat` exchange reads it
 * (threatexchange/exchanges/clients/techagainstterrorism/api.py): a JWT from
 * `POST token-auth/tcap/` (form fields `username`, `password`, `resend`), then
 * `GET api/hash-list/v2/all?order=asc&after=<checkpoint>` with it as a bearer token. A page
 * answers `count`, `next`, `previous`, `checkpoint` ("<updated_on>,<id>" of its last entry) and
 * `results`: entries of `id`, `hash_digest`, `algorithm` (`PDQ`, `MD5`), `file_type`, `ideology`,
 * `deleted`, `updated_on`, `created_on`.
 *
 * rasd pages by the checkpoint alone (each step asks `after=` the last page's checkpoint; `next`
 * only says there is more), so a crash resumes exactly and the token is never sent to a URL the
 * remote names. `PDQ` → `pdq`; `MD5` of a video file type → `video_md5` (as pytx), of another file
 * → `md5` (rasd holds any file's MD5; pytx drops these); other algorithms are skipped. `deleted`
 * retracts. The ideology becomes an entity label.
 *
 * TCAP cannot be reached from where rasd was built and its API documentation is not public:
 * the field names are python-threatexchange's, and this client is tested only against a
 * loopback server answering hand-written pages of those shapes (test/services/exchange-peers.test.ts).
 */

import { RasdError } from "../../core/errors.js";
import type { SignalType } from "../../core/model.js";
import type { ExchangeApi, FetchContext, FetchStep, FetchedItem, JsonSchema } from "./api.js";
import { baseUrl, getJson, postFormJson } from "./http.js";
import { checkFields, optionalPositiveInt } from "./settings.js";

export const TCAP_DEFAULT_URL = "https://app.terrorismanalytics.org/";
const TOKEN_PATH = "token-auth/tcap/";
const LIST_PATH = "api/hash-list/v2/all";
/** pytx's video file types: an MD5 of one of these is a `video_md5`. */
const VIDEO_FILE_TYPES: ReadonlySet<string> = new Set(["mov", "m4v", "mp4", "webm"]);
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const CONFIG: JsonSchema = {
  type: "object",
  properties: {
    url: { type: "string", description: `TCAP's base URL (default ${TCAP_DEFAULT_URL})` },
    interval_seconds: { type: "integer", description: "Seconds between fetches once up to date (default 60)" },
  },
  required: [],
};

const CREDENTIALS: JsonSchema = {
  type: "object",
  properties: {
    username: { type: "string", description: "The TCAP hash list API user" },
    password: { type: "string", description: "The TCAP hash list API password" },
  },
  required: ["username", "password"],
};

interface Entry {
  id?: unknown;
  hash_digest?: unknown;
  algorithm?: unknown;
  file_type?: unknown;
  ideology?: unknown;
  deleted?: unknown;
  updated_on?: unknown;
  created_on?: unknown;
}

interface Page {
  count?: unknown;
  next?: unknown;
  checkpoint?: unknown;
  results?: unknown;
}

function signalType(e: Entry): SignalType | undefined {
  if (e.algorithm === "PDQ") return "pdq";
  if (e.algorithm === "MD5") return VIDEO_FILE_TYPES.has(String(e.file_type ?? "").toLowerCase()) ? "video_md5" : "md5";
  return undefined;
}

/** Unix seconds (a number or a numeric string) or an ISO date, in milliseconds. */
function millis(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v * 1000;
  if (typeof v !== "string") return undefined;
  const t = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/** The checkpoint's time ("1704085200.5,124" → its first part), in milliseconds. */
function checkpointMillis(checkpoint: string): number | null {
  return millis(checkpoint.split(",")[0]) ?? null;
}

export const tcapExchangeApi: ExchangeApi = {
  name: "tat",
  supported: true,
  description:
    "Tech Against Terrorism's TCAP hash list (python-threatexchange's tat API; tested against fixtures only)",
  configSchema: CONFIG,
  credentialsSchema: CREDENTIALS,
  parseConfig(json) {
    checkFields(json, CONFIG, "api_json");
    const interval = optionalPositiveInt(json.interval_seconds, "api_json.interval_seconds");
    return {
      url: json.url === undefined ? TCAP_DEFAULT_URL : baseUrl(json.url, "api_json.url"),
      ...(interval !== undefined ? { interval_seconds: interval } : {}),
    };
  },
  async fetchStep(ctx: FetchContext): Promise<FetchStep> {
    const c = ctx.credentials;
    if (!c?.username || !c.password) throw new RasdError("invalid", "no credentials: set username and password");
    const base = String(ctx.config.url);
    const auth = (await postFormJson(new URL(TOKEN_PATH, base).href, ctx.http, {
      username: c.username,
      password: c.password,
      resend: "False",
    })) as { token?: unknown } | null;
    if (typeof auth?.token !== "string" || auth.token === "")
      throw new RasdError("fetch.status", `${new URL(base).host}: token-auth answered no token`);
    const url = new URL(LIST_PATH, base);
    url.searchParams.set("order", "asc");
    url.searchParams.set("after", ctx.checkpoint ?? "");
    const page = (await getJson(url.href, ctx.http, { authorization: `Bearer ${auth.token}` })) as Page | null;
    if (typeof page !== "object" || page === null || !Array.isArray(page.results))
      throw new RasdError("fetch.status", `${url.host}: not a TCAP hash list page`);
    const items: FetchedItem[] = [];
    const skipped: string[] = [];
    for (const e of page.results as Entry[]) {
      const type = signalType(e);
      if (!type || typeof e.hash_digest !== "string") {
        skipped.push(`entry ${String(e.id)}: algorithm ${String(e.algorithm)} is not held by rasd`);
        continue;
      }
      const ideology = typeof e.ideology === "string" ? e.ideology.toLowerCase() : "";
      const created = millis(e.created_on);
      const updated = millis(e.updated_on);
      items.push({
        type,
        value: e.hash_digest,
        status: e.deleted === true ? "retracted" : "active",
        ...(SLUG.test(ideology) && ideology !== "all" ? { labels: { entity: [ideology] } } : {}),
        origin: `TCAP hash list entry ${String(e.id)}${typeof e.file_type === "string" ? ` (${e.file_type})` : ""}`,
        ...(created !== undefined ? { firstSeen: created } : {}),
        ...(updated !== undefined ? { lastSeen: updated } : {}),
      });
    }
    const checkpoint = typeof page.checkpoint === "string" && page.checkpoint !== "" ? page.checkpoint : ctx.checkpoint;
    const more = typeof page.next === "string" && page.next !== "" && checkpoint !== ctx.checkpoint;
    return {
      items,
      skipped,
      checkpoint,
      checkpointAt: checkpoint === null ? null : checkpointMillis(checkpoint),
      more,
    };
  },
};
