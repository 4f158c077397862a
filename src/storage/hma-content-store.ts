/** HMA's bank content and signal-type settings (ports/hma.ts) over Kysely. */

import { sql, type Kysely, type Selectable } from "kysely";
import type { HmaContent, HmaContentMetadata, HmaContentPatch, HmaContentStore, NewHmaContent } from "./ports/hma.js";
import type { Database, HmaContentsTable } from "./schema.js";

const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function parseMetadata(text: string | null): HmaContentMetadata | null {
  if (text === null) return null;
  const value: unknown = JSON.parse(text);
  return typeof value === "object" && value !== null ? (value as HmaContentMetadata) : null;
}

export class KyselyHmaContentStore implements HmaContentStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: "sqlite" | "postgres",
  ) {}

  private async withSignals(rows: readonly Selectable<HmaContentsTable>[]): Promise<HmaContent[]> {
    const links = new Map<number, number[]>();
    for (const part of chunks(rows.map((r) => r.id))) {
      const found = await this.db
        .selectFrom("hma_content_signals")
        .select(["content_id", "signal_id"])
        .where("content_id", "in", part)
        .orderBy("signal_id")
        .execute();
      for (const l of found)
        (links.get(l.content_id) ?? links.set(l.content_id, []).get(l.content_id)!).push(l.signal_id);
    }
    return rows.map((r) => ({
      id: r.id,
      bankId: r.bank_id,
      note: r.note,
      metadata: parseMetadata(r.metadata),
      disableUntilTs: Number(r.disable_until_ts),
      enablePending: r.enable_pending === 1,
      originSignalId: r.origin_signal_id,
      signalIds: links.get(r.id) ?? [],
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    }));
  }

  async createContent(input: NewHmaContent): Promise<HmaContent> {
    const now = Date.now();
    const id = await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto("hma_contents")
        .values({
          bank_id: input.bankId,
          note: input.note ?? null,
          metadata: input.metadata ? JSON.stringify(input.metadata) : null,
          disable_until_ts: 1,
          enable_pending: 0,
          origin_signal_id: null,
          created_at: now,
          updated_at: now,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const signalIds = [...new Set(input.signalIds)];
      if (signalIds.length)
        await tx
          .insertInto("hma_content_signals")
          .values(signalIds.map((signal_id) => ({ content_id: row.id, signal_id })))
          .execute();
      return row.id;
    });
    return (await this.getContent(id))!;
  }

  async getContent(id: number): Promise<HmaContent | undefined> {
    const row = await this.db.selectFrom("hma_contents").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? (await this.withSignals([row]))[0] : undefined;
  }

  async listContents(bankId: number, options: { afterId?: number; limit?: number } = {}): Promise<HmaContent[]> {
    const rows = await this.db
      .selectFrom("hma_contents")
      .selectAll()
      .where("bank_id", "=", bankId)
      .where("id", ">", options.afterId ?? 0)
      .orderBy("id")
      .limit(options.limit ?? 100)
      .execute();
    return this.withSignals(rows);
  }

  async contentsOfSignals(signalIds: readonly number[]): Promise<HmaContent[]> {
    const rows: Selectable<HmaContentsTable>[] = [];
    const seen = new Set<number>();
    for (const part of chunks([...new Set(signalIds)])) {
      const found = await this.db
        .selectFrom("hma_contents")
        .selectAll()
        .where("id", "in", (q) =>
          q.selectFrom("hma_content_signals").select("content_id").where("signal_id", "in", part),
        )
        .execute();
      for (const r of found) {
        if (seen.has(r.id)) continue;
        seen.add(r.id);
        rows.push(r);
      }
    }
    rows.sort((a, b) => a.id - b.id);
    return this.withSignals(rows);
  }

  async ensureContents(signals: readonly { id: number; bankId: number; active: boolean }[]): Promise<HmaContent[]> {
    const ids = signals.map((s) => s.id);
    const held = new Set((await this.contentsOfSignals(ids)).flatMap((c) => c.signalIds));
    const missing = signals.filter((s) => !held.has(s.id));
    const now = Date.now();
    for (const s of missing) {
      await this.db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto("hma_contents")
          .values({
            bank_id: s.bankId,
            note: null,
            metadata: null,
            disable_until_ts: s.active ? 1 : 0,
            enable_pending: 0,
            origin_signal_id: s.id,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.column("origin_signal_id").doNothing())
          .returning("id")
          .executeTakeFirst();
        if (row) await tx.insertInto("hma_content_signals").values({ content_id: row.id, signal_id: s.id }).execute();
      });
    }
    return this.contentsOfSignals(ids);
  }

  async updateContent(id: number, patch: HmaContentPatch): Promise<HmaContent> {
    await this.db
      .updateTable("hma_contents")
      .set({
        ...(patch.note !== undefined ? { note: patch.note } : {}),
        ...(patch.disableUntilTs !== undefined ? { disable_until_ts: patch.disableUntilTs } : {}),
        ...(patch.enablePending !== undefined ? { enable_pending: patch.enablePending ? 1 : 0 } : {}),
        updated_at: Date.now(),
      })
      .where("id", "=", id)
      .execute();
    const content = await this.getContent(id);
    if (!content) throw new Error(`no HMA content ${id}`);
    return content;
  }

  async deleteContent(id: number): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom("hma_content_signals").where("content_id", "=", id).execute();
      const gone = await tx.deleteFrom("hma_contents").where("id", "=", id).executeTakeFirst();
      return Number(gone.numDeletedRows) > 0;
    });
  }

  async dueContents(limit = 500): Promise<HmaContent[]> {
    const now = await this.nowSeconds();
    const rows = await this.db
      .selectFrom("hma_contents")
      .selectAll()
      .where("enable_pending", "=", 1)
      .where("disable_until_ts", "<=", now)
      .orderBy("id")
      .limit(limit)
      .execute();
    return this.withSignals(rows);
  }

  async nowSeconds(): Promise<number> {
    const now =
      this.dialect === "postgres"
        ? sql<string | number>`select floor(extract(epoch from clock_timestamp()))::bigint as now`
        : sql<string | number>`select cast(strftime('%s', 'now') as integer) as now`;
    const result = await now.execute(this.db);
    const row = result.rows[0] as { now: string | number } | undefined;
    return Number(row?.now ?? Math.floor(Date.now() / 1000));
  }

  async signalTypeSettings(orgId: number): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom("hma_signal_type_settings")
      .select(["signal_type", "enabled_ratio"])
      .where("org_id", "=", orgId)
      .execute();
    return Object.fromEntries(rows.map((r) => [r.signal_type, Number(r.enabled_ratio)]));
  }

  async setSignalTypeSetting(orgId: number, signalType: string, enabledRatio: number): Promise<void> {
    const now = Date.now();
    await this.db
      .insertInto("hma_signal_type_settings")
      .values({ org_id: orgId, signal_type: signalType, enabled_ratio: enabledRatio, updated_at: now })
      .onConflict((oc) =>
        oc.columns(["org_id", "signal_type"]).doUpdateSet({ enabled_ratio: enabledRatio, updated_at: now }),
      )
      .execute();
  }
}
