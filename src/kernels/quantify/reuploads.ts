/**
 * Re-uploads: the same content submitted again, on the same platform or another. Items are the
 * same content when they share a content key — the same media bytes (SHA-256), the same
 * canonical URL, the same normalised text — or matched the same banked signal (a near copy
 * of known content: PDQ, vPDQ, text or URL matching). Keys join items transitively (union
 * find), so a re-encoded copy that matched a signal and an exact copy of it are one content.
 * The first item received is the original; every later one is a re-upload. Pure.
 */

import { percentiles, type Percentiles } from "./percentiles.js";

export interface CopyRecord {
  readonly itemId: number;
  readonly platform: string;
  readonly receivedAt: number;
  /** Content keys, e.g. `sha256:…`, `url:…`, `text:…`, `signal:42`. Items with none stand alone. */
  readonly keys: readonly string[];
  /** The item matched a banked signal (known content). */
  readonly matchedKnown: boolean;
  /** An action rule acted on the item (automatically, on receipt). */
  readonly actedAt: number | null;
  /** The item's first removal or disabling, if reported. */
  readonly removedAt: number | null;
}

export interface ReuploadPlatform {
  readonly platform: string;
  /** Re-uploads received on this platform. */
  readonly reuploads: number;
  /** Of them, of content first seen on another platform. */
  readonly fromOtherPlatforms: number;
  /** Of them, received after an earlier copy had been removed. */
  readonly afterRemoval: number;
  /** Of them, matched to known content (a banked signal) and so found automatically. */
  readonly matchedKnown: number;
}

export interface ReuploadFigures {
  /** Items considered. */
  readonly items: number;
  /** Distinct contents received more than once. */
  readonly repeatedContents: number;
  /** Items that are a later copy of content already received. */
  readonly reuploads: number;
  /** Re-uploads on a platform other than the one the content was first received on. */
  readonly acrossPlatforms: number;
  /** Re-uploads received after an earlier copy had been removed or disabled (reappearance). */
  readonly afterRemoval: number;
  /** Re-uploads matched to known content (a banked signal): found by automated tools. */
  readonly matchedKnown: number;
  /** Of the re-uploads after removal, those an action rule acted on automatically. */
  readonly afterRemovalActedAutomatically: number;
  /** Time from the original's receipt to each re-upload, in milliseconds. */
  readonly timeToReupload: Percentiles;
  readonly byPlatform: readonly ReuploadPlatform[];
  /** The most copied contents: the original item, its copies and on how many platforms. */
  readonly largest: readonly { readonly firstItemId: number; readonly copies: number; readonly platforms: number }[];
}

/** Union–find over item indexes. */
function groupsOf(records: readonly CopyRecord[]): number[] {
  const parent = records.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const owner = new Map<string, number>();
  records.forEach((r, i) => {
    for (const k of r.keys) {
      const j = owner.get(k);
      if (j === undefined) owner.set(k, i);
      else {
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  });
  return records.map((_, i) => find(i));
}

/**
 * Each item's content, named by the id of its content's first item (the original): what
 * copies.csv ships so that the re-upload figures recompute from the records.
 */
export function contentOriginals(records: readonly CopyRecord[]): Map<number, number> {
  const roots = groupsOf(records);
  const first = new Map<number, CopyRecord>();
  records.forEach((r, i) => {
    const f = first.get(roots[i]!);
    if (!f || r.receivedAt < f.receivedAt || (r.receivedAt === f.receivedAt && r.itemId < f.itemId))
      first.set(roots[i]!, r);
  });
  return new Map(records.map((r, i) => [r.itemId, first.get(roots[i]!)!.itemId]));
}

export function reuploadFigures(records: readonly CopyRecord[], largest = 10): ReuploadFigures {
  const roots = groupsOf(records);
  const members = new Map<number, CopyRecord[]>();
  records.forEach((r, i) => {
    const g = members.get(roots[i]!) ?? [];
    g.push(r);
    members.set(roots[i]!, g);
  });
  const perPlatform = new Map<string, { reuploads: number; fromOther: number; afterRemoval: number; known: number }>();
  const delays: number[] = [];
  const tops: { firstItemId: number; copies: number; platforms: number }[] = [];
  let repeated = 0;
  let reuploads = 0;
  let across = 0;
  let afterRemoval = 0;
  let known = 0;
  let afterRemovalActed = 0;
  for (const group of members.values()) {
    if (group.length < 2) continue;
    repeated++;
    const byTime = [...group].sort((a, b) => a.receivedAt - b.receivedAt || a.itemId - b.itemId);
    const first = byTime[0]!;
    let firstRemoval = Infinity;
    for (const [i, r] of byTime.entries()) {
      if (i > 0) {
        reuploads++;
        const p = perPlatform.get(r.platform) ?? { reuploads: 0, fromOther: 0, afterRemoval: 0, known: 0 };
        p.reuploads++;
        delays.push(r.receivedAt - first.receivedAt);
        if (r.platform !== first.platform) {
          across++;
          p.fromOther++;
        }
        if (r.receivedAt > firstRemoval) {
          afterRemoval++;
          p.afterRemoval++;
          if (r.actedAt !== null) afterRemovalActed++;
        }
        if (r.matchedKnown) {
          known++;
          p.known++;
        }
        perPlatform.set(r.platform, p);
      }
      // Removals are known only once they happen: a copy counts as a reappearance if an
      // earlier copy was removed before it arrived.
      if (r.removedAt !== null) firstRemoval = Math.min(firstRemoval, r.removedAt);
    }
    tops.push({
      firstItemId: first.itemId,
      copies: group.length,
      platforms: new Set(group.map((r) => r.platform)).size,
    });
  }
  tops.sort((a, b) => b.copies - a.copies || a.firstItemId - b.firstItemId);
  return {
    items: records.length,
    repeatedContents: repeated,
    reuploads,
    acrossPlatforms: across,
    afterRemoval,
    matchedKnown: known,
    afterRemovalActedAutomatically: afterRemovalActed,
    timeToReupload: percentiles(delays),
    byPlatform: [...perPlatform]
      .sort((a, b) => b[1].reuploads - a[1].reuploads || a[0].localeCompare(b[0]))
      .map(([platform, p]) => ({
        platform,
        reuploads: p.reuploads,
        fromOtherPlatforms: p.fromOther,
        afterRemoval: p.afterRemoval,
        matchedKnown: p.known,
      })),
    largest: tops.slice(0, largest),
  };
}
