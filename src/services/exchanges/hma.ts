/**
 * The `hma` exchange API: one bank of another HMA 2.0 instance (Meta's Hasher-Matcher-Actioner,
 * or a rasd through its HMA API), read through HMA's own curation API. HMA has no change feed
 * and no route that lists a bank's contents (its API: /c/banks, /c/bank/<name>,
 * /c/bank/<name>/content/<id>, lookups under /m); what it has is
 * `GET /c/bank/<name>/content/<id>?include_signals=true`, contents numbered by one counter
 * across banks, and each content's `disable_until_ts` (1 enabled, 0 disabled, a later time
 * disabled until then). So a fetch is two passes, stepped through the checkpoint:
 *
 * - **scan**: ask ids upward from the last one seen, a window at a time; a content of the bank
 *   is held (its signals added while enabled), another bank's content only moves the frontier,
 *   a 404 is a gap (a deleted content, or — on rasd — a bank the key may not see); the scan
 *   ends after `max_gap` missing ids in a row past the last id that answered, and the next
 *   fetch starts again just after that id, so newer contents are found.
 * - **recheck**: ask again every content held, a batch a step: gone (404) or disabled → its
 *   signals retracted, re-enabled or changed → added again. A signal that another held enabled
 *   content still carries is not retracted (HMA matches it through that one).
 *
 * The checkpoint holds the frontier and each held content's signals (the remote cannot say
 * what a deleted content held). Credentials are optional (HMA has none of its own; a
 * deployment's proxy or rasd takes a bearer key or HTTP Basic).
 */

import { RasdError } from "../../core/errors.js";
import { isSignalType } from "../../signals/registry.js";
import type { ExchangeApi, FetchContext, FetchStep, FetchedItem, JsonSchema } from "./api.js";
import { RemoteStatusError, authorization, baseUrl, getJson } from "./http.js";
import { checkFields, optionalPositiveInt } from "./settings.js";

/** Ids asked at once while scanning, and contents asked again per recheck step. */
const SCAN_WINDOW = 16;
const RECHECK_BATCH = 64;
export const HMA_DEFAULT_MAX_GAP = 100;
/** HMA's names are UPPER_WITH_UNDERSCORE; a rasd's HMA API also answers its own banks' names. */
const HMA_BANK_NAME = /^[^/?#\s]{1,200}$/;

const CONFIG: JsonSchema = {
  type: "object",
  properties: {
    url: { type: "string", description: "The HMA instance's base URL, under which /c/ and /m/ are" },
    bank: { type: "string", description: "The remote bank's name as its HMA API names it (/c/banks)" },
    max_gap: {
      type: "integer",
      description: `Missing content ids in a row that end a scan (default ${HMA_DEFAULT_MAX_GAP}): more than the remote's largest run of deleted or unseen contents`,
    },
    interval_seconds: { type: "integer", description: "Seconds between fetches once up to date (default 60)" },
  },
  required: ["url", "bank"],
};

const CREDENTIALS: JsonSchema = {
  type: "object",
  properties: {
    api_key: { type: "string", description: "Sent as a bearer token (a rasd key, or a proxy's)" },
    username: { type: "string", description: "HTTP Basic user (with password), for a proxy in front of HMA" },
    password: { type: "string", description: "HTTP Basic password" },
  },
  required: [],
};

interface Held {
  /** type → value */
  readonly s: Record<string, string>;
  readonly on: boolean;
}

interface Checkpoint {
  /** The next content id to ask while scanning. */
  next: number;
  /** The highest content id that answered (of any bank). */
  found: number;
  phase: "scan" | "recheck";
  /** Index into the held ids (ascending) of the next recheck batch. */
  cursor: number;
  held: Record<string, Held>;
}

interface ContentAnswer {
  id: number;
  disable_until_ts: number;
  bank: { name: string };
  signals?: Record<string, string>;
}

function readCheckpoint(text: string | null): Checkpoint {
  const empty: Checkpoint = { next: 1, found: 0, phase: "scan", cursor: 0, held: {} };
  if (text === null) return empty;
  try {
    const c = JSON.parse(text) as Partial<Checkpoint>;
    return {
      next: typeof c.next === "number" && c.next >= 1 ? c.next : 1,
      found: typeof c.found === "number" ? c.found : 0,
      phase: c.phase === "recheck" ? "recheck" : "scan",
      cursor: typeof c.cursor === "number" ? c.cursor : 0,
      held: typeof c.held === "object" && c.held !== null ? c.held : {},
    };
  } catch {
    return empty;
  }
}

/** HMA's rule: 1 enabled, 0 disabled, a Unix time disabled until then. */
export function hmaEnabled(disableUntilTs: number, nowSeconds: number): boolean {
  return disableUntilTs === 1 || (disableUntilTs > 1 && disableUntilTs <= nowSeconds);
}

function isContent(v: unknown): v is ContentAnswer {
  const o = v as ContentAnswer;
  return (
    typeof o === "object" &&
    o !== null &&
    typeof o.id === "number" &&
    typeof o.disable_until_ts === "number" &&
    typeof o.bank === "object" &&
    o.bank !== null &&
    typeof o.bank.name === "string"
  );
}

export const hmaExchangeApi: ExchangeApi = {
  name: "hma",
  supported: true,
  description: "A bank of another HMA 2.0 instance (or a rasd's HMA API), read content by content",
  configSchema: CONFIG,
  credentialsSchema: CREDENTIALS,
  parseConfig(json) {
    checkFields(json, CONFIG, "api_json");
    if (typeof json.bank !== "string" || !HMA_BANK_NAME.test(json.bank))
      throw new RasdError(
        "invalid",
        "api_json.bank: a bank name as the remote HMA API names it (no spaces, /, ? or #)",
      );
    const maxGap = optionalPositiveInt(json.max_gap, "api_json.max_gap");
    const interval = optionalPositiveInt(json.interval_seconds, "api_json.interval_seconds");
    return {
      url: baseUrl(json.url, "api_json.url"),
      bank: json.bank,
      ...(maxGap !== undefined ? { max_gap: maxGap } : {}),
      ...(interval !== undefined ? { interval_seconds: interval } : {}),
    };
  },
  async fetchStep(ctx: FetchContext): Promise<FetchStep> {
    const cp = readCheckpoint(ctx.checkpoint);
    const bank = String(ctx.config.bank);
    const maxGap = typeof ctx.config.max_gap === "number" ? ctx.config.max_gap : HMA_DEFAULT_MAX_GAP;
    const headers = authorization(ctx.credentials);
    const bankUrl = new URL(`c/bank/${encodeURIComponent(bank)}`, String(ctx.config.url));
    const host = bankUrl.host;
    /** A content, or null for a 404 (deleted, or not the key's to see). */
    const content = async (id: number): Promise<ContentAnswer | null> => {
      const u = new URL(`${bankUrl.href}/content/${id}`);
      u.searchParams.set("include_signals", "true");
      u.searchParams.set("include_metadata", "false");
      try {
        const answer = await getJson(u.href, ctx.http, headers);
        if (!isContent(answer)) throw new RasdError("fetch.status", `${host}: content ${id} is not HMA's content`);
        return answer;
      } catch (e) {
        if (e instanceof RemoteStatusError && e.status === 404) return null;
        throw e;
      }
    };
    const nowSeconds = Math.floor(Date.now() / 1000);
    const items: FetchedItem[] = [];
    const skipped: string[] = [];
    const signalsOf = (c: ContentAnswer): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const [type, value] of Object.entries(c.signals ?? {})) {
        if (isSignalType(type) && typeof value === "string") out[type] = value;
        else skipped.push(`content ${c.id}: signal type ${type} is not held by rasd`);
      }
      return out;
    };
    const origin = (id: number) => `${host} HMA bank ${bank} content ${id}`;
    const add = (id: number, signals: Record<string, string>) => {
      for (const [type, value] of Object.entries(signals))
        if (isSignalType(type)) items.push({ type, value, status: "active", origin: origin(id) });
    };
    /** Retracts a content's signals that no other held, enabled content carries. */
    const retract = (id: number, signals: Record<string, string>) => {
      for (const [type, value] of Object.entries(signals)) {
        if (!isSignalType(type)) continue;
        const elsewhere = Object.entries(cp.held).some(
          ([other, h]) => other !== String(id) && h.on && h.s[type] === value,
        );
        if (!elsewhere) items.push({ type, value, status: "retracted", origin: origin(id) });
      }
    };

    if (cp.phase === "scan") {
      // The bank must be there: otherwise every id would be a quiet 404.
      try {
        await getJson(bankUrl.href, ctx.http, headers);
      } catch (e) {
        if (e instanceof RemoteStatusError && e.status === 404)
          throw new RasdError("not_found", `${host}: no bank ${bank} that this key may see`);
        throw e;
      }
      const ids = Array.from({ length: SCAN_WINDOW }, (_, i) => cp.next + i);
      const answers = await Promise.all(ids.map(content));
      for (const [i, c] of answers.entries()) {
        if (c === null) continue;
        cp.found = Math.max(cp.found, ids[i]!);
        if (c.bank.name !== bank) continue;
        const on = hmaEnabled(c.disable_until_ts, nowSeconds);
        const s = signalsOf(c);
        cp.held[String(c.id)] = { s, on };
        if (on) add(c.id, s);
      }
      cp.next = ids[ids.length - 1]! + 1;
      if (cp.next - cp.found - 1 >= maxGap) {
        cp.next = cp.found + 1;
        cp.phase = "recheck";
        cp.cursor = 0;
      }
      const more = cp.phase === "scan" || Object.keys(cp.held).length > 0;
      if (!more) cp.phase = "scan";
      return { items, skipped, checkpoint: JSON.stringify(cp), checkpointAt: Date.now(), more };
    }

    const held = Object.keys(cp.held)
      .map(Number)
      .sort((a, b) => a - b);
    const batch = held.slice(cp.cursor, cp.cursor + RECHECK_BATCH);
    const answers = await Promise.all(batch.map(content));
    for (const [i, c] of answers.entries()) {
      const id = batch[i]!;
      const before = cp.held[String(id)]!;
      if (c === null || c.bank.name !== bank) {
        delete cp.held[String(id)];
        if (before.on) retract(id, before.s);
        continue;
      }
      const on = hmaEnabled(c.disable_until_ts, nowSeconds);
      const s = signalsOf(c);
      cp.held[String(id)] = { s, on };
      if (before.on && !on) retract(id, before.s);
      else if (on && !before.on) add(id, s);
      else if (on) {
        const gone = Object.fromEntries(Object.entries(before.s).filter(([t, v]) => s[t] !== v));
        const fresh = Object.fromEntries(Object.entries(s).filter(([t, v]) => before.s[t] !== v));
        retract(id, gone);
        add(id, fresh);
      }
    }
    // Contents deleted in this batch leave the list: the cursor moves by what stayed.
    cp.cursor += answers.filter((c) => c !== null && c.bank.name === bank).length;
    const more = cp.cursor < Object.keys(cp.held).length;
    if (!more) {
      cp.phase = "scan";
      cp.cursor = 0;
    }
    return { items, skipped, checkpoint: JSON.stringify(cp), checkpointAt: Date.now(), more };
  },
};
