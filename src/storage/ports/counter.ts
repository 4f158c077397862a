/**
 * The counter-messaging port (issue 20): the counter-narrative library and its workflow, the
 * keyword sets per narrative, each member's sealed event-signing secret, and the events
 * platforms report, de-duplicated per member and event id. Domain types from core/counter.ts.
 */

import type {
  CounterEventKind,
  CounterItem,
  CounterKind,
  CounterLang,
  CounterStatus,
  Narrative,
} from "../../core/counter.js";
import type { Tlp } from "../../core/model.js";

export interface NewCounterItem {
  readonly orgId: number;
  readonly kind: CounterKind;
  readonly title: string;
  readonly body: string;
  readonly url: string | null;
  readonly mediaHash: string | null;
  readonly narratives: readonly Narrative[];
  readonly audience: string;
  readonly lang: CounterLang;
  readonly tlp: Tlp;
  readonly createdBy: number | null;
  readonly createdAt: number;
}

export interface CounterKeyword {
  readonly id: number;
  /** The member who curated it. */
  readonly orgId: number;
  readonly narrative: Narrative;
  readonly phrase: string;
  readonly createdBy: number | null;
  readonly createdAt: number;
}

/** One event as recorded: the tracking token's claims with what the platform reported. */
export interface CounterEvent {
  /** The member that served the item and reports the event. */
  readonly orgId: number;
  /** The platform's id for the event (unique per member). */
  readonly eventId: string;
  readonly kind: CounterEventKind;
  readonly itemId: number;
  readonly narrative: string;
  readonly lang: string;
  /** The impression id of the tracking token. */
  readonly impression: string;
  /** When the redirect served it (the token's time), ms. */
  readonly servedAt: number;
  /** When it happened, ms. */
  readonly at: number;
  /** Watch time of a `watch` event, ms (0 otherwise). */
  readonly watchMs: number;
  readonly recordedAt: number;
}

/** One impression's events folded: what campaign figures are computed from. */
export interface CounterImpression {
  readonly orgId: number;
  readonly itemId: number;
  readonly narrative: string;
  readonly lang: string;
  readonly impression: string;
  /** The earliest event's time, ms. */
  readonly at: number;
  readonly impressed: boolean;
  readonly clicked: boolean;
  /** Watch events seen. */
  readonly watched: boolean;
  /** Total watch time, ms. */
  readonly watchMs: number;
}

export interface CounterEventScope {
  readonly from: number;
  readonly to: number;
  /** Events served by this member, or on items it owns. */
  readonly orgId?: number;
  readonly itemIds?: readonly number[];
}

export interface CounterStore {
  createItem(item: NewCounterItem): Promise<CounterItem>;
  getItem(id: number): Promise<CounterItem | undefined>;
  /** Every item, or one member's; newest first. */
  listItems(filter?: { orgId?: number; status?: CounterStatus }): Promise<CounterItem[]>;
  /**
   * Moves an item from `from` to `to` (approved or retired), recording who and when; undefined
   * when the item is not (or no longer) in `from` — two approvers racing, one wins.
   */
  setStatus(
    id: number,
    from: CounterStatus,
    to: Exclude<CounterStatus, "draft">,
    by: number | null,
    at: number,
  ): Promise<CounterItem | undefined>;
  /**
   * Rewrites a draft's content (kind, title, body, url, media hash, narratives, audience,
   * language, TLP); undefined when the item is not (or no longer) a draft.
   */
  updateDraft(
    id: number,
    fields: Pick<
      NewCounterItem,
      "kind" | "title" | "body" | "url" | "mediaHash" | "narratives" | "audience" | "lang" | "tlp"
    >,
    at: number,
  ): Promise<CounterItem | undefined>;
  listKeywords(): Promise<CounterKeyword[]>;
  /** Adds phrases to a narrative's set for a member; phrases it already has are skipped. Returns those added. */
  addKeywords(
    orgId: number,
    narrative: Narrative,
    phrases: readonly string[],
    by: number | null,
    at: number,
  ): Promise<CounterKeyword[]>;
  /** Removes one of a member's keywords; false when it has no such keyword. */
  removeKeyword(orgId: number, id: number): Promise<boolean>;
  /** A value that changes whenever items or keywords change (for caches in other processes). */
  version(): Promise<string>;
  /** A member's sealed event secret. */
  getSecret(orgId: number): Promise<string | undefined>;
  /** Sets (or replaces) a member's sealed event secret. */
  setSecret(orgId: number, sealed: string, at: number): Promise<void>;
  /** Records events; for each, true when new, false when the member already sent that event id. */
  recordEvents(events: readonly CounterEvent[]): Promise<boolean[]>;
  /** Events in the scope (by event time), folded per impression. */
  impressions(scope: CounterEventScope): Promise<CounterImpression[]>;
}
