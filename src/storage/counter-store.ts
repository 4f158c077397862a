/**
 * Counter-messaging (ports/counter.ts) over Kysely, on the tables of migration 0018. The
 * tables' row types live here with the adapter (`withTables`), beside the one schema.ts.
 */

import { sql, type Generated, type Kysely, type Selectable } from "kysely";
import type { CounterItem, CounterKind, CounterLang, CounterStatus, Narrative } from "../core/counter.js";
import type { Tlp } from "../core/model.js";
import type {
  CounterEvent,
  CounterEventScope,
  CounterImpression,
  CounterKeyword,
  CounterStore,
  NewCounterItem,
} from "./ports/counter.js";
import type { Database } from "./schema.js";

interface CounterItemsTable {
  id: Generated<number>;
  org_id: number;
  kind: string;
  title: string;
  body: string;
  url: string | null;
  media_hash: string | null;
  narratives: string;
  audience: string;
  lang: string;
  tlp: string;
  status: Generated<string>;
  created_by: number | null;
  created_at: number;
  updated_at: number;
  approved_by: number | null;
  approved_at: number | null;
  retired_by: number | null;
  retired_at: number | null;
}

interface CounterKeywordsTable {
  id: Generated<number>;
  org_id: number;
  narrative: string;
  phrase: string;
  created_by: number | null;
  created_at: number;
}

interface CounterSecretsTable {
  org_id: number;
  secret: string;
  created_at: number;
}

interface CounterEventsTable {
  id: Generated<number>;
  org_id: number;
  event_id: string;
  kind: string;
  item_id: number;
  narrative: string;
  lang: string;
  impression: string;
  served_at: number;
  at: number;
  watch_ms: number;
  recorded_at: number;
}

type CounterTables = {
  counter_items: CounterItemsTable;
  counter_keywords: CounterKeywordsTable;
  counter_secrets: CounterSecretsTable;
  counter_events: CounterEventsTable;
};

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function toItem(r: Selectable<CounterItemsTable>): CounterItem {
  return {
    id: r.id,
    orgId: r.org_id,
    kind: r.kind as CounterKind,
    title: r.title,
    body: r.body,
    url: r.url,
    mediaHash: r.media_hash,
    narratives: JSON.parse(r.narratives) as Narrative[],
    audience: r.audience,
    lang: r.lang as CounterLang,
    tlp: r.tlp as Tlp,
    status: r.status as CounterStatus,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    approvedBy: r.approved_by,
    approvedAt: num(r.approved_at),
    retiredBy: r.retired_by,
    retiredAt: num(r.retired_at),
  };
}

function toKeyword(r: Selectable<CounterKeywordsTable>): CounterKeyword {
  return {
    id: r.id,
    orgId: r.org_id,
    narrative: r.narrative as Narrative,
    phrase: r.phrase,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
  };
}

const flag = (kind: string) => sql<number>`max(case when e.kind = ${kind} then 1 else 0 end)`;

export class KyselyCounterStore implements CounterStore {
  private readonly db: Kysely<Database & CounterTables>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<CounterTables>();
  }

  async createItem(item: NewCounterItem): Promise<CounterItem> {
    const row = await this.db
      .insertInto("counter_items")
      .values({
        org_id: item.orgId,
        kind: item.kind,
        title: item.title,
        body: item.body,
        url: item.url,
        media_hash: item.mediaHash,
        narratives: JSON.stringify(item.narratives),
        audience: item.audience,
        lang: item.lang,
        tlp: item.tlp,
        status: "draft",
        created_by: item.createdBy,
        created_at: item.createdAt,
        updated_at: item.createdAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toItem(row);
  }

  async getItem(id: number): Promise<CounterItem | undefined> {
    const row = await this.db.selectFrom("counter_items").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toItem(row);
  }

  async listItems(filter: { orgId?: number; status?: CounterStatus } = {}): Promise<CounterItem[]> {
    let q = this.db.selectFrom("counter_items").selectAll().orderBy("id", "desc");
    if (filter.orgId !== undefined) q = q.where("org_id", "=", filter.orgId);
    if (filter.status) q = q.where("status", "=", filter.status);
    return (await q.execute()).map(toItem);
  }

  async setStatus(
    id: number,
    from: CounterStatus,
    to: Exclude<CounterStatus, "draft">,
    by: number | null,
    at: number,
  ): Promise<CounterItem | undefined> {
    const row = await this.db
      .updateTable("counter_items")
      .set(
        to === "approved"
          ? { status: to, approved_by: by, approved_at: at, updated_at: at }
          : { status: to, retired_by: by, retired_at: at, updated_at: at },
      )
      .where("id", "=", id)
      .where("status", "=", from)
      .returningAll()
      .executeTakeFirst();
    return row && toItem(row);
  }

  async updateDraft(
    id: number,
    f: Pick<
      NewCounterItem,
      "kind" | "title" | "body" | "url" | "mediaHash" | "narratives" | "audience" | "lang" | "tlp"
    >,
    at: number,
  ): Promise<CounterItem | undefined> {
    const row = await this.db
      .updateTable("counter_items")
      .set({
        kind: f.kind,
        title: f.title,
        body: f.body,
        url: f.url,
        media_hash: f.mediaHash,
        narratives: JSON.stringify(f.narratives),
        audience: f.audience,
        lang: f.lang,
        tlp: f.tlp,
        updated_at: at,
      })
      .where("id", "=", id)
      .where("status", "=", "draft")
      .returningAll()
      .executeTakeFirst();
    return row && toItem(row);
  }

  async listKeywords(): Promise<CounterKeyword[]> {
    return (await this.db.selectFrom("counter_keywords").selectAll().orderBy("id").execute()).map(toKeyword);
  }

  async addKeywords(
    orgId: number,
    narrative: Narrative,
    phrases: readonly string[],
    by: number | null,
    at: number,
  ): Promise<CounterKeyword[]> {
    const added: CounterKeyword[] = [];
    await this.db.transaction().execute(async (tx) => {
      for (const phrase of new Set(phrases)) {
        const row = await tx
          .insertInto("counter_keywords")
          .values({ org_id: orgId, narrative, phrase, created_by: by, created_at: at })
          .onConflict((oc) => oc.columns(["org_id", "narrative", "phrase"]).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (row) added.push(toKeyword(row));
      }
    });
    return added;
  }

  async removeKeyword(orgId: number, id: number): Promise<boolean> {
    const r = await this.db
      .deleteFrom("counter_keywords")
      .where("id", "=", id)
      .where("org_id", "=", orgId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async version(): Promise<string> {
    const [items, keywords] = await Promise.all([
      this.db
        .selectFrom("counter_items")
        .select([sql<number>`count(*)`.as("n"), sql<number | null>`max(updated_at)`.as("at")])
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom("counter_keywords")
        .select([sql<number>`count(*)`.as("n"), sql<number | null>`max(id)`.as("id")])
        .executeTakeFirstOrThrow(),
    ]);
    return `${Number(items.n)}:${Number(items.at ?? 0)}:${Number(keywords.n)}:${Number(keywords.id ?? 0)}`;
  }

  async getSecret(orgId: number): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("counter_secrets")
      .select("secret")
      .where("org_id", "=", orgId)
      .executeTakeFirst();
    return row?.secret;
  }

  async setSecret(orgId: number, sealed: string, at: number): Promise<void> {
    await this.db
      .insertInto("counter_secrets")
      .values({ org_id: orgId, secret: sealed, created_at: at })
      .onConflict((oc) => oc.column("org_id").doUpdateSet({ secret: sealed, created_at: at }))
      .execute();
  }

  async recordEvents(events: readonly CounterEvent[]): Promise<boolean[]> {
    return this.db.transaction().execute(async (tx) => {
      const out: boolean[] = [];
      for (const e of events) {
        const row = await tx
          .insertInto("counter_events")
          .values({
            org_id: e.orgId,
            event_id: e.eventId,
            kind: e.kind,
            item_id: e.itemId,
            narrative: e.narrative,
            lang: e.lang,
            impression: e.impression,
            served_at: e.servedAt,
            at: e.at,
            watch_ms: e.watchMs,
            recorded_at: e.recordedAt,
          })
          .onConflict((oc) => oc.columns(["org_id", "event_id"]).doNothing())
          .returning("id")
          .executeTakeFirst();
        out.push(row !== undefined);
      }
      return out;
    });
  }

  async impressions(scope: CounterEventScope): Promise<CounterImpression[]> {
    let q = this.db
      .selectFrom("counter_events as e")
      .innerJoin("counter_items as i", "i.id", "e.item_id")
      .where("e.at", ">=", scope.from)
      .where("e.at", "<", scope.to);
    const orgId = scope.orgId;
    if (orgId !== undefined) q = q.where((w) => w.or([w("e.org_id", "=", orgId), w("i.org_id", "=", orgId)]));
    if (scope.itemIds) {
      if (scope.itemIds.length === 0) return [];
      q = q.where("e.item_id", "in", scope.itemIds);
    }
    const rows = await q
      .select([
        "e.org_id",
        "e.item_id",
        "e.narrative",
        "e.lang",
        "e.impression",
        sql<number>`min(e.at)`.as("first_at"),
        flag("impression").as("impressed"),
        flag("click").as("clicked"),
        flag("watch").as("watched"),
        sql<number>`sum(e.watch_ms)`.as("watch_ms"),
      ])
      .groupBy(["e.org_id", "e.item_id", "e.narrative", "e.lang", "e.impression"])
      .execute();
    return rows.map((r) => ({
      orgId: r.org_id,
      itemId: r.item_id,
      narrative: r.narrative,
      lang: r.lang,
      impression: r.impression,
      at: Number(r.first_at),
      impressed: Number(r.impressed) === 1,
      clicked: Number(r.clicked) === 1,
      watched: Number(r.watched) === 1,
      watchMs: Number(r.watch_ms),
    }));
  }
}
