/**
 * Figures about known content coming back (issue 16, Art. 7(3)(b), and what peers such as
 * Tech Against Terrorism publish): re-uploads of the same content, on the same platform or
 * another, and whether a person, rasd's automated matching or the member's own process
 * decided each removal, with the matching's precision as people judged it.
 */

import {
  automatedAccuracy,
  contentOriginals,
  decisionSplit,
  reuploadFigures,
  type AutomatedAccuracy,
  type CopyRecord,
  type DecisionSplit,
  type ReuploadFigures,
} from "../kernels/quantify/index.js";
import { normalizeText } from "../kernels/text/index.js";
import type { CopyItem, MeasureScope, MeasurementReads } from "../storage/ports/index.js";

/** Texts shorter than this once normalised ("ok", "thanks") are not taken as one content. */
export const MIN_TEXT_KEY_CHARS = 24;

interface StoredMatchLite {
  readonly signalId?: number;
  readonly suppressed?: boolean;
}

/** The keys that say which content an item is (kernels/quantify/reuploads.ts). */
export function contentKeys(item: CopyItem): string[] {
  const keys: string[] = [];
  let hashes: Record<string, unknown> = {};
  try {
    hashes = JSON.parse(item.hashes) as Record<string, unknown>;
  } catch {
    // A row from before the pipeline stored hashes: its media key and matches still count.
  }
  const sha = item.mediaSha256 ?? (typeof hashes.sha256 === "string" ? hashes.sha256 : null);
  if (sha) keys.push(`sha256:${sha}`);
  if (typeof hashes.video_md5 === "string") keys.push(`video_md5:${hashes.video_md5}`);
  if (item.kind === "url" && typeof hashes.url === "string") keys.push(`url:${hashes.url}`);
  if (item.kind === "text" && item.text) {
    const n = normalizeText(item.text);
    if (n.length >= MIN_TEXT_KEY_CHARS) keys.push(`text:${n}`);
  }
  for (const m of matchesOf(item.matches))
    if (!m.suppressed && m.signalId !== undefined) keys.push(`signal:${m.signalId}`);
  return keys;
}

function matchesOf(json: string): StoredMatchLite[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as StoredMatchLite[]) : [];
  } catch {
    return [];
  }
}

const REMOVALS = ["removed", "disabled"] as const;

/** One item as copies.csv ships it: which content it is (its original's id), and its times. */
export interface CopyRow {
  readonly itemId: number;
  readonly platform: string;
  readonly receivedAt: number;
  /** The id of the first item of the same content (itself for an original). */
  readonly original: number;
  readonly matchedKnown: boolean;
  readonly actedAt: number | null;
  readonly removedAt: number | null;
}

/** Re-uploads among the items received in scope. */
export async function measureReuploads(reads: MeasurementReads, scope: MeasureScope): Promise<ReuploadFigures> {
  return reuploadFigures(await copyRecords(reads, scope));
}

/** The re-upload figures and the rows they recompute from (the transparency report ships both). */
export async function reuploadsWithRows(
  reads: MeasurementReads,
  scope: MeasureScope,
): Promise<{ figures: ReuploadFigures; rows: CopyRow[] }> {
  const records = await copyRecords(reads, scope);
  const originals = contentOriginals(records);
  return {
    figures: reuploadFigures(records),
    rows: records.map((r) => ({
      itemId: r.itemId,
      platform: r.platform,
      receivedAt: r.receivedAt,
      original: originals.get(r.itemId)!,
      matchedKnown: r.matchedKnown,
      actedAt: r.actedAt,
      removedAt: r.removedAt,
    })),
  };
}

async function copyRecords(reads: MeasurementReads, scope: MeasureScope): Promise<CopyRecord[]> {
  const items = await reads.copyItems(scope);
  const removed = new Map<number, number>();
  for (const o of await reads.outcomeTimes(
    items.map((i) => i.id),
    REMOVALS,
  ))
    removed.set(o.itemId, Math.min(removed.get(o.itemId) ?? Infinity, o.at));
  return items.map((i) => ({
    itemId: i.id,
    platform: i.platform || i.orgName,
    receivedAt: i.receivedAt,
    keys: contentKeys(i),
    matchedKnown: matchesOf(i.matches).some((m) => !m.suppressed),
    actedAt: i.actedAt,
    removedAt: removed.get(i.id) ?? null,
  }));
}

export interface DecisionMeasurement {
  /** Who decided each removed item received in scope. */
  readonly removals: DecisionSplit;
  /** The matcher's precision on the matched items people reviewed in scope. */
  readonly matching: AutomatedAccuracy;
}

/** Automated and human decisions on the items received in scope. */
export async function measureDecisions(reads: MeasurementReads, scope: MeasureScope): Promise<DecisionMeasurement> {
  const items = await reads.takedownItems(scope);
  const ids = items.map((i) => i.id);
  const [outcomes, decisions] = await Promise.all([reads.outcomeTimes(ids, REMOVALS), reads.itemDecisions(ids)]);
  const firstDecision = new Map<number, { at: number; decision: string }>();
  for (const d of decisions)
    if (d.decision !== "escalate" && !firstDecision.has(d.itemId))
      firstDecision.set(d.itemId, { at: d.decidedAt, decision: d.decision });
  const byId = new Map(items.map((i) => [i.id, i]));
  const matched = (id: number) => matchesOf(byId.get(id)?.matches ?? "[]").some((m) => !m.suppressed);
  return {
    removals: decisionSplit(
      outcomes.map((o) => ({
        itemId: o.itemId,
        basis: o.basis,
        removedAt: o.at,
        matched: matched(o.itemId),
        actedAt: byId.get(o.itemId)?.actedAt ?? null,
        humanDecidedAt: firstDecision.get(o.itemId)?.at ?? null,
      })),
    ),
    matching: automatedAccuracy(
      [...firstDecision].map(([itemId, d]) => ({ matched: matched(itemId), decision: d.decision })),
    ),
  };
}

/** What each figure counts (shipped with the API answer and the report). */
export const REUSE_DEFINITIONS: Readonly<Record<string, string>> = {
  sameContent: `Items are the same content when they share the media's SHA-256, a video's MD5, a canonical URL, a normalised text of at least ${MIN_TEXT_KEY_CHARS} characters, or a matched banked signal; the relation is transitive. The first item received is the original, every later one a re-upload.`,
  afterRemoval: "A re-upload received after an earlier copy of the same content was reported removed or disabled.",
  matchedKnown: "A re-upload that matched a banked signal: found by rasd's automated tools on receipt.",
  "decisions.removals":
    "Per removed or disabled item received in scope, its first removal: human when a person decided the item in rasd's review at or before the removal; automated when nobody did and the basis was hash_match or a rule acted on a match before the removal; memberProcess otherwise (orders, referrals and terms-of-service decisions taken outside rasd).",
  "decisions.matching":
    "The matcher's precision as people judged it: of the matched items decided in review (escalations left out), the share decided violating, with a 95% Wilson interval. Items reach review by rules, not at random: the figure describes the reviewed matches.",
};
