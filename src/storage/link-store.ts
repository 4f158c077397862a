/** Links, their checks, hosts' pacing, members' domains, alerts and expansions (ports/links.ts) over Kysely. */

import { sql, type Generated, type Kysely, type Selectable } from "kysely";
import { RasdError } from "../core/errors.js";
import type {
  AlertOutcome,
  CheckResult,
  Link,
  LinkAlert,
  LinkCheck,
  LinkExpansion,
  LinkHop,
  LinkLease,
  LinkListOptions,
  LinkState,
  LinkStateAt,
  LinkStore,
  NewLinkExpansion,
  OrgDomain,
} from "./ports/links.js";
import type { Database } from "./schema.js";

interface LinksTable {
  id: Generated<number>;
  url: string;
  host: string;
  status: Generated<string>;
  status_at: number | null;
  banked_at: number;
  first_online_at: number | null;
  last_online_at: number | null;
  first_offline_at: number | null;
  last_checked_at: number | null;
  checks: Generated<number>;
  failures: Generated<number>;
  next_check_at: number;
  last_http_status: number | null;
  last_error: string | null;
  final_url: string | null;
  lease_owner: string | null;
  lease_until: number | null;
}

interface LinkChecksTable {
  id: Generated<number>;
  link_id: number;
  checked_at: number;
  status: string;
  http_status: number | null;
  detail: string;
  hops: string;
}

interface LinkHostsTable {
  host: string;
  not_before: number;
}

interface OrgDomainsTable {
  id: Generated<number>;
  org_id: number;
  domain: string;
  created_at: number;
}

interface LinkAlertsTable {
  id: Generated<number>;
  link_id: number;
  org_id: number;
  item_id: number | null;
  alerted_at: number;
}

interface LinkExpansionsTable {
  id: Generated<number>;
  org_id: number;
  item_id: number | null;
  url: string;
  final_url: string | null;
  hops: string;
  error: string | null;
  expanded_at: number;
}

/** The tables of migration 0019. */
export type LinkTables = {
  links: LinksTable;
  link_checks: LinkChecksTable;
  link_hosts: LinkHostsTable;
  org_domains: OrgDomainsTable;
  link_alerts: LinkAlertsTable;
  link_expansions: LinkExpansionsTable;
};

type Db = Kysely<Database & LinkTables>;

/** Errors and details are stored truncated. */
const MAX_TEXT = 2000;
/** Candidates looked at per link leased: enough to find distinct hosts among due links. */
const CANDIDATES_PER_LEASE = 8;

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function hopsOf(text: string): LinkHop[] {
  return JSON.parse(text) as LinkHop[];
}

function toLink(r: Selectable<LinksTable>): Link {
  return {
    id: r.id,
    url: r.url,
    host: r.host,
    status: r.status as LinkState,
    statusAt: num(r.status_at),
    bankedAt: Number(r.banked_at),
    firstOnlineAt: num(r.first_online_at),
    lastOnlineAt: num(r.last_online_at),
    firstOfflineAt: num(r.first_offline_at),
    lastCheckedAt: num(r.last_checked_at),
    checks: Number(r.checks),
    failures: Number(r.failures),
    nextCheckAt: Number(r.next_check_at),
    lastHttpStatus: r.last_http_status,
    lastError: r.last_error,
    finalUrl: r.final_url,
  };
}

function toAlert(r: Selectable<LinkAlertsTable>): LinkAlert {
  return { id: r.id, linkId: r.link_id, orgId: r.org_id, itemId: r.item_id, alertedAt: Number(r.alerted_at) };
}

function toExpansion(r: Selectable<LinkExpansionsTable>): LinkExpansion {
  return {
    id: r.id,
    orgId: r.org_id,
    itemId: r.item_id,
    url: r.url,
    finalUrl: r.final_url,
    hops: hopsOf(r.hops),
    error: r.error,
    expandedAt: Number(r.expanded_at),
  };
}

export class KyselyLinkStore implements LinkStore {
  private readonly db: Db;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<LinkTables>();
  }

  async enrol(links: readonly { url: string; host: string }[], now: number): Promise<number> {
    let added = 0;
    for (let i = 0; i < links.length; i += 500) {
      const chunk = links.slice(i, i + 500);
      const r = await this.db
        .insertInto("links")
        .values(chunk.map((l) => ({ url: l.url, host: l.host, banked_at: now, next_check_at: now })))
        .onConflict((oc) => oc.column("url").doNothing())
        .executeTakeFirst();
      added += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    return added;
  }

  async get(id: number): Promise<Link | undefined> {
    const r = await this.db.selectFrom("links").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toLink(r);
  }

  async getByUrl(url: string): Promise<Link | undefined> {
    const r = await this.db.selectFrom("links").selectAll().where("url", "=", url).executeTakeFirst();
    return r && toLink(r);
  }

  /** Only links with an active URL signal in one of `bankIds`. */
  private banked(bankIds: readonly number[]) {
    return this.db
      .selectFrom("signals")
      .select(sql<number>`1`.as("one"))
      .where("signals.type", "=", "url")
      .where("signals.status", "=", "active")
      .where("signals.bank_id", "in", bankIds.length ? [...bankIds] : [-1])
      .where("signals.value", "=", sql.ref<string>("links.url"));
  }

  async list(o: LinkListOptions): Promise<Link[]> {
    let q = this.db
      .selectFrom("links")
      .selectAll("links")
      .where(({ exists }) => exists(this.banked(o.bankIds)))
      .orderBy("links.id", "desc")
      .limit(Math.min(o.limit ?? 100, 1000));
    if (o.status) q = q.where("links.status", "=", o.status);
    if (o.host) q = q.where("links.host", "=", o.host);
    if (o.beforeId !== undefined) q = q.where("links.id", "<", o.beforeId);
    return (await q.execute()).map(toLink);
  }

  async visible(url: string, bankIds: readonly number[]): Promise<boolean> {
    const r = await this.db
      .selectFrom("signals")
      .select("id")
      .where("type", "=", "url")
      .where("status", "=", "active")
      .where("value", "=", url)
      .where("bank_id", "in", bankIds.length ? [...bankIds] : [-1])
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
  }

  async leaseDue(l: LinkLease): Promise<Link[]> {
    const { owner, now, leaseMs, limit } = l;
    const candidates = await this.db
      .selectFrom("links")
      .leftJoin("link_hosts", "link_hosts.host", "links.host")
      .select(["links.id", "links.host"])
      .where("links.next_check_at", "<=", now)
      .where((eb) => eb.or([eb("links.lease_until", "is", null), eb("links.lease_until", "<", now)]))
      .where((eb) => eb.or([eb("link_hosts.not_before", "is", null), eb("link_hosts.not_before", "<=", now)]))
      .orderBy("links.next_check_at")
      .limit(limit * CANDIDATES_PER_LEASE)
      .execute();
    const hosts = new Set<string>();
    const leased: Link[] = [];
    for (const c of candidates) {
      if (leased.length >= limit) break;
      if (hosts.has(c.host)) continue;
      // The host's pace first: whoever moves its not_before holds the host for this round.
      const paced = await this.paceHost(c.host, now, now + l.hostGapMs);
      if (!paced) {
        hosts.add(c.host);
        continue;
      }
      const row = await this.leaseRow(c.id, owner, now, leaseMs, true);
      hosts.add(c.host);
      if (row) leased.push(row);
    }
    return leased;
  }

  /** Moves the host's not_before from at most `now` to `until`; false when another worker paced it first. */
  private async paceHost(host: string, now: number, until: number): Promise<boolean> {
    const inserted = await this.db
      .insertInto("link_hosts")
      .values({ host, not_before: until })
      .onConflict((oc) => oc.column("host").doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true;
    const r = await this.db
      .updateTable("link_hosts")
      .set({ not_before: until })
      .where("host", "=", host)
      .where("not_before", "<=", now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  private async leaseRow(id: number, owner: string, now: number, leaseMs: number, due: boolean) {
    let q = this.db
      .updateTable("links")
      .set({ lease_owner: owner, lease_until: now + leaseMs })
      .where("id", "=", id)
      .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]));
    if (due) q = q.where("next_check_at", "<=", now);
    const row = await q.returningAll().executeTakeFirst();
    return row && toLink(row);
  }

  leaseOne(id: number, owner: string, now: number, leaseMs: number): Promise<Link | undefined> {
    return this.leaseRow(id, owner, now, leaseMs, false);
  }

  async recordCheck(linkId: number, owner: string, c: CheckResult): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const online = c.status === "online";
      const removed = c.status === "removed";
      const r = await tx
        .updateTable("links")
        .set((eb) => ({
          status: c.status,
          status_at: c.checkedAt,
          last_checked_at: c.checkedAt,
          checks: eb("checks", "+", 1),
          failures: c.status === "error" ? eb("failures", "+", 1) : 0,
          next_check_at: c.nextCheckAt,
          last_http_status: c.httpStatus,
          last_error: c.status === "error" ? c.detail.slice(0, MAX_TEXT) : null,
          final_url: c.finalUrl,
          lease_owner: null,
          lease_until: null,
          ...(online
            ? {
                last_online_at: c.checkedAt,
                first_online_at: eb.fn.coalesce("first_online_at", eb.val(c.checkedAt)),
              }
            : {}),
          ...(removed ? { first_offline_at: eb.fn.coalesce("first_offline_at", eb.val(c.checkedAt)) } : {}),
        }))
        .where("id", "=", linkId)
        .where("lease_owner", "=", owner)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await tx
        .insertInto("link_checks")
        .values({
          link_id: linkId,
          checked_at: c.checkedAt,
          status: c.status,
          http_status: c.httpStatus,
          detail: c.detail.slice(0, MAX_TEXT),
          hops: JSON.stringify(c.hops),
        })
        .execute();
      if (c.hostNotBefore !== undefined) {
        const host = await tx.selectFrom("links").select("host").where("id", "=", linkId).executeTakeFirstOrThrow();
        await tx
          .insertInto("link_hosts")
          .values({ host: host.host, not_before: c.hostNotBefore })
          .onConflict((oc) => oc.column("host").doUpdateSet({ not_before: c.hostNotBefore! }))
          .execute();
      }
      return true;
    });
  }

  async checks(linkId: number, limit = 100): Promise<LinkCheck[]> {
    const rows = await this.db
      .selectFrom("link_checks")
      .selectAll()
      .where("link_id", "=", linkId)
      .orderBy("checked_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      linkId: r.link_id,
      checkedAt: Number(r.checked_at),
      status: r.status as LinkCheck["status"],
      httpStatus: r.http_status,
      detail: r.detail,
      hops: hopsOf(r.hops),
    }));
  }

  async addDomain(orgId: number, domain: string, now: number): Promise<OrgDomain> {
    const held = await this.db.selectFrom("org_domains").selectAll().where("domain", "=", domain).executeTakeFirst();
    if (held) {
      if (held.org_id === orgId) return { id: held.id, orgId, domain, createdAt: Number(held.created_at) };
      throw new RasdError("conflict", `domain ${domain} is already listed by another member`);
    }
    try {
      const r = await this.db
        .insertInto("org_domains")
        .values({ org_id: orgId, domain, created_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { id: r.id, orgId, domain, createdAt: now };
    } catch (error) {
      if (/unique|duplicate/i.test(String((error as Error).message)))
        throw new RasdError("conflict", `domain ${domain} is already listed by another member`);
      throw error;
    }
  }

  async removeDomain(orgId: number, domain: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom("org_domains")
      .where("org_id", "=", orgId)
      .where("domain", "=", domain)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async listDomains(orgId?: number): Promise<OrgDomain[]> {
    let q = this.db.selectFrom("org_domains").selectAll().orderBy("domain");
    if (orgId !== undefined) q = q.where("org_id", "=", orgId);
    return (await q.execute()).map((r) => ({
      id: r.id,
      orgId: r.org_id,
      domain: r.domain,
      createdAt: Number(r.created_at),
    }));
  }

  async recordAlert(a: Omit<LinkAlert, "id">): Promise<LinkAlert | undefined> {
    const r = await this.db
      .insertInto("link_alerts")
      .values({ link_id: a.linkId, org_id: a.orgId, item_id: a.itemId, alerted_at: a.alertedAt })
      .onConflict((oc) => oc.columns(["link_id", "org_id"]).doNothing())
      .returningAll()
      .executeTakeFirst();
    return r && toAlert(r);
  }

  async setAlertItem(alertId: number, itemId: number): Promise<void> {
    await this.db.updateTable("link_alerts").set({ item_id: itemId }).where("id", "=", alertId).execute();
  }

  async alertsOf(linkId: number): Promise<LinkAlert[]> {
    const rows = await this.db
      .selectFrom("link_alerts")
      .selectAll()
      .where("link_id", "=", linkId)
      .orderBy("alerted_at")
      .execute();
    return rows.map(toAlert);
  }

  async alertOutcomes(from: number, to: number, bankIds: readonly number[]): Promise<AlertOutcome[]> {
    const rows = await this.db
      .selectFrom("link_alerts as a")
      .innerJoin("links", "links.id", "a.link_id")
      .selectAll("a")
      .select(["links.url", "links.host", "links.last_checked_at"])
      .select((eb) =>
        eb
          .selectFrom("link_checks as c")
          .select((e) => e.fn.min("c.checked_at").as("m"))
          .whereRef("c.link_id", "=", "a.link_id")
          .where("c.status", "=", "removed")
          .whereRef("c.checked_at", ">=", "a.alerted_at")
          .as("removed_at"),
      )
      .where("a.alerted_at", ">=", from)
      .where("a.alerted_at", "<", to)
      .where(({ exists }) => exists(this.banked(bankIds)))
      .orderBy("a.alerted_at")
      .execute();
    return rows.map((r) => ({
      ...toAlert(r),
      url: r.url,
      host: r.host,
      removedAt: num(r.removed_at as number | string | null),
      lastCheckedAt: num(r.last_checked_at),
    }));
  }

  async statesAt(at: number, bankIds: readonly number[]): Promise<LinkStateAt[]> {
    const rows = await this.db
      .selectFrom("links")
      .select(["links.id", "links.host"])
      .select((eb) => [
        eb
          .selectFrom("link_checks as c")
          .select("c.status")
          .whereRef("c.link_id", "=", "links.id")
          .where("c.checked_at", "<", at)
          .orderBy("c.checked_at", "desc")
          .orderBy("c.id", "desc")
          .limit(1)
          .as("status"),
        eb
          .selectFrom("link_checks as c")
          .select((e) => e.fn.min("c.checked_at").as("m"))
          .whereRef("c.link_id", "=", "links.id")
          .where("c.checked_at", "<", at)
          .where("c.status", "=", "online")
          .as("first_online_at"),
        eb
          .selectFrom("link_checks as c")
          .select((e) => e.fn.min("c.checked_at").as("m"))
          .whereRef("c.link_id", "=", "links.id")
          .where("c.checked_at", "<", at)
          .where("c.status", "=", "removed")
          .as("first_offline_at"),
        eb
          .selectFrom("link_checks as c")
          .select((e) => e.fn.max("c.checked_at").as("m"))
          .whereRef("c.link_id", "=", "links.id")
          .where("c.checked_at", "<", at)
          .as("last_checked_at"),
      ])
      .where("links.banked_at", "<", at)
      .where(({ exists }) => exists(this.banked(bankIds)))
      .orderBy("links.id")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      host: r.host,
      status: (r.status ?? "unchecked") as LinkState,
      firstOnlineAt: num(r.first_online_at as number | string | null),
      firstOfflineAt: num(r.first_offline_at as number | string | null),
      lastCheckedAt: num(r.last_checked_at as number | string | null),
    }));
  }

  async recordExpansion(e: NewLinkExpansion): Promise<LinkExpansion> {
    const r = await this.db
      .insertInto("link_expansions")
      .values({
        org_id: e.orgId,
        item_id: e.itemId,
        url: e.url,
        final_url: e.finalUrl,
        hops: JSON.stringify(e.hops),
        error: e.error === null ? null : e.error.slice(0, MAX_TEXT),
        expanded_at: e.expandedAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toExpansion(r);
  }

  async expansions(query: { url?: string; itemId?: number; limit?: number }): Promise<LinkExpansion[]> {
    let q = this.db
      .selectFrom("link_expansions")
      .selectAll()
      .orderBy("expanded_at", "desc")
      .orderBy("id", "desc")
      .limit(Math.min(query.limit ?? 20, 200));
    if (query.url !== undefined) q = q.where("url", "=", query.url);
    if (query.itemId !== undefined) q = q.where("item_id", "=", query.itemId);
    return (await q.execute()).map(toExpansion);
  }
}
