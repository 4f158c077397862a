/** The API's JSON shapes (snake_case, ISO times), built from domain records; their schemas are in schemas/. */

import type { Bank, Signal } from "../core/model.js";
import type { BankSharing } from "../core/sharing.js";
import type { Selectable } from "kysely";
import type { ActionRow, ContentRow, OutcomeRow } from "../storage/content-store.js";
import type { ClassificationsTable } from "../storage/schema.js";
import type { StoredMatch } from "../services/pipeline.js";
import type { BankView, SignalView } from "./schemas/banks.js";
import type { ActionView, ContentItemView, OutcomeView } from "./schemas/content.js";

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
    enabled_ratio: b.enabledRatio,
    // Who else may see it is the owner's business only.
    ...(own && sharing ? { share_with_org_ids: [...sharing.orgs], reader_person_ids: [...sharing.people] } : {}),
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

export function actionView(a: ActionRow): ActionView {
  return {
    id: a.id,
    item_id: a.item_id,
    rule_id: a.rule_id,
    type: a.type,
    status: a.status,
    delivery_id: a.delivery_id,
    target: a.target,
    attempts: a.attempts,
    last_status: a.last_status,
    last_error: a.last_error,
    created_at: iso(a.created_at),
    completed_at: iso(a.completed_at),
  };
}

function ms(from: number | null, to: number | null): number | null {
  return from === null || to === null ? null : Number(to) - Number(from);
}

/** An item as its organisation sees it; matches limited to banks the viewer may see. */
/** What the classifier said of an item and what happened to it afterwards, when asked for. */
export interface ContentExtras {
  readonly classification?: ClassificationView | undefined;
  readonly outcomes?: readonly OutcomeRow[];
}

type ClassificationView = Selectable<ClassificationsTable>;

export function outcomeView(o: OutcomeRow): OutcomeView {
  return {
    id: o.id,
    kind: o.kind,
    ...(o.basis ? { basis: o.basis } : {}),
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.authority ? { authority: o.authority } : {}),
    ...(o.note ? { note: o.note } : {}),
    at: iso(o.at),
    recorded_at: iso(o.recorded_at),
  };
}

export function contentView(
  c: ContentRow,
  actions: readonly ActionRow[],
  visibleBanks: ReadonlySet<number>,
  extras: ContentExtras = {},
): ContentItemView {
  const matches = (JSON.parse(c.matches) as StoredMatch[]).filter((m) => visibleBanks.has(m.bankId));
  const k = extras.classification;
  return {
    id: c.id,
    kind: c.kind,
    content_id: c.content_id,
    author_id: c.author_id,
    posted_at: iso(c.posted_at),
    platform: c.platform,
    country: c.country,
    ...(c.url !== null ? { url: c.url } : {}),
    ...(c.text !== null ? { text: c.text } : {}),
    ...(c.media_type !== null ? { media_type: c.media_type, media_size: c.media_size } : {}),
    status: c.status,
    error: c.error,
    hashes: JSON.parse(c.hashes) as unknown,
    matches,
    ...(k
      ? {
          stance: {
            label: k.label,
            score: k.score,
            scores: { pro: k.p_pro, anti: k.p_anti, neutral: k.p_neutral },
            lang: k.lang,
            ...(k.behaviour ? { behaviour: k.behaviour } : {}),
            model: k.model,
          },
        }
      : {}),
    actions: actions.map(actionView),
    ...(extras.outcomes ? { outcomes: extras.outcomes.map(outcomeView) } : {}),
    timestamps: {
      received_at: iso(c.received_at),
      hashed_at: iso(c.hashed_at),
      matched_at: iso(c.matched_at),
      classified_at: iso(c.classified_at),
      acted_at: iso(c.acted_at),
    },
    durations_ms: {
      received_to_hashed: ms(c.received_at, c.hashed_at),
      received_to_matched: ms(c.received_at, c.matched_at),
      received_to_acted: ms(c.received_at, c.acted_at),
    },
  };
}
