/**
 * The measurement read port (ports/measurement.ts) over Kysely: items in a scope joined to
 * their member, classifications counted per hour, outcomes, and the report's counts.
 */

import { sql, type Kysely } from "kysely";
import { notDrillBank, notInDrill } from "./incident-store.js";
import type {
  AccountMatchItem,
  AccountSignalRow,
  CopyItem,
  ItemDecision,
  MeasureScope,
  MeasurementReads,
  OutcomeRecord,
  OutcomeTime,
  StanceCount,
  TakedownItem,
} from "./ports/measurement.js";
import type { Database } from "./schema.js";

const HOUR = 3_600_000;
/** Item ids per `in (...)` list. */
const CHUNK = 500;

export class KyselyMeasurementReads implements MeasurementReads {
  constructor(private readonly db: Kysely<Database>) {}

  /** Items in the scope, as a query on content_items `ci` joined to its member `o`. */
  private scoped(scope: MeasureScope) {
    let q = this.db
      .selectFrom("content_items as ci")
      .innerJoin("orgs as o", "o.id", "ci.org_id")
      .where("ci.received_at", ">=", scope.from)
      .where("ci.received_at", "<", scope.to)
      // Items matched in a drill are no real figure's (docs/crisis.md).
      .where(notInDrill("ci.id"));
    if (scope.orgId !== undefined) q = q.where("ci.org_id", "=", scope.orgId);
    if (scope.country) q = q.where("ci.country", "=", scope.country.toUpperCase());
    if (scope.platform) {
      const platform = scope.platform;
      q = q.where((eb) =>
        eb.or([eb("ci.platform", "=", platform), eb.and([eb("ci.platform", "=", ""), eb("o.name", "=", platform)])]),
      );
    }
    if (scope.lang) {
      const lang = scope.lang;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom("classifications as cl")
            .select("cl.item_id")
            .whereRef("cl.item_id", "=", "ci.id")
            .where("cl.lang", "=", lang),
        ),
      );
    }
    return q;
  }

  async stanceCounts(scope: MeasureScope): Promise<StanceCount[]> {
    const hour = sql<number>`cast(ci.received_at / ${sql.lit(HOUR)} as integer)`;
    const rows = await this.scoped(scope)
      .innerJoin("classifications as c", "c.item_id", "ci.id")
      .select([hour.as("hour"), "c.label", "c.lang", "c.model", sql<number>`count(*)`.as("n")])
      .groupBy([hour, "c.label", "c.lang", "c.model"])
      .execute();
    return rows.map((r) => ({ hour: Number(r.hour), label: r.label, lang: r.lang, model: r.model, n: Number(r.n) }));
  }

  async takedownItems(scope: MeasureScope): Promise<TakedownItem[]> {
    const rows = await this.scoped(scope)
      .select([
        "ci.id",
        "ci.platform",
        "o.name",
        "ci.received_at",
        "ci.posted_at",
        "ci.kind",
        "ci.acted_at",
        "ci.matches",
      ])
      .where((eb) =>
        eb.or([
          eb("ci.matches", "<>", "[]"),
          eb("ci.acted_at", "is not", null),
          eb.exists(eb.selectFrom("content_outcomes as x").select("x.id").whereRef("x.item_id", "=", "ci.id")),
        ]),
      )
      .orderBy("ci.id")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      platform: r.platform,
      orgName: r.name,
      receivedAt: Number(r.received_at),
      postedAt: r.posted_at === null ? null : Number(r.posted_at),
      kind: r.kind,
      actedAt: r.acted_at === null ? null : Number(r.acted_at),
      matches: r.matches,
    }));
  }

  async copyItems(scope: MeasureScope): Promise<CopyItem[]> {
    const rows = await this.scoped(scope)
      .select([
        "ci.id",
        "ci.platform",
        "o.name",
        "ci.received_at",
        "ci.kind",
        "ci.media_sha256",
        "ci.hashes",
        "ci.text",
        "ci.acted_at",
        "ci.matches",
      ])
      .orderBy("ci.id")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      platform: r.platform,
      orgName: r.name,
      receivedAt: Number(r.received_at),
      kind: r.kind,
      mediaSha256: r.media_sha256 ?? null,
      hashes: r.hashes,
      text: r.text,
      actedAt: r.acted_at === null ? null : Number(r.acted_at),
      matches: r.matches,
    }));
  }

  async itemDecisions(itemIds: readonly number[]): Promise<ItemDecision[]> {
    const out: ItemDecision[] = [];
    for (let i = 0; i < itemIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom("review_items")
        .select(["item_id", "decision", "decided_at"])
        .where("item_id", "in", itemIds.slice(i, i + CHUNK))
        .where("decided_by", "is not", null)
        .where("decision", "is not", null)
        .where("decided_at", "is not", null)
        .execute();
      for (const r of rows) out.push({ itemId: r.item_id, decision: r.decision!, decidedAt: Number(r.decided_at) });
    }
    return out.sort((a, b) => a.decidedAt - b.decidedAt || a.itemId - b.itemId);
  }

  async outcomeTimes(itemIds: readonly number[], kinds: readonly string[]): Promise<OutcomeTime[]> {
    const out: OutcomeTime[] = [];
    if (kinds.length === 0) return out;
    for (let i = 0; i < itemIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom("content_outcomes")
        .select(["item_id", "kind", "at", "basis"])
        .where("item_id", "in", itemIds.slice(i, i + CHUNK))
        .where("kind", "in", [...kinds])
        .execute();
      for (const r of rows) out.push({ itemId: r.item_id, kind: r.kind, at: Number(r.at), basis: r.basis });
    }
    return out;
  }

  async outcomeEvents(from: number, to: number, orgId?: number): Promise<OutcomeRecord[]> {
    let q = this.db
      .selectFrom("content_outcomes as x")
      .innerJoin("orgs as o", "o.id", "x.org_id")
      .select(["x.id", "x.item_id", "o.name", "x.kind", "x.basis", "x.reason", "x.authority", "x.at"])
      .where("x.at", ">=", from)
      .where("x.at", "<", to)
      // Outcomes of items matched in a drill are no real figure's (docs/crisis.md).
      .where(notInDrill("x.item_id"));
    if (orgId !== undefined) q = q.where("x.org_id", "=", orgId);
    return (await q.orderBy("x.id").execute()).map((r) => ({
      id: r.id,
      itemId: r.item_id,
      orgName: r.name,
      kind: r.kind,
      basis: r.basis,
      reason: r.reason,
      authority: r.authority,
      at: Number(r.at),
    }));
  }

  async activeBankCount(): Promise<number> {
    const r = await this.db
      .selectFrom("banks")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("deleted", "=", 0)
      // A drill's exercise bank is no real bank (docs/crisis.md).
      .where(notDrillBank("banks.id"))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async activeSignalCount(): Promise<number> {
    const r = await this.db
      .selectFrom("signals")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "active")
      .where(notDrillBank("signals.bank_id"))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async bankNames(): Promise<Map<number, string>> {
    return new Map((await this.db.selectFrom("banks").select(["id", "name"]).execute()).map((b) => [b.id, b.name]));
  }

  async accountSignals(bankIds: readonly number[], from: number, to: number): Promise<AccountSignalRow[]> {
    const out: AccountSignalRow[] = [];
    for (let i = 0; i < bankIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom("signals")
        .select(["id", "bank_id", "value", "created_at"])
        .where("type", "=", "account")
        .where("status", "=", "active")
        .where("bank_id", "in", bankIds.slice(i, i + CHUNK))
        .where("created_at", ">=", from)
        .where("created_at", "<", to)
        .orderBy("id")
        .execute();
      for (const r of rows) out.push({ id: r.id, bankId: r.bank_id, value: r.value, createdAt: Number(r.created_at) });
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async accountSignalsById(ids: readonly number[]): Promise<AccountSignalRow[]> {
    const out: AccountSignalRow[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom("signals")
        .select(["id", "bank_id", "value", "created_at"])
        .where("type", "=", "account")
        .where("id", "in", ids.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) out.push({ id: r.id, bankId: r.bank_id, value: r.value, createdAt: Number(r.created_at) });
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async accountMatchItems(scope: MeasureScope): Promise<AccountMatchItem[]> {
    const rows = await this.scoped(scope)
      .select(["ci.id", "o.name", "ci.author", "ci.received_at", "ci.matched_at", "ci.matches"])
      .where("ci.author", "is not", null)
      .where("ci.matches", "like", '%"type":"account"%')
      .orderBy("ci.id")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      orgName: r.name,
      author: r.author ?? "",
      receivedAt: Number(r.received_at),
      matchedAt: r.matched_at === null ? null : Number(r.matched_at),
      matches: r.matches,
    }));
  }
}
