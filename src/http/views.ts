/** The API's JSON shapes (snake_case, ISO times), built from domain records; their schemas are in schemas/. */

import type { Bank, Signal } from "../core/model.js";
import type { BankSharing } from "../core/sharing.js";
import type { Action, Classification, ContentItem, Outcome } from "../storage/ports/index.js";
import type { StoredMatch } from "../services/pipeline.js";
import type { BankView, SignalView } from "./schemas/banks.js";
import type { ActionView, ContentItemView, OutcomeView } from "./schemas/content.js";
import type { MedianEstimate } from "../kernels/quantify/index.js";
import type { MedianView } from "./schemas/links.js";

export function iso(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  const d = new Date(Number(ms));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function bankView(b: Bank, sharing?: BankSharing, own = false): BankView {
  return {
    id: b.id,
    org_id: b.orgId,
    name: b.name,
    description: b.description,
    action_hint: b.actionHint,
    tlp: b.tlp,
    negative: b.negative,
    pdq_threshold: b.pdqThreshold,
    pdq_min_quality: b.pdqMinQuality,
    text_min_similarity: b.textMinSimilarity,
    account_min_score: b.accountMinScore,
    enabled_ratio: b.enabledRatio,
    // Who else may see it is the owner's business only.
    ...(own && sharing
      ? {
          share_with_org_ids: [...sharing.orgs],
          reader_person_ids: [...sharing.people],
          recipient_org_ids: [...(sharing.recipients ?? [])],
        }
      : {}),
    created_at: iso(b.createdAt),
    updated_at: iso(b.updatedAt),
  };
}

export function signalView(s: Signal): SignalView {
  return {
    id: s.id,
    bank_id: s.bankId,
    type: s.type,
    value: s.value,
    quality: s.quality,
    labels: s.labels,
    confidence: s.confidence,
    source: s.source,
    status: s.status,
    first_seen: iso(s.firstSeen),
    last_seen: iso(s.lastSeen),
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

export function actionView(a: Action): ActionView {
  return {
    id: a.id,
    item_id: a.itemId,
    rule_id: a.ruleId,
    type: a.type,
    status: a.status,
    delivery_id: a.deliveryId,
    target: a.target,
    attempts: a.attempts,
    last_status: a.lastStatus,
    last_error: a.lastError,
    created_at: iso(a.createdAt),
    completed_at: iso(a.completedAt),
  };
}

function ms(from: number | null, to: number | null): number | null {
  return from === null || to === null ? null : Number(to) - Number(from);
}

/** An item as its organisation sees it; matches limited to banks the viewer may see. */
/** What the classifier said of an item and what happened to it afterwards, when asked for. */
export interface ContentExtras {
  readonly classification?: Classification | undefined;
  readonly outcomes?: readonly Outcome[];
}

export function outcomeView(o: Outcome): OutcomeView {
  return {
    id: o.id,
    kind: o.kind,
    ...(o.basis ? { basis: o.basis } : {}),
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.authority ? { authority: o.authority } : {}),
    ...(o.note ? { note: o.note } : {}),
    at: iso(o.at),
    recorded_at: iso(o.recordedAt),
  };
}

export function contentView(
  c: ContentItem,
  actions: readonly Action[],
  visibleBanks: ReadonlySet<number>,
  extras: ContentExtras = {},
): ContentItemView {
  const matches = (JSON.parse(c.matches) as StoredMatch[]).filter((m) => visibleBanks.has(m.bankId));
  const k = extras.classification;
  return {
    id: c.id,
    kind: c.kind,
    content_id: c.contentId,
    author_id: c.authorId,
    posted_at: iso(c.postedAt),
    platform: c.platform,
    country: c.country,
    ...(c.url !== null ? { url: c.url } : {}),
    ...(c.text !== null ? { text: c.text } : {}),
    ...(c.mediaType !== null ? { media_type: c.mediaType, media_size: c.mediaSize } : {}),
    ...(c.mediaExpiredAt !== null ? { media_expired_at: new Date(c.mediaExpiredAt).toISOString() } : {}),
    status: c.status,
    error: c.error,
    hashes: JSON.parse(c.hashes) as unknown,
    matches,
    ...(k
      ? {
          stance: {
            label: k.label,
            score: k.score,
            scores: { pro: k.pPro, anti: k.pAnti, neutral: k.pNeutral },
            lang: k.lang,
            ...(k.behaviour ? { behaviour: k.behaviour } : {}),
            model: k.model,
          },
        }
      : {}),
    actions: actions.map(actionView),
    ...(extras.outcomes ? { outcomes: extras.outcomes.map(outcomeView) } : {}),
    timestamps: {
      received_at: iso(c.receivedAt),
      hashed_at: iso(c.hashedAt),
      matched_at: iso(c.matchedAt),
      classified_at: iso(c.classifiedAt),
      acted_at: iso(c.actedAt),
    },
    durations_ms: {
      received_to_hashed: ms(c.receivedAt, c.hashedAt),
      received_to_matched: ms(c.receivedAt, c.matchedAt),
      received_to_acted: ms(c.receivedAt, c.actedAt),
    },
  };
}

/** Milliseconds as seconds; null stays null. */
export const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

/** A median time with its interval, in seconds (link takedown, account return). */
export function medianView(m: MedianEstimate): MedianView {
  return {
    n: m.n,
    events: m.events,
    median_seconds: seconds(m.median),
    low_seconds: seconds(m.low),
    high_seconds: seconds(m.high),
    level: m.level,
  };
}
