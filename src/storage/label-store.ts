/**
 * The labelling queue (ports/labels.ts) over Kysely. Items in a scope are those whose time —
 * posted when the platform gave it, else received — falls in [from, to); a stratum's items
 * are drawn in the order of a multiplicative hash of their id and the draw's seed, the same
 * in SQLite and PostgreSQL (64-bit integer arithmetic in both).
 */

import { sql, type Kysely, type Selectable } from "kysely";
import type { MeasureScope } from "./ports/measurement.js";
import type {
  DrawnEntry,
  LabelEntry,
  LabelStance,
  LabelStore,
  LabelStratum,
  LabelStratumCount,
  LabelTask,
  LabelledRecord,
  ItemClassification,
} from "./ports/labels.js";
import type { Database, StanceLabelsTable } from "./schema.js";

const CHUNK = 500;
/** A prime below 2³², and Knuth's multiplicative constant: (id · A + seed) mod P orders ids pseudo-randomly. */
const PRIME = 4_294_967_291;
const MULTIPLIER = 2_654_435_761;

function toEntry(r: Selectable<StanceLabelsTable>): LabelEntry {
  return {
    id: r.id,
    itemId: r.item_id,
    orgId: r.org_id,
    periodStart: Number(r.period_start),
    interval: r.interval,
    drawnAt: Number(r.drawn_at),
    drawnBy: r.drawn_by,
    stance: r.stance as LabelStance | null,
    note: r.note,
    labelledBy: r.labelled_by,
    labelledAt: r.labelled_at === null ? null : Number(r.labelled_at),
  };
}

const platformOf = sql<string>`case when ci.platform = '' then o.name else ci.platform end`;
const timeOf = sql<number>`coalesce(ci.posted_at, ci.received_at)`;
const hourOf = sql<number>`cast(coalesce(ci.posted_at, ci.received_at) / 3600000 as integer)`;

export class KyselyLabelStore implements LabelStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Classified items in the scope: content_items `ci`, its member `o`, its classification `c`. */
  private scoped(scope: MeasureScope) {
    let q = this.db
      .selectFrom("content_items as ci")
      .innerJoin("orgs as o", "o.id", "ci.org_id")
      .innerJoin("classifications as c", "c.item_id", "ci.id")
      .where(timeOf, ">=", scope.from)
      .where(timeOf, "<", scope.to);
    if (scope.orgId !== undefined) q = q.where("ci.org_id", "=", scope.orgId);
    if (scope.country) q = q.where("ci.country", "=", scope.country.toUpperCase());
    if (scope.platform) q = q.where(platformOf, "=", scope.platform);
    if (scope.lang) q = q.where("c.lang", "=", scope.lang);
    return q;
  }

  async strata(scope: MeasureScope): Promise<LabelStratumCount[]> {
    const rows = await this.scoped(scope)
      .leftJoin("stance_labels as l", "l.item_id", "ci.id")
      .select([
        hourOf.as("hour"),
        platformOf.as("platform"),
        "c.lang",
        "c.label",
        "c.model",
        sql<number>`count(*)`.as("items"),
        sql<number>`count(l.id)`.as("drawn"),
      ])
      .groupBy([hourOf, platformOf, "c.lang", "c.label", "c.model"])
      .execute();
    return rows
      .map((r) => ({
        hour: Number(r.hour),
        platform: r.platform,
        lang: r.lang,
        label: r.label,
        model: r.model,
        items: Number(r.items),
        drawn: Number(r.drawn),
      }))
      .sort(
        (a, b) =>
          a.hour - b.hour ||
          `${a.platform}|${a.lang}|${a.label}|${a.model}`.localeCompare(
            `${b.platform}|${b.lang}|${b.label}|${b.model}`,
          ),
      );
  }

  async draw(
    scope: MeasureScope,
    stratum: LabelStratum,
    target: number,
    seed: number,
    entry: DrawnEntry,
  ): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const inStratum = new KyselyLabelStore(trx)
        .scoped({ ...scope, platform: stratum.platform, lang: stratum.lang })
        .where("c.label", "=", stratum.label)
        .where("c.model", "=", stratum.model);
      const drawn = await inStratum
        .innerJoin("stance_labels as l", "l.item_id", "ci.id")
        .select(sql<number>`count(*)`.as("n"))
        .executeTakeFirstOrThrow();
      const wanted = target - Number(drawn.n);
      if (wanted <= 0) return 0;
      const key = sql`(cast(ci.id as bigint) * ${sql.lit(MULTIPLIER)} + ${sql.lit(seed >>> 0)}) % ${sql.lit(PRIME)}`;
      const picked = await inStratum
        .where((eb) =>
          eb.not(eb.exists(eb.selectFrom("stance_labels as x").select("x.id").whereRef("x.item_id", "=", "ci.id"))),
        )
        .select(["ci.id", "ci.org_id"])
        .orderBy(key)
        .orderBy("ci.id")
        .limit(wanted)
        .execute();
      if (picked.length === 0) return 0;
      await trx
        .insertInto("stance_labels")
        .values(
          picked.map((p) => ({
            item_id: p.id,
            org_id: p.org_id,
            period_start: entry.periodStart,
            interval: entry.interval,
            drawn_at: entry.drawnAt,
            drawn_by: entry.drawnBy,
            stance: null,
            labelled_by: null,
            labelled_at: null,
          })),
        )
        .execute();
      return picked.length;
    });
  }

  async listQueue(orgId: number, status: "open" | "labelled", limit: number): Promise<LabelTask[]> {
    let q = this.db
      .selectFrom("stance_labels as l")
      .innerJoin("content_items as ci", "ci.id", "l.item_id")
      .innerJoin("orgs as o", "o.id", "ci.org_id")
      .leftJoin("classifications as c", "c.item_id", "ci.id")
      .selectAll("l")
      .select(["ci.text", "ci.url", "ci.kind", platformOf.as("platform"), "c.lang", "c.label"])
      .where("l.org_id", "=", orgId);
    q =
      status === "open"
        ? q.where("l.stance", "is", null).orderBy("l.drawn_at").orderBy("l.id")
        : q.where("l.stance", "is not", null).orderBy("l.labelled_at", "desc").orderBy("l.id", "desc");
    return (await q.limit(limit).execute()).map((r) => ({
      ...toEntry(r),
      text: r.text,
      url: r.url,
      kind: r.kind,
      platform: r.platform,
      lang: r.lang ?? "und",
      predicted: r.label ?? "",
    }));
  }

  async getEntry(id: number): Promise<LabelEntry | undefined> {
    const r = await this.db.selectFrom("stance_labels").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toEntry(r);
  }

  async setLabel(
    id: number,
    label: { stance: LabelStance; note: string; labelledBy: number; labelledAt: number },
  ): Promise<boolean> {
    const r = await this.db
      .updateTable("stance_labels")
      .set({ stance: label.stance, note: label.note, labelled_by: label.labelledBy, labelled_at: label.labelledAt })
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async labelled(scope: MeasureScope): Promise<LabelledRecord[]> {
    const rows = await this.scoped(scope)
      .innerJoin("stance_labels as l", "l.item_id", "ci.id")
      .where("l.stance", "is not", null)
      .select(["ci.id", timeOf.as("at"), platformOf.as("platform"), "c.lang", "c.label", "c.model", "l.stance"])
      .orderBy("ci.id")
      .execute();
    return rows.map((r) => ({
      itemId: r.id,
      at: Number(r.at),
      platform: r.platform,
      lang: r.lang,
      label: r.label,
      model: r.model,
      stance: r.stance as LabelStance,
    }));
  }

  async labelsOf(itemIds: readonly number[]): Promise<Map<number, LabelStance>> {
    const out = new Map<number, LabelStance>();
    for (let i = 0; i < itemIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom("stance_labels")
        .select(["item_id", "stance"])
        .where("item_id", "in", itemIds.slice(i, i + CHUNK))
        .where("stance", "is not", null)
        .execute();
      for (const r of rows) out.set(r.item_id, r.stance as LabelStance);
    }
    return out;
  }

  async classificationsOf(itemIds: readonly number[]): Promise<Map<number, ItemClassification>> {
    const out = new Map<number, ItemClassification>();
    for (let i = 0; i < itemIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom("content_items as ci")
        .leftJoin("classifications as c", "c.item_id", "ci.id")
        .select(["ci.id", "ci.posted_at", "c.label", "c.score", "c.lang", "c.model", "c.behaviour"])
        .where("ci.id", "in", itemIds.slice(i, i + CHUNK))
        .execute();
      for (const r of rows)
        if (r.label !== null)
          out.set(r.id, {
            label: r.label,
            score: Number(r.score),
            lang: r.lang ?? "und",
            model: r.model ?? "",
            behaviour: r.behaviour ?? null,
            postedAt: r.posted_at === null ? null : Number(r.posted_at),
          });
    }
    return out;
  }
}
