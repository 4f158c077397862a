/**
 * The Redirect Method's lookup (issue 20): given a search query or a post (text, URL or media
 * hash), find the narrative it carries and return approved counter-content answering it, in
 * its language, ranked, each with a signed tracking link.
 *
 * The narrative comes from three sources, each giving evidence with a weight, and every piece
 * of evidence is returned as a reason:
 *   - keyword sets curated per narrative, matched Arabic-normalised (weight 0.6 per phrase);
 *   - matches against banked content the caller may see: a matched signal's behaviour labels
 *     are narratives (weight 0.9);
 *   - the stance classifier: a pro-ISIS verdict with a behaviour gives that narrative its
 *     calibrated probability of `pro`.
 * A narrative's score is the noisy-OR of its evidence, 1 − Π(1 − w); an item's score the best
 * score among the narratives it answers. Items are served after core/counter.ts's
 * canServeCounterItem (own items but RED, other members' only CLEAR). Everything the path
 * needs is in memory (CounterLibrary's snapshot, the matcher's indexes, the model); the only
 * database read is for the labels of banked signals matched, cached for a minute.
 */

import {
  canServeCounterItem,
  narrativeOfBehaviour,
  isNarrative,
  type CounterItem,
  type CounterLang,
  type Narrative,
} from "../core/counter.js";
import { RasdError } from "../core/errors.js";
import type { StanceClassifier } from "../core/stance.js";
import type { Principal } from "./access.js";
import { newImpressionId, signTrackingToken } from "../kernels/crypto/tracking-token.js";
import { normalizeText } from "../kernels/text/index.js";
import type { SignalStore } from "../storage/ports/index.js";
import type { CounterLibrary } from "./counter-library.js";
import type { Matcher, MatchResult } from "./matcher.js";

export const KEYWORD_WEIGHT = 0.6;
export const BANK_WEIGHT = 0.9;
const DEFAULT_LIMIT = 5;
const LABEL_TTL_MS = 60_000;
const LABEL_CACHE_MAX = 10_000;

export interface RedirectQuery {
  /** A search query. */
  readonly query?: string;
  /** A post's text. */
  readonly text?: string;
  /** A post's link. */
  readonly url?: string;
  /** A post's media hash: pdq:<hex>, md5:<hex> or sha256:<hex>. */
  readonly mediaHash?: string;
  /** The language to answer in; default the classifier's reading of the text (Arabic or English), else both. */
  readonly lang?: CounterLang;
  readonly limit?: number;
}

export interface RedirectReason {
  readonly source: "keyword" | "bank" | "stance";
  readonly narrative: Narrative | null;
  readonly weight: number;
  /** The phrase, the signal and bank matched, or the verdict. */
  readonly detail: string;
}

export interface RedirectResultItem {
  readonly item: CounterItem;
  readonly narrative: Narrative;
  readonly score: number;
  readonly token: string;
  readonly trackingUrl: string;
}

export interface RedirectResult {
  readonly lang: CounterLang | null;
  readonly stance: { readonly label: string; readonly pro: number; readonly model: string } | null;
  readonly narratives: readonly { readonly narrative: Narrative; readonly score: number }[];
  readonly reasons: readonly RedirectReason[];
  readonly items: readonly RedirectResultItem[];
}

/** The path of a tracking link, on the API's own origin. */
export function trackingPath(token: string): string {
  return `/v1/redirect/go/${token}`;
}

export class RedirectService {
  private readonly labelCache = new Map<number, { at: number; narratives: Narrative[] }>();

  constructor(
    private readonly deps: {
      readonly library: CounterLibrary;
      readonly classifier: StanceClassifier;
      readonly matcher: Matcher;
      readonly signals: Pick<SignalStore, "getSignals">;
      readonly visibleBankIds: (who: Principal) => Promise<ReadonlySet<number>>;
    },
    private readonly tokenKey: Uint8Array,
  ) {}

  async redirect(who: Principal, q: RedirectQuery, now = Date.now()): Promise<RedirectResult> {
    const text = [q.query, q.text].filter((t): t is string => !!t && t.trim() !== "").join("\n");
    if (!text && !q.url && !q.mediaHash)
      throw new RasdError("invalid", "body: give a query, or a post's text, url or mediaHash");
    const snapshot = await this.deps.library.snapshot();
    const reasons: RedirectReason[] = [];

    let stance: RedirectResult["stance"] = null;
    let lang: CounterLang | null = q.lang ?? null;
    if (text) {
      const verdict = await this.deps.classifier.classify(text);
      stance = { label: verdict.label, pro: verdict.scores.pro, model: this.deps.classifier.version };
      if (!lang && (verdict.lang === "ar" || verdict.lang === "en")) lang = verdict.lang;
      const behaviour = narrativeOfBehaviour(verdict.behaviour);
      if (verdict.label === "pro")
        reasons.push({
          source: "stance",
          narrative: behaviour ?? null,
          weight: behaviour ? verdict.scores.pro : 0,
          detail: `pro-ISIS ${verdict.scores.pro.toFixed(3)}${verdict.behaviour ? `, behaviour ${verdict.behaviour}` : ""}`,
        });
      for (const hit of snapshot.keywords.findNormalized(normalizeText(text)))
        reasons.push({ source: "keyword", narrative: hit.tag, weight: KEYWORD_WEIGHT, detail: hit.phrase });
    }
    reasons.push(...(await this.bankReasons(who, text, q, now)));

    const miss = new Map<Narrative, number>();
    for (const r of reasons)
      if (r.narrative && r.weight > 0) miss.set(r.narrative, (miss.get(r.narrative) ?? 1) * (1 - r.weight));
    const scores = new Map([...miss].map(([n, m]) => [n, 1 - m] as const));
    const narratives = [...scores]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([narrative, score]) => ({ narrative, score }));

    const ranked = new Map<number, { item: CounterItem; narrative: Narrative; score: number }>();
    for (const { narrative, score } of narratives)
      for (const item of snapshot.byNarrative.get(narrative) ?? []) {
        if (ranked.has(item.id) || !canServeCounterItem(who.orgId, item)) continue;
        if (lang && item.lang !== lang) continue;
        ranked.set(item.id, { item, narrative, score });
      }
    const at = Math.floor(now / 1000);
    const items = [...ranked.values()]
      .sort((a, b) => b.score - a.score)
      .slice(0, q.limit ?? DEFAULT_LIMIT)
      .map((r) => {
        const token = signTrackingToken(this.tokenKey, {
          item: r.item.id,
          org: who.orgId,
          narrative: r.narrative,
          lang: r.item.lang,
          at,
          imp: newImpressionId(),
        });
        return { ...r, token, trackingUrl: trackingPath(token) };
      });
    return { lang, stance, narratives, reasons, items };
  }

  /** Evidence from banked content the caller may see: each matched signal's behaviour labels. */
  private async bankReasons(who: Principal, text: string, q: RedirectQuery, now: number): Promise<RedirectReason[]> {
    const banks = await this.deps.visibleBankIds(who);
    if (banks.size === 0) return [];
    const results: MatchResult[] = [];
    const m = this.deps.matcher;
    if (text) results.push(m.matchText(text, banks));
    if (q.url) results.push(m.matchUrl(q.url, banks));
    if (q.mediaHash) {
      const [type, value] = q.mediaHash.split(":") as [string, string | undefined];
      if (!value) throw new RasdError("invalid", "mediaHash: pdq:<hex>, md5:<hex> or sha256:<hex>");
      if (type === "pdq") results.push(m.matchPdq([{ hash: value.toLowerCase(), quality: 100 }], banks));
      else if (type === "md5" || type === "sha256") results.push(m.matchExact(type, value.toLowerCase(), banks));
      else throw new RasdError("invalid", `mediaHash: unknown hash type "${type}" (pdq, md5 or sha256)`);
    }
    const matches = results.flatMap((r) => r.matches).filter((x) => !x.suppressed);
    if (matches.length === 0) return [];
    const labels = await this.narrativesOf([...new Set(matches.map((x) => x.signalId))], now);
    const out: RedirectReason[] = [];
    const seen = new Set<string>();
    for (const x of matches)
      for (const narrative of labels.get(x.signalId) ?? []) {
        const key = `${x.signalId}:${narrative}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          source: "bank",
          narrative,
          weight: BANK_WEIGHT,
          detail: `${x.type} signal ${x.signalId} in bank ${x.bankId}`,
        });
      }
    return out;
  }

  private async narrativesOf(ids: readonly number[], now: number): Promise<Map<number, Narrative[]>> {
    const out = new Map<number, Narrative[]>();
    const missing: number[] = [];
    for (const id of ids) {
      const hit = this.labelCache.get(id);
      if (hit && now - hit.at < LABEL_TTL_MS) out.set(id, hit.narratives);
      else missing.push(id);
    }
    if (missing.length > 0) {
      if (this.labelCache.size > LABEL_CACHE_MAX) this.labelCache.clear();
      for (const s of await this.deps.signals.getSignals(missing)) {
        const narratives: Narrative[] = s.labels.behaviour.filter((b) => isNarrative(b));
        this.labelCache.set(s.id, { at: now, narratives });
        out.set(s.id, narratives);
      }
    }
    return out;
  }
}
