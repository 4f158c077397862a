/**
 * The `fb_threatexchange` exchange API: Meta's ThreatExchange `threat_updates` of a privacy
 * group, as python-threatexchange's fb_threatexchange API reads them (Graph API
 * `/<privacy_group>/threat_updates` with `start_time`, paged by `paging.cursors.after`, each
 * item's `should_delete` a retraction). The checkpoint is the newest `last_updated` seen (as
 * pytx's ThreatUpdateCheckpoint) and, while paging, the page's `after` cursor; the access
 * token is never stored in it. With `reactions` on, each update's descriptors' reactions
 * (ThreatExchange's "React to Existing Data": a map from ReactionType to the apps that reacted)
 * become opinions from elsewhere, one per reacting app (REACTION_OPINIONS says what maps to
 * what; decision 0048); this app's own reactions are left out. Facebook cannot be reached from
 * where rasd was built: this client is tested against a loopback server answering hand-written
 * fixtures of the documented shapes (test/services/exchanges.test.ts,
 * test/services/exchange-opinion-gaps.test.ts).
 */

import { RasdError } from "../../core/errors.js";
import type { OpinionKind, SignalType } from "../../core/model.js";
import type { ExchangeApi, FetchContext, FetchStep, FetchedItem, FetchedOpinion, JsonSchema } from "./api.js";
import { baseUrl, getJson } from "./http.js";
import { checkFields, optionalPositiveInt } from "./settings.js";

const DEFAULT_GRAPH_URL = "https://graph.facebook.com/v14.0/";
const PAGE = 500;
const FIELDS = "id,indicator,type,creation_time,last_updated,should_delete,tags,status";
/** Asked for too with `reactions`: each descriptor's reactions and who gave it. */
const REACTION_FIELDS = "descriptors{id,owner{id,name},reactions}";

/**
 * ThreatExchange's ReactionType as a rasd opinion kind (decision 0048). Reactions that are
 * receipts or requests (INGESTED, IN_REVIEW, REVIEWED, ALREADY_KNOWN, WANT_MORE_INFO) and
 * OUTDATED (expiry, not a verdict on the content) carry no opinion. An app with several
 * reactions counts once, by the first of REACTION_ORDER it gave.
 */
export const REACTION_OPINIONS: Readonly<Record<string, OpinionKind>> = {
  NON_MALICIOUS: "false-positive",
  NOT_HELPFUL: "false-positive",
  DISAGREE_WITH_TAGS: "dispute",
  HELPFUL: "confirm",
  SAW_THIS_TOO: "saw-it-too",
};
const REACTION_ORDER = Object.keys(REACTION_OPINIONS);

/** The documented map (ReactionType → apps) or a Graph-style list of {key, value} pairs. */
function reactionPairs(v: unknown): [string, unknown][] {
  if (Array.isArray(v))
    return v
      .filter((p): p is { key: unknown; value: unknown } => typeof p === "object" && p !== null && "key" in p)
      .map((p) => [String(p.key), p.value]);
  return typeof v === "object" && v !== null ? Object.entries(v) : [];
}

/** Apps as the Graph API gives them: objects with an id (and a name), or bare ids. */
function appsOf(v: unknown): { id: string; name: string | null }[] {
  const list = Array.isArray(v)
    ? v
    : typeof v === "object" && v !== null && Array.isArray((v as { data?: unknown }).data)
      ? (v as { data: unknown[] }).data
      : [v];
  const out: { id: string; name: string | null }[] = [];
  for (const a of list) {
    if (typeof a === "string" || typeof a === "number") out.push({ id: String(a), name: null });
    else if (typeof a === "object" && a !== null && (a as { id?: unknown }).id !== undefined)
      out.push({
        id: String((a as { id: unknown }).id),
        name: typeof (a as { name?: unknown }).name === "string" ? (a as { name: string }).name : null,
      });
  }
  return out;
}

/** An update's reactions as opinions, one per reacting app other than `self`. */
export function reactionOpinions(u: Record<string, unknown>, self: string | undefined, at: number): FetchedOpinion[] {
  const sources: unknown[] = [u.reactions];
  const descriptors = (u.descriptors as { data?: unknown } | undefined)?.data ?? u.descriptors;
  if (Array.isArray(descriptors))
    for (const d of descriptors)
      if (typeof d === "object" && d !== null) sources.push((d as { reactions?: unknown }).reactions);
  const byApp = new Map<string, { name: string | null; kinds: Set<string> }>();
  for (const r of sources)
    for (const [reaction, apps] of reactionPairs(r)) {
      if (REACTION_OPINIONS[reaction] === undefined) continue;
      for (const app of appsOf(apps)) {
        if (app.id === self) continue;
        const e = byApp.get(app.id) ?? { name: app.name, kinds: new Set<string>() };
        e.kinds.add(reaction);
        e.name ??= app.name;
        byApp.set(app.id, e);
      }
    }
  return [...byApp].map(([id, e]) => {
    const reaction = REACTION_ORDER.find((r) => e.kinds.has(r))!;
    return {
      key: `app ${id}`,
      orgName: e.name,
      kind: REACTION_OPINIONS[reaction]!,
      note: `ThreatExchange reaction ${[...e.kinds].sort().join(", ")}`,
      updatedAt: at,
    };
  });
}

/** ThreatExchange indicator types rasd holds (pytx: HASH_MD5 is a video's MD5). */
const TYPES: Readonly<Record<string, SignalType>> = {
  HASH_PDQ: "pdq",
  HASH_MD5: "video_md5",
  HASH_SHA256: "sha256",
  URI: "url",
  HASH_URL_MD5: "url_md5",
  DOMAIN: "domain",
};

const CONFIG: JsonSchema = {
  type: "object",
  properties: {
    privacy_group: { type: "integer", description: "The ThreatExchange privacy group (collaboration) id" },
    graph_url: { type: "string", description: `The Graph API base (default ${DEFAULT_GRAPH_URL})` },
    interval_seconds: { type: "integer", description: "Seconds between fetches once up to date (default 60)" },
    reactions: {
      type: "boolean",
      description: "Ask for descriptors' reactions and keep them as opinions from elsewhere (default false)",
    },
  },
  required: ["privacy_group"],
};

const CREDENTIALS: JsonSchema = {
  type: "object",
  properties: { api_token: { type: "string", description: "An app's access token, APP_ID|SECRET" } },
  required: ["api_token"],
};

interface Checkpoint {
  readonly update_time?: number;
  readonly after?: string;
}

interface ThreatUpdate {
  id?: unknown;
  indicator?: unknown;
  type?: unknown;
  last_updated?: unknown;
  creation_time?: unknown;
  should_delete?: unknown;
  tags?: unknown;
}

export const threatExchangeApi: ExchangeApi = {
  name: "fb_threatexchange",
  supported: true,
  description: "Meta's ThreatExchange threat_updates of a privacy group (tested against fixtures only)",
  configSchema: CONFIG,
  credentialsSchema: CREDENTIALS,
  parseConfig(json) {
    checkFields(json, CONFIG, "api_json");
    const group = optionalPositiveInt(json.privacy_group, "api_json.privacy_group")!;
    const interval = optionalPositiveInt(json.interval_seconds, "api_json.interval_seconds");
    if (json.reactions !== undefined && typeof json.reactions !== "boolean")
      throw new RasdError("invalid", "api_json.reactions: must be true or false");
    return {
      privacy_group: group,
      ...(json.reactions === true ? { reactions: true } : {}),
      graph_url: json.graph_url === undefined ? DEFAULT_GRAPH_URL : baseUrl(json.graph_url, "api_json.graph_url"),
      ...(interval !== undefined ? { interval_seconds: interval } : {}),
    };
  },
  async fetchStep(ctx: FetchContext): Promise<FetchStep> {
    const token = ctx.credentials?.api_token;
    if (!token) throw new RasdError("invalid", "no credentials: set api_token (APP_ID|SECRET)");
    const cp: Checkpoint = ctx.checkpoint ? (JSON.parse(ctx.checkpoint) as Checkpoint) : {};
    const url = new URL(`${String(ctx.config.privacy_group)}/threat_updates`, String(ctx.config.graph_url));
    const reactions = ctx.config.reactions === true;
    url.searchParams.set("fields", reactions ? `${FIELDS},${REACTION_FIELDS}` : FIELDS);
    url.searchParams.set("limit", String(PAGE));
    if (cp.update_time !== undefined) url.searchParams.set("start_time", String(cp.update_time));
    if (cp.after) url.searchParams.set("after", cp.after);
    url.searchParams.set("access_token", token);
    const answer = (await getJson(url.href, ctx.http)) as {
      data?: ThreatUpdate[];
      paging?: { cursors?: { after?: string }; next?: string };
    };
    if (typeof answer !== "object" || answer === null || !Array.isArray(answer.data))
      throw new RasdError("fetch.status", `${url.host}: not a threat_updates answer`);
    const items: FetchedItem[] = [];
    const skipped: string[] = [];
    let newest = cp.update_time ?? 0;
    for (const u of answer.data) {
      const updated = typeof u.last_updated === "number" ? u.last_updated : Number(u.last_updated);
      if (Number.isFinite(updated)) newest = Math.max(newest, updated);
      const type = TYPES[String(u.type)];
      if (!type || typeof u.indicator !== "string") {
        skipped.push(`descriptor ${String(u.id)}: type ${String(u.type)} is not held by rasd`);
        continue;
      }
      const tags = Array.isArray(u.tags) ? u.tags.filter((t): t is string => typeof t === "string") : [];
      const created = typeof u.creation_time === "number" ? u.creation_time * 1000 : undefined;
      items.push({
        type,
        value: u.indicator,
        status: u.should_delete === true ? "retracted" : "active",
        ...(tags.length ? { labels: { entity: tags.map((t) => t.toLowerCase()) } } : {}),
        origin: `ThreatExchange privacy group ${String(ctx.config.privacy_group)} indicator ${String(u.id)}`,
        ...(created !== undefined ? { firstSeen: created } : {}),
        ...(Number.isFinite(updated) ? { lastSeen: updated * 1000 } : {}),
        // The update carries every reaction standing now: the whole set (one taken back is absent).
        ...(reactions
          ? {
              opinions: reactionOpinions(
                u as Record<string, unknown>,
                token.split("|")[0],
                Number.isFinite(updated) ? updated * 1000 : Date.now(),
              ),
              opinionsComplete: true,
            }
          : {}),
      });
    }
    const after = answer.paging?.next ? answer.paging.cursors?.after : undefined;
    // While paging, the start_time stays that of the pages; at the end it moves to the newest update.
    const next: Checkpoint = after
      ? { ...(cp.update_time !== undefined ? { update_time: cp.update_time } : {}), after }
      : newest > 0
        ? { update_time: newest }
        : {};
    return {
      items,
      skipped,
      checkpoint: JSON.stringify(next),
      checkpointAt: next.update_time !== undefined ? next.update_time * 1000 : null,
      more: after !== undefined,
    };
  },
};
