/**
 * The `taxii` exchange API: a TAXII 2.1 collection's objects, paged with `next` and resumed
 * with `added_after` (the X-TAXII-Date-Added-Last of the last page read). Indicators become
 * signals (kernels/stix: rasd's own extension losslessly, other tools' STIX patterns for file
 * hashes, URLs and domains); a revoked Indicator is a retraction; a TLP 2.0 marking is kept on
 * the item. Opinions ride on their Indicator's item (a revoked one is taken back; decision 0042):
 * one whose Indicator is not in the same page — a server that splits a signal's objects across
 * pages, an Opinion added to the collection after its Indicator was fetched — brings its
 * Indicator with it, read by id (TAXII 2.1 §5.6, decision 0048). Other objects are passed over.
 * A `next` the server no longer knows (expired, or the server restarted) restarts the paging
 * from the checkpoint's added_after.
 */

import { RasdError } from "../../core/errors.js";
import type { Tlp } from "../../core/model.js";
import { indicatorToSignal } from "../../kernels/stix/indicator.js";
import { stixToOpinion } from "../../kernels/stix/opinion.js";
import { tlpOfMarking } from "../../kernels/stix/tlp.js";
import type { ExchangeApi, FetchContext, FetchStep, FetchedItem, FetchedOpinion, JsonSchema } from "./api.js";
import { RemoteStatusError, authorization, baseUrl, getJsonAnswer } from "./http.js";
import { checkFields, optionalPositiveInt } from "./settings.js";

const PAGE = 500;
const TAXII_ACCEPT = "application/taxii+json;version=2.1";

const CONFIG: JsonSchema = {
  type: "object",
  properties: {
    collection_url: {
      type: "string",
      description: "The collection's URL (https://host/taxii2/api/collections/<id>/)",
    },
    interval_seconds: { type: "integer", description: "Seconds between fetches once up to date (default 60)" },
    page_size: { type: "integer", description: `Objects asked for per page (default ${PAGE}, at most 1000)` },
  },
  required: ["collection_url"],
};

const CREDENTIALS: JsonSchema = {
  type: "object",
  properties: {
    api_key: { type: "string", description: "Sent as a bearer token (rasd's TAXII server)" },
    username: { type: "string", description: "HTTP Basic user (with password)" },
    password: { type: "string", description: "HTTP Basic password" },
  },
  required: [],
};

interface Checkpoint {
  readonly added_after?: string;
  readonly next?: string;
}

function readCheckpoint(text: string | null): Checkpoint {
  if (text === null) return {};
  try {
    return JSON.parse(text) as Checkpoint;
  } catch {
    return {};
  }
}

const time = (v: unknown): number | undefined => {
  const t = typeof v === "string" ? Date.parse(v) : NaN;
  return Number.isFinite(t) ? t : undefined;
};

/** An Indicator as the item of a fetch step, or why it cannot be held. */
function itemOf(o: Record<string, unknown>, host: string): FetchedItem | string {
  const read = indicatorToSignal(o);
  if (!read.ok) return `${String(o.id)}: ${read.message}`;
  const s = read.signal;
  const markings = Array.isArray(o.object_marking_refs) ? (o.object_marking_refs as string[]) : [];
  const tlp = markings.map(tlpOfMarking).find((t): t is Tlp => t !== undefined);
  const firstSeen = time(s.first_seen);
  const lastSeen = time(s.last_seen);
  return {
    type: s.type,
    value: s.value,
    status: s.status,
    ...(s.labels ? { labels: s.labels } : {}),
    ...(s.confidence !== undefined ? { confidence: s.confidence } : {}),
    ...(s.quality !== undefined ? { quality: s.quality } : {}),
    origin: `${host} ${String(o.id)}${s.source ? ` (${s.source})` : ""}`,
    ...(tlp ? { tlp } : {}),
    ...(firstSeen !== undefined ? { firstSeen } : {}),
    ...(lastSeen !== undefined ? { lastSeen } : {}),
  };
}

export const taxiiExchangeApi: ExchangeApi = {
  name: "taxii",
  supported: true,
  description: "A TAXII 2.1 collection (STIX 2.1 Indicators), e.g. another rasd's, MISP's or OpenCTI's",
  configSchema: CONFIG,
  credentialsSchema: CREDENTIALS,
  parseConfig(json) {
    checkFields(json, CONFIG, "api_json");
    const interval = optionalPositiveInt(json.interval_seconds, "api_json.interval_seconds");
    const pageSize = optionalPositiveInt(json.page_size, "api_json.page_size");
    if (pageSize !== undefined && pageSize > 1000)
      throw new RasdError("invalid", "api_json.page_size: at most 1000 (TAXII servers' usual limit)");
    return {
      collection_url: baseUrl(json.collection_url, "api_json.collection_url"),
      ...(interval !== undefined ? { interval_seconds: interval } : {}),
      ...(pageSize !== undefined ? { page_size: pageSize } : {}),
    };
  },
  async fetchStep(ctx: FetchContext): Promise<FetchStep> {
    let cp = readCheckpoint(ctx.checkpoint);
    const pageUrl = (c: Checkpoint) => {
      const u = new URL("objects/", String(ctx.config.collection_url));
      u.searchParams.set("limit", String(typeof ctx.config.page_size === "number" ? ctx.config.page_size : PAGE));
      if (c.added_after) u.searchParams.set("added_after", c.added_after);
      if (c.next) u.searchParams.set("next", c.next);
      return u;
    };
    const get = (u: URL) =>
      getJsonAnswer(u.href, ctx.http, { accept: TAXII_ACCEPT, ...authorization(ctx.credentials) });
    let url = pageUrl(cp);
    let answer: Awaited<ReturnType<typeof getJsonAnswer>>;
    try {
      answer = await get(url);
    } catch (e) {
      // A `next` is the server's token and may expire (medallion forgets it after 30 s, or on a
      // restart, and answers 400): page again from the added_after the pages belong to (what was
      // already fetched comes again and is de-duplicated) rather than fail on it for ever.
      if (!(cp.next && e instanceof RemoteStatusError && [400, 404, 410].includes(e.status))) throw e;
      cp = cp.added_after ? { added_after: cp.added_after } : {};
      url = pageUrl(cp);
      answer = await get(url);
    }
    const { json, headers } = answer;
    const envelope = json as { more?: unknown; next?: unknown; objects?: unknown };
    if (typeof envelope !== "object" || envelope === null)
      throw new RasdError("fetch.status", `${url.origin}: not a TAXII envelope`);
    const objects = Array.isArray(envelope.objects) ? (envelope.objects as Record<string, unknown>[]) : [];
    const items: FetchedItem[] = [];
    const skipped: string[] = [];
    const byIndicator = new Map<string, number>();
    const identities = new Map<string, string>();
    for (const o of objects)
      if (typeof o === "object" && o !== null && o.type === "identity" && typeof o.name === "string")
        identities.set(String(o.id), o.name);
    for (const o of objects) {
      if (typeof o !== "object" || o === null || o.type !== "indicator") continue;
      const item = itemOf(o, url.host);
      if (typeof item === "string") {
        skipped.push(item);
        continue;
      }
      byIndicator.set(String(o.id), items.length);
      items.push(item);
    }
    // Opinions (decision 0042) ride on their Indicator's item. rasd's server never splits a
    // signal's objects, but other servers may, and an Opinion added later comes on a later poll:
    // one whose Indicator is not in this page brings that Indicator, read by id (decision 0048).
    const opinions = new Map<number, FetchedOpinion[]>();
    const elsewhere = new Map<string, FetchedOpinion[]>();
    for (const o of objects) {
      if (typeof o !== "object" || o === null || o.type !== "opinion") continue;
      const read = stixToOpinion(o, identities);
      if (!read.ok) {
        skipped.push(read.message);
        continue;
      }
      const r = read.opinion;
      const fetched: FetchedOpinion = {
        key: r.key,
        orgName: r.orgName,
        kind: r.kind,
        note: r.note,
        updatedAt: r.updatedAt,
        retracted: r.retracted,
      };
      const at = byIndicator.get(read.indicatorRef);
      const list = (at !== undefined ? opinions.get(at) : elsewhere.get(read.indicatorRef)) ?? [];
      list.push(fetched);
      if (at !== undefined) opinions.set(at, list);
      else elsewhere.set(read.indicatorRef, list);
    }
    for (const [at, list] of opinions) items[at] = { ...items[at]!, opinions: list };
    for (const [ref, list] of elsewhere) {
      const u = new URL(`objects/${encodeURIComponent(ref)}/`, String(ctx.config.collection_url));
      let found: unknown;
      try {
        found = (await get(u)).json;
      } catch (e) {
        // Gone from the collection (or never there): nothing to hang the opinions on.
        if (e instanceof RemoteStatusError && e.status === 404) {
          skipped.push(`${list.length} opinion(s): their indicator ${ref} is not in the collection`);
          continue;
        }
        throw e;
      }
      const versions = ((found as { objects?: unknown } | null)?.objects ?? []) as Record<string, unknown>[];
      const latest = (Array.isArray(versions) ? versions : [])
        .filter((v) => typeof v === "object" && v !== null && v.type === "indicator" && v.id === ref)
        .sort((x, y) => (time(y.modified) ?? 0) - (time(x.modified) ?? 0))[0];
      const item = latest ? itemOf(latest, url.host) : `${ref}: the server did not give it`;
      if (typeof item === "string") skipped.push(item);
      else items.push({ ...item, opinions: list });
    }
    const more = envelope.more === true && typeof envelope.next === "string";
    const lastAdded = headers["x-taxii-date-added-last"];
    const addedAfter = typeof lastAdded === "string" && time(lastAdded) !== undefined ? lastAdded : cp.added_after;
    // While paging, keep the added_after the pages belong to; at the end, move it on.
    const checkpoint: Checkpoint = more
      ? { ...(cp.added_after ? { added_after: cp.added_after } : {}), next: envelope.next as string }
      : addedAfter
        ? { added_after: addedAfter }
        : {};
    return {
      items,
      skipped,
      checkpoint: JSON.stringify(checkpoint),
      checkpointAt: time(checkpoint.added_after) ?? null,
      more,
    };
  },
};
