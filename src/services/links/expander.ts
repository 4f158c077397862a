/**
 * Expanding the links of submitted items in the pipeline (issue 19): a URL item's link, and
 * the links found in a text item (defanged forms too: kernels/url refangs them), are followed
 * hop by hop (follow.ts) when the operator's mode says so — shorteners only by default, every
 * link with RASD_LINK_EXPAND=all — and every hop after the first is matched like the link
 * itself, so a banked URL behind a shortener or a redirector is a match like any other (rules
 * and webhooks fire on it). Each chain is recorded with the item. The workers run this after
 * the 202, as a "links" job of its own once the item's direct matches are committed and acted
 * on (follow-up.ts, decision 0038): neither submission nor direct actions wait on the hosts.
 */

import { describeError } from "../../core/errors.js";
import type { LinkExpandMode } from "../../config/links.js";
import { canonicalizeUrl, extractUrls, refangUrl, type ShortenerSet } from "../../kernels/url/index.js";
import { getLogger } from "../../logging/logger.js";
import type { ContentItem, LinkStore } from "../../storage/ports/index.js";
import { followChain, type Chain, type LinkHttp } from "./follow.js";

/** Links of one text followed at most (a text full of links costs at most this many chains). */
export const MAX_LINKS_PER_ITEM = 5;

/**
 * A host that did not answer at all (timeout, refused, no address) is not asked again for a
 * while — first a minute, doubling while it stays silent, at most half an hour — so a
 * shortener that is down or out of reach costs the links step one time limit, not one per item.
 */
export const UNREACHABLE_FIRST_MS = 60_000;
export const UNREACHABLE_MAX_MS = 30 * 60_000;

/** One followed link as the item's hashes show it. */
export interface ExpandedLink {
  readonly url: string;
  /** Every hop's URL, in order (the first is the link itself). */
  readonly hops: readonly string[];
  readonly finalUrl: string | null;
  readonly error: string | null;
}

export class LinkExpander {
  private readonly log = getLogger("links");
  /** host → until when it is not asked, and the wait after the next silence. */
  private readonly unreachable = new Map<string, { until: number; nextMs: number }>();

  constructor(
    private readonly deps: { readonly links: LinkStore; readonly http: LinkHttp; readonly shorteners: ShortenerSet },
    readonly mode: LinkExpandMode,
  ) {}

  /** The links of `item` to follow, as URLs to request (a scheme kept when written). */
  targets(item: ContentItem): string[] {
    if (this.mode === "off") return [];
    const wanted = (isShortener: boolean) => this.mode === "all" || isShortener;
    if (item.kind === "url" && item.url) {
      try {
        const c = canonicalizeUrl(item.url, { shorteners: this.deps.shorteners });
        if (!wanted(c.isShortener)) return [];
        const refanged = refangUrl(item.url.trim()).text;
        return [/^https?:\/\//i.test(refanged) ? refanged : c.canonical];
      } catch {
        return [];
      }
    }
    if (item.kind === "text" && item.text) {
      const out = new Set<string>();
      for (const u of extractUrls(item.text, { shorteners: this.deps.shorteners })) {
        if (!wanted(u.url.isShortener) || u.url.scheme === "ftp") continue;
        const refanged = refangUrl(u.raw).text;
        out.add(/^https?:\/\//i.test(refanged) ? refanged : u.canonical);
        if (out.size >= MAX_LINKS_PER_ITEM) break;
      }
      return [...out];
    }
    return [];
  }

  /** Follows one link and records the chain with the item. */
  async expand(url: string, who: { readonly orgId: number; readonly itemId: number | null }): Promise<Chain> {
    let chain: Chain;
    const host = hostOf(url);
    const silent = host === null ? undefined : this.unreachable.get(host);
    if (silent && silent.until > Date.now()) {
      chain = {
        hops: [],
        finalUrl: null,
        error: `not followed: ${host} did not answer recently (asked again after ${new Date(silent.until).toISOString()})`,
        finalStatus: null,
      };
    } else {
      try {
        chain = await followChain(url, this.deps.http, { shorteners: this.deps.shorteners });
      } catch (error) {
        chain = { hops: [], finalUrl: null, error: describeError(error), finalStatus: null };
      }
      this.noteSilence(chain);
    }
    let canonical = url;
    try {
      canonical = canonicalizeUrl(url).canonical;
    } catch {
      // recorded as written
    }
    try {
      await this.deps.links.recordExpansion({
        orgId: who.orgId,
        itemId: who.itemId,
        url: canonical,
        finalUrl: chain.finalUrl,
        hops: chain.hops,
        error: chain.error,
        expandedAt: Date.now(),
      });
    } catch (error) {
      // The chain is still matched; only its record is lost.
      this.log.warn({ err: describeError(error), url: canonical }, "recording a link's expansion failed");
    }
    return chain;
  }

  /** Hosts that answered are asked as usual; hosts that gave no answer at all wait (see above). */
  private noteSilence(chain: Chain): void {
    const now = Date.now();
    for (const hop of chain.hops) {
      const host = hostOf(hop.url);
      if (host === null) continue;
      if (hop.status !== null) {
        this.unreachable.delete(host);
        continue;
      }
      if (/^(fetch\.(scheme|credentials|private_address)|url)/.test(hop.error ?? "")) continue;
      const before = this.unreachable.get(host);
      const wait = before ? before.nextMs : UNREACHABLE_FIRST_MS;
      this.unreachable.set(host, { until: now + wait, nextMs: Math.min(wait * 2, UNREACHABLE_MAX_MS) });
    }
  }

  /**
   * Follows the item's links and matches every hop after the first with `match`; returns the
   * chains (for the item's hashes) and the match results.
   */
  async expandItem<R>(item: ContentItem, match: (url: string) => R): Promise<{ links: ExpandedLink[]; results: R[] }> {
    const links: ExpandedLink[] = [];
    const results: R[] = [];
    for (const url of this.targets(item)) {
      const chain = await this.expand(url, { orgId: item.orgId, itemId: item.id });
      const urls = distinctHops(chain);
      for (const hop of urls.slice(1)) {
        try {
          results.push(match(hop));
        } catch {
          // A hop that is not a URL rasd can canonicalise matches nothing.
        }
      }
      links.push({ url, hops: urls, finalUrl: chain.finalUrl, error: chain.error });
    }
    return { links, results };
  }
}

function hostOf(url: string): string | null {
  try {
    return new URL(/^https?:\/\//i.test(url) ? url : `https://${url}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** The chain's URLs in order, each once (HEAD then GET of one URL is one URL). */
export function distinctHops(chain: Chain): string[] {
  const out: string[] = [];
  for (const h of chain.hops) {
    if (out[out.length - 1] !== h.url) out.push(h.url);
    if (h.location && chain.hops[chain.hops.length - 1] === h && !chain.finalUrl) out.push(h.location);
  }
  return [...new Set(out)];
}
