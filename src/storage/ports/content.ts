/**
 * The content port: submitted items, their media, the stance classifier's verdicts and the
 * outcomes members report. Accepting items also queues their "content" jobs (one
 * transaction: a 202 means both are on disk); see jobs.ts for the queue itself.
 */

import type { RasdError } from "../../core/errors.js";

export const CONTENT_KINDS = ["image", "video", "url", "text"] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

/** Where an item is: waiting, its webhooks pending, finished, failed to hash, or a webhook dead. */
export type ItemStatus = "received" | "acting" | "done" | "failed" | "action_failed";

export interface NewContent {
  readonly orgId: number;
  readonly personId: number;
  readonly idempotencyKey: string;
  /** SHA-256 of the request, to tell a retry from a different request under the same key. */
  readonly requestHash: string;
  readonly kind: ContentKind;
  readonly contentId: string;
  readonly authorId: string;
  readonly postedAt: number | null;
  readonly mediaType: string | null;
  readonly media: Uint8Array | null;
  readonly url: string | null;
  readonly text: string | null;
  /** The service within the member ("" = the member itself) and the country it was seen in. */
  readonly platform?: string;
  readonly country?: string;
  /** The author account as canonical JSON (kernels/accounts), matched against suspended accounts. */
  readonly author?: string | null;
  readonly receivedAt: number;
}

export interface Accepted {
  readonly id: number;
  /** True when the Idempotency-Key was seen before with the same request. */
  readonly replay: boolean;
}

/** A submitted item as stored. `hashes` and `matches` are JSON text, as written by the pipeline. */
export interface ContentItem {
  readonly id: number;
  readonly orgId: number;
  readonly personId: number;
  readonly kind: ContentKind;
  readonly contentId: string;
  readonly authorId: string;
  readonly postedAt: number | null;
  readonly mediaType: string | null;
  readonly mediaSize: number | null;
  /** The media store's key (SHA-256 of the bytes), kept after the bytes expire; null: none (or not moved yet). */
  readonly mediaKey: string | null;
  /** When retention let the bytes go (`getMedia` then answers undefined); null: still kept. */
  readonly mediaExpiredAt: number | null;
  readonly url: string | null;
  readonly text: string | null;
  readonly platform: string;
  readonly country: string;
  /** The author account as canonical JSON; null: none given. */
  readonly author: string | null;
  readonly status: ItemStatus;
  readonly error: string | null;
  readonly hashes: string;
  readonly matches: string;
  readonly receivedAt: number;
  readonly hashedAt: number | null;
  readonly matchedAt: number | null;
  readonly classifiedAt: number | null;
  readonly actedAt: number | null;
}

/** The outcome of hash and match for one item, as the pipeline records it. */
export interface ItemOutcome {
  readonly id: number;
  readonly status: ItemStatus;
  readonly error: string | null;
  readonly hashes: string;
  readonly matches: string;
  readonly hashedAt: number;
  readonly matchedAt: number;
  readonly actedAt: number | null;
  readonly classifiedAt?: number | null;
}

/** The stance classifier's verdict on an item's text, as stored. */
export interface Classification {
  readonly itemId: number;
  readonly model: string;
  readonly label: string;
  readonly score: number;
  readonly pPro: number;
  readonly pAnti: number;
  readonly pNeutral: number;
  readonly lang: string;
  readonly behaviour: string | null;
  readonly classifiedAt: number;
}

export interface NewOutcome {
  readonly itemId: number;
  readonly orgId: number;
  readonly personId: number;
  readonly kind: string;
  readonly basis: string;
  readonly reason: string;
  readonly authority: string;
  readonly note: string;
  readonly at: number;
}

/** A reported outcome (removal order, removal, complaint, ...) as stored. */
export interface Outcome extends NewOutcome {
  readonly id: number;
  readonly recordedAt: number;
}

/** An item's pipeline times, for the time-to-action percentiles. */
export interface ItemTimes {
  readonly receivedAt: number;
  readonly hashedAt: number | null;
  readonly matchedAt: number | null;
  readonly actedAt: number | null;
}

/** An item whose media retention may let go: its id, the media store's key, the size. */
export interface ExpiringMedia {
  readonly itemId: number;
  readonly key: string;
  readonly size: number;
}

/** An already processed item with its verdict and outcomes (demo history, imports). */
export interface HistoricItem {
  readonly orgId: number;
  readonly personId: number;
  readonly idempotencyKey: string;
  readonly kind: ContentKind;
  readonly contentId: string;
  readonly authorId: string;
  readonly postedAt: number | null;
  readonly text: string | null;
  readonly platform: string;
  readonly country: string;
  readonly receivedAt: number;
  readonly hashedAt: number;
  readonly matchedAt: number;
  readonly classifiedAt: number | null;
  readonly actedAt: number | null;
  readonly classification?: Omit<Classification, "itemId">;
  readonly outcomes?: readonly Omit<NewOutcome, "itemId">[];
}

export interface ContentStore {
  /**
   * Accepts items and queues a "content" job for each, in one transaction. Per item: its
   * id, or the earlier item's id for a replayed Idempotency-Key, or a "conflict" error
   * when the key was used for a different request.
   */
  accept(items: readonly NewContent[]): Promise<(Accepted | RasdError)[]>;
  getItem(id: number): Promise<ContentItem | undefined>;
  getItems(ids: readonly number[]): Promise<ContentItem[]>;
  /** An organisation's items, newest first. */
  listItems(orgId: number, options?: { beforeId?: number; limit?: number; status?: string }): Promise<ContentItem[]>;
  /** The item's media bytes (from the media store); undefined: none, or expired (see `mediaExpiredAt`). */
  getMedia(itemId: number): Promise<Uint8Array | undefined>;
  /**
   * Items whose media is still kept though they were processed (hashed) before
   * `processedBefore`, and which no open review, escalated review or unanswered complaint
   * holds; by id after `afterId`, at most `limit`.
   */
  mediaToExpire(processedBefore: number, afterId: number, limit: number): Promise<ExpiringMedia[]>;
  /**
   * Records that the items' media is let go at `at`, for those still matching
   * `mediaToExpire`'s conditions (a review opened meanwhile holds it); returns those marked.
   */
  expireMedia(itemIds: readonly number[], processedBefore: number, at: number): Promise<ExpiringMedia[]>;
  /** The keys among `keys` some item still keeps media under (the same bytes submitted twice). */
  liveMediaKeys(keys: readonly string[]): Promise<Set<string>>;
  /** Pipeline times of an organisation's items received since `since`, newest first. */
  itemTimes(orgId: number, since: number, limit: number): Promise<ItemTimes[]>;
  /** The pipeline times of the items `ids` (those that exist), without the rest of their rows. */
  timesOf(ids: readonly number[]): Promise<ItemTimes[]>;
  classificationOf(itemId: number): Promise<Classification | undefined>;
  /** Appends a reported outcome; `check` sees the item's earlier outcomes in the same transaction. */
  addOutcome(o: NewOutcome, check: (earlier: readonly Outcome[]) => void): Promise<Outcome>;
  outcomesOf(itemIds: readonly number[]): Promise<Outcome[]>;
  /** Inserts already processed items with their classifications and outcomes; returns their ids in order. */
  importHistory(items: readonly HistoricItem[]): Promise<number[]>;
}
