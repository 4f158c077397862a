/**
 * What an exchange API plug-in is: its name, whether rasd can fetch it, the JSON shapes of
 * its settings and credentials (served by /c/exchanges/api/<api>/schema), and one step of a
 * fetch — a page of items from a checkpoint and the checkpoint after it. The fetch loop
 * (fetcher.ts) is the same for every API: it writes the items into the exchange's bank,
 * tombstones included, saves the checkpoint, and retries with backoff.
 */

import type { OpinionKind, SignalType, Tlp } from "../../core/model.js";
import type { ExchangeHttp } from "./http.js";

/** A member's opinion of a signal, as a remote gave it (decision 0042). */
export interface FetchedOpinion {
  /** The remote's stable name for this opinion (its feed's opinion id, a STIX opinion id). */
  readonly key: string;
  /** The remote organisation's name, only when the remote's policy gives it. */
  readonly orgName: string | null;
  readonly kind: OpinionKind;
  readonly note: string;
  readonly updatedAt: number;
  /** Taken back at the remote (a revoked STIX opinion). */
  readonly retracted?: boolean;
}

/** One signal as a remote gave it. */
export interface FetchedItem {
  readonly type: SignalType;
  readonly value: string;
  readonly status: "active" | "retracted";
  /** As the remote gave them; checked when written (signal-input.ts). */
  readonly labels?: {
    readonly entity?: readonly string[];
    readonly behaviour?: readonly string[];
    readonly language?: readonly string[];
  };
  readonly confidence?: number;
  readonly quality?: number | null;
  /** Where it came from, as the remote says (the fetcher prefixes the exchange's name). */
  readonly origin: string;
  /** The remote's marking of it, when it says (a stricter one than the bank's is withheld). */
  readonly tlp?: Tlp;
  readonly firstSeen?: number;
  readonly lastSeen?: number;
  /** The remote members' opinions of it, when it says. */
  readonly opinions?: readonly FetchedOpinion[];
  /** `opinions` is the whole set (the change feed): any other held from this exchange is taken away. */
  readonly opinionsComplete?: boolean;
}

export interface FetchStep {
  readonly items: readonly FetchedItem[];
  /** Items the remote sent that rasd cannot hold (unknown types, bad values), with why. */
  readonly skipped: readonly string[];
  readonly checkpoint: string | null;
  readonly checkpointAt: number | null;
  /** More is waiting: fetch the next step at once. */
  readonly more: boolean;
  /**
   * When up to date, fetch again after this long instead of the exchange's interval: 0 for an API
   * that long-polls (the remote held the request until it had news, so asking again at once is
   * cheap and keeps the copy seconds behind).
   */
  readonly nextFetchMs?: number;
}

export interface FetchContext {
  readonly config: Readonly<Record<string, unknown>>;
  readonly credentials: Readonly<Record<string, string>> | null;
  readonly checkpoint: string | null;
  readonly http: ExchangeHttp;
  /** The background fetcher is asking (not "fetch now"): an API may long-poll its remote. */
  readonly background?: boolean;
}

/** A JSON schema (a subset: objects of typed properties). */
export interface JsonSchema {
  readonly type: "object";
  readonly properties: Readonly<Record<string, { readonly type: string; readonly description: string }>>;
  readonly required: readonly string[];
}

export interface ExchangeApi {
  readonly name: string;
  /** False: listed (HMA names it) but rasd cannot fetch it; creating one is refused. */
  readonly supported: boolean;
  readonly description: string;
  readonly configSchema: JsonSchema;
  /** Null: the API takes no credentials. */
  readonly credentialsSchema: JsonSchema | null;
  /** Checks and normalises settings (unknown fields refused). */
  parseConfig(json: Readonly<Record<string, unknown>>): Record<string, unknown>;
  fetchStep(ctx: FetchContext): Promise<FetchStep>;
}
