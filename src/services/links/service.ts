/**
 * Links as the API and the CLI use them (issue 19): banked links with their liveness
 * history, chains and alerts (only links an active URL signal holds in a bank the caller may
 * see); a link followed on demand and every hop matched against the caller's banks; checks
 * asked for now; a member's own domains; and the figures (measure.ts).
 */

import { RasdError } from "../../core/errors.js";
import type { Interval } from "../../core/periods.js";
import { canonicalHost, canonicalizeUrl } from "../../kernels/url/index.js";
import type {
  Link,
  LinkAlert,
  LinkCheck,
  LinkExpansion,
  LinkState,
  LinkStore,
  OrgDomain,
} from "../../storage/ports/index.js";
import type { Viewer } from "../../core/sharing.js";
import type { SignalStore } from "../../storage/ports/index.js";
import type { AccessService } from "../access.js";
import type { Match, Matcher } from "../matcher.js";
import type { LinkExpander } from "./expander.js";
import { distinctHops } from "./expander.js";
import type { Chain } from "./follow.js";
import type { LinkLiveness } from "./liveness.js";
import { measureLinks, type LinkMeasurement } from "./measure.js";

export interface LinkDetail {
  readonly link: Link;
  readonly checks: readonly LinkCheck[];
  readonly alerts: readonly LinkAlert[];
  readonly expansions: readonly LinkExpansion[];
}

export interface ExpandAnswer {
  readonly url: string;
  readonly chain: Chain;
  /** Each hop's URL with the matches found for it. */
  readonly hops: readonly { readonly url: string; readonly matches: readonly Match[] }[];
}

export class LinkService {
  constructor(
    readonly store: LinkStore,
    private readonly access: AccessService,
    private readonly signals: SignalStore,
    private readonly matcher: Matcher,
    private readonly expander: LinkExpander,
    readonly liveness: LinkLiveness,
  ) {}

  private async banks(viewer: Viewer): Promise<number[]> {
    return [...(await this.access.visibleBankIds(viewer))];
  }

  list(
    viewer: Viewer,
    options: { status?: LinkState; host?: string; beforeId?: number; limit?: number } = {},
  ): Promise<Link[]> {
    return this.banks(viewer).then((bankIds) => this.store.list({ ...options, bankIds }));
  }

  /** A link the viewer may see, or "not_found" (never "forbidden": no existence leak). */
  async visibleLink(viewer: Viewer, id: number): Promise<Link> {
    const link = await this.store.get(id);
    if (!link || !(await this.store.visible(link.url, await this.banks(viewer))))
      throw new RasdError("not_found", `no link with id ${id}`);
    return link;
  }

  async detail(viewer: Viewer, id: number): Promise<LinkDetail> {
    const link = await this.visibleLink(viewer, id);
    const [checks, alerts, expansions] = await Promise.all([
      this.store.checks(id, 200),
      this.store.alertsOf(id),
      this.store.expansions({ url: link.url, limit: 20 }),
    ]);
    // Alerts name the member alerted: the viewer sees its own organisation's only.
    return { link, checks, alerts: alerts.filter((a) => a.orgId === viewer.orgId), expansions };
  }

  async checkNow(viewer: Viewer, id: number): Promise<Link> {
    await this.visibleLink(viewer, id);
    return this.liveness.checkNow(id);
  }

  /** Follows `url` now and matches every hop against the viewer's banks. */
  async expand(viewer: Viewer, url: string): Promise<ExpandAnswer> {
    const canonical = canonicalizeUrl(url).canonical; // url.invalid for what is not a URL
    const chain = await this.expander.expand(url, { orgId: viewer.orgId, itemId: null });
    const banks = new Set(await this.banks(viewer));
    const urls = distinctHops(chain);
    const hops = (urls.length ? urls : [url]).map((hop) => {
      try {
        return { url: hop, matches: this.matcher.matchUrl(hop, banks).matches };
      } catch {
        return { url: hop, matches: [] };
      }
    });
    return { url: canonical, chain, hops };
  }

  listDomains(orgId: number): Promise<OrgDomain[]> {
    return this.store.listDomains(orgId);
  }

  /** Adds a domain to the organisation's list; "invalid" for what is not a domain name. */
  async addDomain(orgId: number, domain: string): Promise<OrgDomain> {
    const d = domainName(domain);
    const added = await this.store.addDomain(orgId, d, Date.now());
    this.liveness.forgetDomains();
    return added;
  }

  async removeDomain(orgId: number, domain: string): Promise<void> {
    const d = domainName(domain);
    if (!(await this.store.removeDomain(orgId, d)))
      throw new RasdError("not_found", `domain ${d} is not on your organisation's list`);
    this.liveness.forgetDomains();
  }

  async measure(
    viewer: Viewer,
    q: { from: number; to: number; interval: Interval },
  ): Promise<LinkMeasurement | undefined> {
    const orgNames = new Map((await this.signals.listOrgs()).map((o) => [o.id, o.name]));
    return measureLinks(this.store, { ...q, bankIds: await this.banks(viewer), orgNames });
  }
}

/** A domain as listed: canonical host (lower case, punycode, no www.), with at least one dot. */
export function domainName(text: string): string {
  const trimmed = text
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
    .replace(/[/?#].*$/s, "");
  let host: string;
  try {
    host = canonicalHost(trimmed);
  } catch (error) {
    throw new RasdError("invalid", `domain: not a domain name: ${JSON.stringify(text)}`, { cause: error });
  }
  if (!host.includes(".") || /^[\d.]+$/.test(host) || host.includes(":"))
    throw new RasdError("invalid", `domain: not a domain name: ${JSON.stringify(text)}`);
  return host;
}
