/**
 * A TAXII 2.1 server's reading side (OASIS TAXII 2.1, §4–5): each bank the caller may see is a
 * read-only collection of STIX 2.1 Indicators (kernels/stix), one per signal, retracted ones
 * revoked. Objects are listed in the order rasd numbered their changes; an object's
 * `date_added` and its one version are the signal's last change (rasd keeps the latest state
 * of a signal, not its history), so `added_after` finds what changed since a poll, and `next`
 * is the change cursor to resume from.
 */

import { RasdError } from "../core/errors.js";
import type { Bank, Signal } from "../core/model.js";
import { STIX_NAMESPACE, signalToIndicator, type StixObject } from "../kernels/stix/indicator.js";
import { uuidv5 } from "../kernels/stix/uuid.js";
import type { SignalStore } from "../storage/store.js";
import type { AccessService, Principal } from "./access.js";

export const TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1";
export const STIX_MEDIA_TYPE = "application/stix+json;version=2.1";
export const TAXII_DEFAULT_LIMIT = 100;
export const TAXII_MAX_LIMIT = 1000;

export interface TaxiiCollection {
  readonly bank: Bank;
  readonly id: string;
  readonly title: string;
  readonly description: string;
}

export interface TaxiiQuery {
  readonly addedAfter?: number;
  readonly limit?: number;
  readonly next?: string;
  readonly types?: readonly string[];
  readonly ids?: readonly string[];
  /** match[version]: first, last, all or timestamps (an object's one version is all of first/last/all). */
  readonly versions?: readonly string[];
  /** match[spec_version]: every object here is STIX 2.1. */
  readonly specVersions?: readonly string[];
}

export interface TaxiiPage {
  readonly objects: readonly StixObject[];
  readonly more: boolean;
  readonly next?: string;
  /** The first and last date_added of the page (ms), for the X-TAXII-Date-Added-* headers. */
  readonly first?: number;
  readonly last?: number;
}

export function collectionId(bankId: number): string {
  return uuidv5(STIX_NAMESPACE, `collection/${bankId}`);
}

/**
 * TAXII's match[version] for an object with one version: `first`, `last` and `all` all name it,
 * and a timestamp names it when it is its `modified` (compared as instants, not as text).
 */
export function matchesVersion(o: StixObject, wanted: readonly string[]): boolean {
  const modified = Date.parse(String(o.modified));
  return wanted.some((w) => w === "first" || w === "last" || w === "all" || Date.parse(w) === modified);
}

export class TaxiiService {
  constructor(
    private readonly store: SignalStore,
    private readonly access: AccessService,
  ) {}

  async collections(who: Principal): Promise<TaxiiCollection[]> {
    const [banks, orgs] = await Promise.all([this.access.visibleBanks(who), this.store.listOrgs()]);
    const orgName = new Map(orgs.map((o) => [o.id, o.name]));
    return banks.map((bank) => ({
      bank,
      id: collectionId(bank.id),
      title: `${orgName.get(bank.orgId) ?? `organisation ${bank.orgId}`}/${bank.name}`,
      description: bank.description || `rasd bank ${bank.name}, TLP:${bank.tlp}`,
    }));
  }

  /** A collection the caller may see, else not_found (whether it exists or not). */
  async collection(who: Principal, id: string): Promise<TaxiiCollection> {
    const found = (await this.collections(who)).find((c) => c.id === id.toLowerCase());
    if (!found) throw new RasdError("not_found", `no collection ${id}`);
    return found;
  }

  /** A page of the collection's Indicators, filtered as TAXII's match[...] and added_after say. */
  async objects(who: Principal, collection: string, q: TaxiiQuery): Promise<TaxiiPage> {
    const c = await this.collection(who, collection);
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? TAXII_DEFAULT_LIMIT)), TAXII_MAX_LIMIT);
    let cursor = 0;
    if (q.next !== undefined) {
      if (!/^\d+$/.test(q.next)) throw new RasdError("invalid", `next: "${q.next}" is not a value this server gave`);
      cursor = Number(q.next);
    }
    if (q.types && !q.types.includes("indicator")) return { objects: [], more: false };
    if (q.specVersions && !q.specVersions.includes("2.1")) return { objects: [], more: false };
    const orgName = c.title.slice(0, c.title.lastIndexOf("/"));
    const upTo = await this.store.currentCursor();
    const objects: StixObject[] = [];
    const signals: Signal[] = [];
    // Filtering by id happens after reading (an Indicator id is derived, not stored): read on
    // until the page and one more object are found, or the collection ends, so that `more` is
    // true only when another object is there (no empty last page).
    const want = limit + 1;
    for (;;) {
      const page = await this.store.changesSince(cursor, want, {
        bankIds: [c.bank.id],
        upTo,
        ...(q.addedAfter !== undefined ? { updatedAfter: q.addedAfter } : {}),
      });
      let full = false;
      for (const s of page.signals) {
        if (objects.length === want) {
          full = true;
          break;
        }
        cursor = s.changeSeq;
        const indicator = signalToIndicator(s, { bank: c.bank, orgName });
        if (q.ids && !q.ids.includes(indicator.id)) continue;
        if (q.versions && !matchesVersion(indicator, q.versions)) continue;
        objects.push(indicator);
        signals.push(s);
      }
      // A page read to its end has seen everything up to its cursor.
      if (!full) cursor = page.cursor;
      if (full || objects.length === want || cursor >= upTo || page.signals.length === 0) break;
    }
    const more = objects.length === want;
    if (more) {
      // The extra object only said there is more: the next page starts after the last one sent.
      objects.pop();
      signals.pop();
      cursor = signals[signals.length - 1]!.changeSeq;
    }
    const times = signals.map((s) => s.updatedAt);
    return {
      objects,
      more,
      ...(more ? { next: String(cursor) } : {}),
      ...(times.length > 0 ? { first: Math.min(...times), last: Math.max(...times) } : {}),
    };
  }

  /** One object of the collection by id (its one version), or not_found. */
  async object(who: Principal, collection: string, objectId: string): Promise<{ object: StixObject; added: number }> {
    const c = await this.collection(who, collection);
    const orgName = c.title.slice(0, c.title.lastIndexOf("/"));
    let afterId = 0;
    for (;;) {
      const page = await this.store.listSignals(c.bank.id, { afterId, limit: 5000, includeRetracted: true });
      if (page.length === 0) break;
      for (const s of page) {
        const indicator = signalToIndicator(s, { bank: c.bank, orgName });
        if (indicator.id === objectId) return { object: indicator, added: s.updatedAt };
      }
      afterId = page[page.length - 1]!.id;
    }
    throw new RasdError("not_found", `no object ${objectId} in collection ${collection}`);
  }
}
