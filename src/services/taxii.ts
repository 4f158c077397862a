/**
 * A TAXII 2.1 server's reading side (OASIS TAXII 2.1, §4–5): each bank the caller may see is a
 * read-only collection of STIX 2.1 Indicators (kernels/stix), one per signal, retracted ones
 * revoked, each followed by its members' Opinions (decision 0042; retracted ones revoked). Objects are listed in the order rasd numbered their changes; an object's
 * `date_added` and its one version are the signal's last change (rasd keeps the latest state
 * of a signal, not its history), so `added_after` finds what changed since a poll, and `next`
 * is the change cursor to resume from.
 */

import { RasdError } from "../core/errors.js";
import type { Bank, Signal } from "../core/model.js";
import { STIX_NAMESPACE, signalToIndicator, type StixObject } from "../kernels/stix/indicator.js";
import { uuidv5 } from "../kernels/stix/uuid.js";
import { opinionToStix, type OpinionRecord } from "../kernels/stix/opinion.js";
import { opinionRecordsOf } from "./opinion-records.js";
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

/** The object types a collection holds. */
const OBJECT_TYPES: readonly string[] = ["indicator", "opinion"];

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
    /** What opinions say of their organisation (RASD_OPINION_ORGS, decision 0042). */
    private readonly opinionOrgs: "named" | "anonymous" = "named",
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

  /**
   * A signal's objects: its Indicator, then its members' Opinions (decision 0042), retracted ones
   * revoked. They share the signal's change, so they always travel in one page.
   */
  private objectsOf(s: Signal, c: TaxiiCollection, orgName: string, opinions: readonly OpinionRecord[]): StixObject[] {
    const indicator = signalToIndicator(s, { bank: c.bank, orgName });
    return [indicator, ...opinions.map((o) => opinionToStix(o, indicator))];
  }

  private opinionsOf(signals: readonly Signal[]): Promise<Map<number, OpinionRecord[]>> {
    return opinionRecordsOf(this.store, signals, {
      named: this.opinionOrgs === "named",
      includeRetracted: true,
      includeForeign: false,
    });
  }

  /**
   * A page of the collection's objects (Indicators and Opinions), filtered as TAXII's match[...]
   * and added_after say. A signal's objects are never split across pages: a page ends before a
   * signal whose objects would take it past `limit` (one signal with more is sent whole).
   */
  async objects(who: Principal, collection: string, q: TaxiiQuery): Promise<TaxiiPage> {
    const c = await this.collection(who, collection);
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? TAXII_DEFAULT_LIMIT)), TAXII_MAX_LIMIT);
    let cursor = 0;
    if (q.next !== undefined) {
      if (!/^\d+$/.test(q.next)) throw new RasdError("invalid", `next: "${q.next}" is not a value this server gave`);
      cursor = Number(q.next);
    }
    if (q.types && !q.types.some((t) => OBJECT_TYPES.includes(t))) return { objects: [], more: false };
    if (q.specVersions && !q.specVersions.includes("2.1")) return { objects: [], more: false };
    const orgName = c.title.slice(0, c.title.lastIndexOf("/"));
    const upTo = await this.store.currentCursor();
    const objects: StixObject[] = [];
    const added: number[] = [];
    let more = false;
    // Filtering by id happens after reading (ids are derived, not stored): read on until the
    // page is full and another object is found (so `more` is true only when one is there), or
    // the collection ends.
    for (;;) {
      const page = await this.store.changesSince(cursor, limit + 1, {
        bankIds: [c.bank.id],
        upTo,
        ...(q.addedAfter !== undefined ? { updatedAfter: q.addedAfter } : {}),
      });
      const opinions = await this.opinionsOf(page.signals);
      for (const s of page.signals) {
        const group = this.objectsOf(s, c, orgName, opinions.get(s.id) ?? []).filter(
          (o) =>
            (!q.types || q.types.includes(o.type)) &&
            (!q.ids || q.ids.includes(o.id)) &&
            (!q.versions || matchesVersion(o, q.versions)),
        );
        if (group.length > 0 && objects.length > 0 && objects.length + group.length > limit) {
          more = true;
          break;
        }
        cursor = s.changeSeq;
        for (const o of group) {
          objects.push(o);
          added.push(s.updatedAt);
        }
      }
      // A page read to its end has seen everything up to its cursor.
      if (!more) cursor = page.cursor;
      if (more || cursor >= upTo || page.signals.length === 0) break;
    }
    return {
      objects,
      more,
      ...(more ? { next: String(cursor) } : {}),
      ...(added.length > 0 ? { first: Math.min(...added), last: Math.max(...added) } : {}),
    };
  }

  /**
   * The collection's signals (retracted ones too) whose Indicator has one of these ids: one read
   * of the bank, as `object` does (an Indicator's id is derived from its bank and value, not stored).
   */
  async indicatorSignals(who: Principal, collection: string, ids: ReadonlySet<string>): Promise<Map<string, Signal>> {
    const c = await this.collection(who, collection);
    const orgName = c.title.slice(0, c.title.lastIndexOf("/"));
    const found = new Map<string, Signal>();
    for (let afterId = 0; found.size < ids.size;) {
      const page = await this.store.listSignals(c.bank.id, { afterId, limit: 5000, includeRetracted: true });
      if (page.length === 0) break;
      for (const s of page) {
        const id = signalToIndicator(s, { bank: c.bank, orgName }).id;
        if (ids.has(id)) found.set(id, s);
      }
      afterId = page[page.length - 1]!.id;
    }
    return found;
  }

  /** One object of the collection by id (its one version), or not_found. */
  async object(who: Principal, collection: string, objectId: string): Promise<{ object: StixObject; added: number }> {
    const c = await this.collection(who, collection);
    const orgName = c.title.slice(0, c.title.lastIndexOf("/"));
    let afterId = 0;
    for (;;) {
      const page = await this.store.listSignals(c.bank.id, { afterId, limit: 5000, includeRetracted: true });
      if (page.length === 0) break;
      const opinions = objectId.startsWith("opinion--") ? await this.opinionsOf(page) : new Map<number, never[]>();
      for (const s of page) {
        for (const o of this.objectsOf(s, c, orgName, opinions.get(s.id) ?? []))
          if (o.id === objectId) return { object: o, added: s.updatedAt };
      }
      afterId = page[page.length - 1]!.id;
    }
    throw new RasdError("not_found", `no object ${objectId} in collection ${collection}`);
  }
}
