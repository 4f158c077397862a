/**
 * The `rasd` exchange API: another rasd's change feed (GET /v1/changes), read with a bearer
 * key of the other instance. The remote answers only what the key's organisation may see
 * (its TLP rules); each change carries its bank's marking, kept on the item so the fetcher
 * withholds what the local bank may not hold. The checkpoint is the feed's cursor; a
 * retraction arrives as a tombstone. The background fetcher long-polls (`wait`): the remote
 * holds the request until a change comes (or LONG_POLL_SECONDS pass) and the exchange is asked
 * again at once, so a retraction at the remote reaches here within about a second, not an
 * interval. A remote too old to know `wait` (400) is polled every interval instead. A mirrored bank is never in the remote's own feed
 * (loops), so what comes is the remote's own. Each change brings the signal's standing opinions
 * (the whole set, so one taken back is absent), less this side's own (decision 0042); an opinion
 * given here of a mirrored signal goes back to the remote (ExchangeService.relayOpinion).
 */

import { RasdError } from "../../core/errors.js";
import { OPINION_KINDS, TLP_MARKINGS, type OpinionKind, type Tlp } from "../../core/model.js";
import type { ExchangeApi, FetchContext, FetchStep, FetchedItem, FetchedOpinion, JsonSchema } from "./api.js";
import { RemoteStatusError, baseUrl, getJson } from "./http.js";
import { checkFields, optionalPositiveInt } from "./settings.js";
import { isSignalType } from "../../signals/registry.js";

const PAGE = 500;
/** How long the remote may hold a background fetch (its limit is 25 s; the HTTP timeout 30 s). */
export const LONG_POLL_SECONDS = 20;

const CONFIG: JsonSchema = {
  type: "object",
  properties: {
    url: { type: "string", description: "The other rasd's base URL (https://rasd.example.org/)" },
    bank_id: { type: "integer", description: "Only this remote bank (default: every bank the key may see)" },
    interval_seconds: {
      type: "integer",
      description:
        "Seconds between fetches once up to date (default 60; with long_poll, only after a failure to long-poll)",
    },
    long_poll: {
      type: "boolean",
      description:
        "Hold a fetch open at the remote until it has a change (default true; false for a rasd without `wait`)",
    },
  },
  required: ["url"],
};

const CREDENTIALS: JsonSchema = {
  type: "object",
  properties: { api_key: { type: "string", description: "An API key of the other rasd (reader role suffices)" } },
  required: ["api_key"],
};

interface Change {
  seq: number;
  signal: {
    id: number;
    bank_id: number;
    type: string;
    value: string;
    quality: number | null;
    labels: { entity?: string[]; behaviour?: string[]; language?: string[] };
    confidence: number;
    source: string;
    status: string;
    first_seen: string;
    last_seen: string;
  };
  /** Standing opinions (a rasd before decision 0042 sends no id nor org_name). */
  opinions?: {
    id?: number;
    org_id: number | null;
    org_name?: string | null;
    kind: string;
    note: string;
    updated_at: string;
  }[];
}

interface ChangesAnswer {
  changes: Change[];
  caller_org_id?: number;
  cursor: number;
  more: boolean;
  banks: { id: number; org_id: number; name: string; tlp: string; deleted: boolean }[];
}

function isAnswer(v: unknown): v is ChangesAnswer {
  const o = v as ChangesAnswer;
  return (
    typeof o === "object" &&
    o !== null &&
    Array.isArray(o.changes) &&
    typeof o.cursor === "number" &&
    typeof o.more === "boolean" &&
    Array.isArray(o.banks)
  );
}

const time = (iso: string): number | undefined => {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
};

/**
 * A change's opinions as this side keeps them: the whole standing set (a retracted one is
 * absent), less the caller's own organisation's (it gave them from here: decision 0042).
 */
function remoteOpinions(c: Change, callerOrgId: number | undefined): FetchedOpinion[] {
  const out: FetchedOpinion[] = [];
  for (const o of c.opinions ?? []) {
    if (!(OPINION_KINDS as readonly string[]).includes(o.kind)) continue;
    if (callerOrgId !== undefined && o.org_id === callerOrgId) continue;
    const at = time(o.updated_at) ?? Date.now();
    out.push({
      key: o.id !== undefined ? `opinion ${o.id}` : `org ${String(o.org_id)}`,
      orgName: typeof o.org_name === "string" ? o.org_name : null,
      kind: o.kind as OpinionKind,
      note: typeof o.note === "string" ? o.note.slice(0, 2000) : "",
      updatedAt: at,
    });
  }
  return out;
}

export const rasdExchangeApi: ExchangeApi = {
  name: "rasd",
  supported: true,
  description: "Another rasd's change feed (GET /v1/changes) with a key of that instance",
  configSchema: CONFIG,
  credentialsSchema: CREDENTIALS,
  parseConfig(json) {
    checkFields(json, CONFIG, "api_json");
    const bankId = optionalPositiveInt(json.bank_id, "api_json.bank_id");
    const interval = optionalPositiveInt(json.interval_seconds, "api_json.interval_seconds");
    if (json.long_poll !== undefined && typeof json.long_poll !== "boolean")
      throw new RasdError("invalid", "api_json.long_poll: must be true or false");
    return {
      url: baseUrl(json.url, "api_json.url"),
      ...(json.long_poll === false ? { long_poll: false } : {}),
      ...(bankId !== undefined ? { bank_id: bankId } : {}),
      ...(interval !== undefined ? { interval_seconds: interval } : {}),
    };
  },
  async fetchStep(ctx: FetchContext): Promise<FetchStep> {
    const key = ctx.credentials?.api_key;
    if (!key) throw new RasdError("invalid", "no credentials: set api_key (rasd exchange add --credentials)");
    const cursor = ctx.checkpoint === null ? 0 : Number(ctx.checkpoint);
    const url = new URL("v1/changes", String(ctx.config.url));
    url.searchParams.set("cursor", String(cursor));
    url.searchParams.set("limit", String(PAGE));
    if (ctx.config.bank_id !== undefined) url.searchParams.set("bank_id", String(ctx.config.bank_id));
    const auth = { authorization: `Bearer ${key}` };
    // The first fetch answers at once (its status shows the link works); later ones wait.
    let longPoll = ctx.background === true && ctx.config.long_poll !== false;
    let answer: unknown;
    if (longPoll && ctx.checkpoint === null) answer = await getJson(url.href, ctx.http, auth);
    else if (longPoll) {
      const waiting = new URL(url);
      waiting.searchParams.set("wait", String(LONG_POLL_SECONDS));
      const http = { ...ctx.http, timeoutMs: Math.max(ctx.http.timeoutMs, (LONG_POLL_SECONDS + 10) * 1000) };
      try {
        answer = await getJson(waiting.href, http, auth);
      } catch (e) {
        if (!(e instanceof RemoteStatusError && e.status === 400)) throw e;
        longPoll = false;
      }
    }
    if (!longPoll) answer = await getJson(url.href, ctx.http, auth);
    if (!isAnswer(answer)) throw new RasdError("fetch.status", `${url.origin}: not a rasd change feed`);
    const banks = new Map(answer.banks.map((b) => [b.id, b]));
    const items: FetchedItem[] = [];
    const skipped: string[] = [];
    for (const c of answer.changes) {
      const s = c.signal;
      if (!isSignalType(s.type)) {
        skipped.push(`signal ${s.id}: type ${s.type} unknown here`);
        continue;
      }
      const bank = banks.get(s.bank_id);
      const tlp = (TLP_MARKINGS as readonly string[]).includes(bank?.tlp ?? "")
        ? (bank!.tlp as Tlp)
        : ("AMBER+STRICT" as Tlp);
      const firstSeen = time(s.first_seen);
      const lastSeen = time(s.last_seen);
      items.push({
        type: s.type,
        value: s.value,
        status: s.status === "retracted" || bank?.deleted === true ? "retracted" : "active",
        labels: s.labels,
        confidence: s.confidence,
        quality: s.quality,
        origin: `${url.host} bank ${bank ? bank.name : s.bank_id} signal ${s.id}`,
        tlp,
        ...(firstSeen !== undefined ? { firstSeen } : {}),
        ...(lastSeen !== undefined ? { lastSeen } : {}),
        opinions: remoteOpinions(c, answer.caller_org_id),
        opinionsComplete: true,
      });
    }
    return {
      items,
      skipped,
      checkpoint: String(answer.cursor),
      checkpointAt: Date.now(),
      more: answer.more,
      ...(longPoll ? { nextFetchMs: 0 } : {}),
    };
  },
};
