/**
 * The links port (issue 19, "links that stay down"): banked URLs checked again and again for
 * liveness, each check with the redirect chain it followed; the hosts' pacing (so several
 * workers together never check one host faster than allowed); the domains a member lists as
 * its own; the alerts sent to those members; and the chains followed when a submitted link was
 * expanded. A link is visible to a caller when an active URL signal with its canonical form is
 * in a bank the caller may see (`bankIds` below).
 */

/** A liveness verdict, or "unchecked" before the first check. */
export type LinkState = "unchecked" | "online" | "removed" | "error";

/** One request of a redirect chain. */
export interface LinkHop {
  /** The URL requested (absolute, with its scheme). */
  readonly url: string;
  readonly method: "HEAD" | "GET";
  /** The HTTP status, or null when there was no answer. */
  readonly status: number | null;
  /** Where a 3xx (or a page's refresh) sent the next hop. */
  readonly location?: string;
  /** Why there was no answer (network, timeout, refused address). */
  readonly error?: string;
  readonly ms: number;
}

export interface Link {
  readonly id: number;
  /** The canonical URL (the URL signal's value). */
  readonly url: string;
  /** Its canonical host. */
  readonly host: string;
  readonly status: LinkState;
  readonly statusAt: number | null;
  /** When rasd first saw the URL banked. */
  readonly bankedAt: number;
  readonly firstOnlineAt: number | null;
  readonly lastOnlineAt: number | null;
  /** The first check that found it removed: the takedown time (bounded by the check before it). */
  readonly firstOfflineAt: number | null;
  readonly lastCheckedAt: number | null;
  readonly checks: number;
  /** Checks in a row ending in an error (the back-off's exponent). */
  readonly failures: number;
  readonly nextCheckAt: number;
  readonly lastHttpStatus: number | null;
  readonly lastError: string | null;
  readonly finalUrl: string | null;
}

export interface LinkCheck {
  readonly id: number;
  readonly linkId: number;
  readonly checkedAt: number;
  readonly status: Exclude<LinkState, "unchecked">;
  readonly httpStatus: number | null;
  readonly detail: string;
  readonly hops: readonly LinkHop[];
}

/** What one check found, and when to check again. */
export interface CheckResult {
  readonly checkedAt: number;
  readonly status: Exclude<LinkState, "unchecked">;
  readonly httpStatus: number | null;
  readonly detail: string;
  readonly hops: readonly LinkHop[];
  readonly finalUrl: string | null;
  readonly nextCheckAt: number;
  /** The host asked to be left alone until then (429 Retry-After). */
  readonly hostNotBefore?: number;
}

export interface OrgDomain {
  readonly id: number;
  readonly orgId: number;
  readonly domain: string;
  readonly createdAt: number;
}

export interface LinkAlert {
  readonly id: number;
  readonly linkId: number;
  readonly orgId: number;
  /** The content item that carries the alert through the org's rules and webhooks. */
  readonly itemId: number | null;
  readonly alertedAt: number;
}

/** An alert with what followed: the first check that found the link removed after it. */
export interface AlertOutcome extends LinkAlert {
  readonly url: string;
  readonly host: string;
  readonly removedAt: number | null;
  readonly lastCheckedAt: number | null;
}

export interface LinkExpansion {
  readonly id: number;
  readonly orgId: number;
  readonly itemId: number | null;
  /** The link as submitted (canonical) and where its chain ended. */
  readonly url: string;
  readonly finalUrl: string | null;
  readonly hops: readonly LinkHop[];
  readonly error: string | null;
  readonly expandedAt: number;
}

export type NewLinkExpansion = Omit<LinkExpansion, "id">;

/** A link's state at a moment (its latest check before then), for the figures. */
export interface LinkStateAt {
  readonly id: number;
  readonly host: string;
  readonly status: LinkState;
  readonly firstOnlineAt: number | null;
  readonly firstOfflineAt: number | null;
  readonly lastCheckedAt: number | null;
}

export interface LinkListOptions {
  /** Only links banked in these banks (the caller's visible ones). */
  readonly bankIds: readonly number[];
  readonly status?: LinkState;
  readonly host?: string;
  readonly beforeId?: number;
  readonly limit?: number;
}

export interface LinkLease {
  readonly owner: string;
  readonly now: number;
  readonly leaseMs: number;
  readonly limit: number;
  /** A host is not checked again by anyone before this much time has passed. */
  readonly hostGapMs: number;
}

export interface LinkStore {
  /** Adds the URLs not there yet (due for a check at `now`); returns how many were added. */
  enrol(links: readonly { readonly url: string; readonly host: string }[], now: number): Promise<number>;
  get(id: number): Promise<Link | undefined>;
  getByUrl(url: string): Promise<Link | undefined>;
  /** Links banked in `bankIds`, newest first. */
  list(options: LinkListOptions): Promise<Link[]>;
  /** Whether an active URL signal with this value is in one of `bankIds`. */
  visible(url: string, bankIds: readonly number[]): Promise<boolean>;
  /**
   * Leases links due for a check: at most one per host, none on a host paced until later;
   * the hosts leased are paced `hostGapMs` from now for every worker.
   */
  leaseDue(lease: LinkLease): Promise<Link[]>;
  /** Leases one link now whatever its schedule (a check asked for); undefined when another worker holds it. */
  leaseOne(id: number, owner: string, now: number, leaseMs: number): Promise<Link | undefined>;
  /** Records a check by the lease's owner; false when the lease was lost (nothing written). */
  recordCheck(linkId: number, owner: string, result: CheckResult): Promise<boolean>;
  /** A link's checks, newest first. */
  checks(linkId: number, limit?: number): Promise<LinkCheck[]>;

  addDomain(orgId: number, domain: string, now: number): Promise<OrgDomain>;
  /** True when the organisation had it. */
  removeDomain(orgId: number, domain: string): Promise<boolean>;
  /** Every organisation's domains, or one's. */
  listDomains(orgId?: number): Promise<OrgDomain[]>;

  /** Records an alert once per link and organisation; undefined when one was already recorded. */
  recordAlert(alert: Omit<LinkAlert, "id">): Promise<LinkAlert | undefined>;
  /** Sets the item an alert travels as. */
  setAlertItem(alertId: number, itemId: number): Promise<void>;
  alertsOf(linkId: number): Promise<LinkAlert[]>;
  /** Alerts sent in [from, to) on links banked in `bankIds`, with the first removal seen after each. */
  alertOutcomes(from: number, to: number, bankIds: readonly number[]): Promise<AlertOutcome[]>;
  /** Every link banked in `bankIds` before `at`, as its latest check before `at` left it. */
  statesAt(at: number, bankIds: readonly number[]): Promise<LinkStateAt[]>;

  recordExpansion(e: NewLinkExpansion): Promise<LinkExpansion>;
  /** The chains followed from this canonical URL (newest first), or for this item. */
  expansions(query: {
    readonly url?: string;
    readonly itemId?: number;
    readonly limit?: number;
  }): Promise<LinkExpansion[]>;
}
