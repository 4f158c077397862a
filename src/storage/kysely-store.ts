/**
 * SignalStore over Kysely: one implementation for SQLite and PostgreSQL.
 *
 * The change cursor is a counter row bumped inside each writing transaction. Its row
 * lock serialises writers, so cursor order is commit order on PostgreSQL too, and a
 * client that fetches "changes since N" never misses a change committed later with a
 * smaller number.
 */

import { createHash } from "node:crypto";
import { sql, type Kysely, type Selectable, type Transaction } from "kysely";
import { RasdError } from "../core/errors.js";
import {
  DEFAULT_PDQ_MIN_QUALITY,
  DEFAULT_PDQ_THRESHOLD,
  DEFAULT_TEXT_MIN_SIMILARITY,
  DEFAULT_ACCOUNT_MIN_SCORE,
  EMPTY_LABELS,
  type Bank,
  type ForeignOpinion,
  type IndexedSignal,
  type Labels,
  type Opinion,
  type OpinionKind,
  type Org,
  type OrgKind,
  type Signal,
  type SignalStatus,
  type SignalType,
  type Tlp,
} from "../core/model.js";
import { openDatabase, type OpenDatabase, type OpenOptions } from "./database.js";
import type { BanksTable, Database, ForeignOpinionsTable, OpinionsTable, OrgsTable, SignalsTable } from "./schema.js";
import type {
  BankInput,
  BankPatch,
  ChangeFilter,
  ChangePage,
  SignalInput,
  SignalStore,
  UpsertResult,
} from "./store.js";

const BATCH = 400;

/** The unique key of a value: its SHA-256 (long texts cannot be indexed as they are). */
function valueKey(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

function toOrg(r: Selectable<OrgsTable>): Org {
  return { id: r.id, name: r.name, kind: r.kind as OrgKind, createdAt: Number(r.created_at) };
}

function toBank(r: Selectable<BanksTable>): Bank {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    description: r.description,
    actionHint: r.action_hint,
    negative: Number(r.negative) === 1,
    pdqThreshold: r.pdq_threshold,
    pdqMinQuality: r.pdq_min_quality,
    textMinSimilarity: Number(r.text_min_similarity),
    accountMinScore: Number(r.account_min_score),
    tlp: r.tlp as Tlp,
    enabledRatio: Number(r.enabled_ratio),
    deleted: Number(r.deleted) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function parseLabels(text: string): Labels {
  try {
    const v = JSON.parse(text) as Partial<Labels>;
    return { entity: v.entity ?? [], behaviour: v.behaviour ?? [], language: v.language ?? [] };
  } catch {
    return EMPTY_LABELS;
  }
}

export function toSignal(r: Selectable<SignalsTable>): Signal {
  return {
    id: r.id,
    bankId: r.bank_id,
    type: r.type as SignalType,
    value: r.value,
    quality: r.quality === null ? null : Number(r.quality),
    labels: parseLabels(r.labels),
    confidence: r.confidence,
    source: r.source,
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    status: r.status as SignalStatus,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    changeSeq: Number(r.change_seq),
  };
}

function toOpinion(r: Selectable<OpinionsTable>): Opinion {
  return {
    id: r.id,
    signalId: r.signal_id,
    orgId: r.org_id,
    kind: r.kind as OpinionKind,
    note: r.note,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    ...(r.retracted_at !== null && r.retracted_at !== undefined ? { retractedAt: Number(r.retracted_at) } : {}),
  };
}

function toForeignOpinion(r: Selectable<ForeignOpinionsTable>): ForeignOpinion {
  return {
    signalId: r.signal_id,
    source: r.source,
    originKey: r.origin_key,
    orgName: r.org_name,
    kind: r.kind as OpinionKind,
    note: r.note,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  return [...new Set([...a, ...b])];
}

function mergeLabels(a: Labels, b: Labels): Labels {
  return {
    entity: union(a.entity, b.entity),
    behaviour: union(a.behaviour, b.behaviour),
    language: union(a.language, b.language),
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === "23505" || e.code === "SQLITE_CONSTRAINT_UNIQUE" || /UNIQUE constraint/i.test(e.message ?? "");
}

export class KyselyStore implements SignalStore {
  private constructor(private readonly open: OpenDatabase) {}

  /** Opens the database at `url` (see storage/database.ts) and migrates it. */
  static async open(url: string, options: OpenOptions = {}): Promise<KyselyStore> {
    return new KyselyStore(await openDatabase(url, options));
  }

  get dialect(): "sqlite" | "postgres" {
    return this.open.dialect;
  }

  /** The Kysely handle, for adapters that need their own queries (tests, audits). */
  get db(): Kysely<Database> {
    return this.open.db;
  }

  close(): Promise<void> {
    return this.open.close();
  }

  // --- organisations -------------------------------------------------------

  async createOrg(name: string, kind: OrgKind): Promise<Org> {
    try {
      const row = await this.db
        .insertInto("orgs")
        .values({ name, kind, created_at: Date.now() })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toOrg(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw new RasdError("conflict", `an organisation named "${name}" already exists`);
      throw error;
    }
  }

  async getOrg(id: number): Promise<Org | undefined> {
    const row = await this.db.selectFrom("orgs").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toOrg(row);
  }

  async getOrgByName(name: string): Promise<Org | undefined> {
    const row = await this.db.selectFrom("orgs").selectAll().where("name", "=", name).executeTakeFirst();
    return row && toOrg(row);
  }

  async listOrgs(): Promise<Org[]> {
    return (await this.db.selectFrom("orgs").selectAll().orderBy("id").execute()).map(toOrg);
  }

  // --- banks ---------------------------------------------------------------

  async createBank(input: BankInput): Promise<Bank> {
    const now = Date.now();
    try {
      const row = await this.db.transaction().execute(async (tx) => {
        const seq = await nextSeqs(tx, 1);
        return tx
          .insertInto("banks")
          .values({
            org_id: input.orgId,
            name: input.name,
            description: input.description ?? "",
            action_hint: input.actionHint ?? "",
            negative: input.negative ? 1 : 0,
            pdq_threshold: input.pdqThreshold ?? DEFAULT_PDQ_THRESHOLD,
            pdq_min_quality: input.pdqMinQuality ?? DEFAULT_PDQ_MIN_QUALITY,
            text_min_similarity: input.textMinSimilarity ?? DEFAULT_TEXT_MIN_SIMILARITY,
            account_min_score: input.accountMinScore ?? DEFAULT_ACCOUNT_MIN_SCORE,
            tlp: input.tlp ?? "AMBER+STRICT",
            enabled_ratio: input.enabledRatio ?? 1,
            created_at: now,
            updated_at: now,
            change_seq: seq,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      return toBank(row);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new RasdError("conflict", `the organisation already has a bank named "${input.name}"`);
      throw error;
    }
  }

  async updateBank(id: number, patch: BankPatch): Promise<Bank> {
    const row = await this.updateBankRow(id, patch).catch((error: unknown) => {
      if (isUniqueViolation(error))
        throw new RasdError("conflict", `the organisation already has a bank named "${patch.name ?? "?"}"`);
      throw error;
    });
    if (!row) throw new RasdError("not_found", `no bank with id ${id}`);
    return toBank(row);
  }

  private updateBankRow(id: number, patch: BankPatch) {
    return this.db.transaction().execute(async (tx) => {
      const seq = await nextSeqs(tx, 1);
      return tx
        .updateTable("banks")
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.actionHint !== undefined ? { action_hint: patch.actionHint } : {}),
          ...(patch.negative !== undefined ? { negative: patch.negative ? 1 : 0 } : {}),
          ...(patch.pdqThreshold !== undefined ? { pdq_threshold: patch.pdqThreshold } : {}),
          ...(patch.pdqMinQuality !== undefined ? { pdq_min_quality: patch.pdqMinQuality } : {}),
          ...(patch.textMinSimilarity !== undefined ? { text_min_similarity: patch.textMinSimilarity } : {}),
          ...(patch.accountMinScore !== undefined ? { account_min_score: patch.accountMinScore } : {}),
          ...(patch.tlp !== undefined ? { tlp: patch.tlp } : {}),
          ...(patch.enabledRatio !== undefined ? { enabled_ratio: patch.enabledRatio } : {}),
          ...(patch.deleted !== undefined ? { deleted: patch.deleted ? 1 : 0 } : {}),
          updated_at: Date.now(),
          change_seq: seq,
        })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
    });
  }

  async getBank(id: number): Promise<Bank | undefined> {
    const row = await this.db.selectFrom("banks").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toBank(row);
  }

  async getBankByName(orgId: number, name: string): Promise<Bank | undefined> {
    const row = await this.db
      .selectFrom("banks")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("name", "=", name)
      .executeTakeFirst();
    return row && toBank(row);
  }

  async listBanks(orgId?: number, options: { includeDeleted?: boolean } = {}): Promise<Bank[]> {
    let q = this.db.selectFrom("banks").selectAll().orderBy("id");
    if (!options.includeDeleted) q = q.where("deleted", "=", 0);
    if (orgId !== undefined) q = q.where("org_id", "=", orgId);
    return (await q.execute()).map(toBank);
  }

  // --- signals -------------------------------------------------------------

  async upsertSignals(bankId: number, inputs: readonly SignalInput[]): Promise<UpsertResult[]> {
    if (inputs.length === 0) return [];
    const bank = await this.getBank(bankId);
    if (!bank) throw new RasdError("not_found", `no bank with id ${bankId}`);
    return this.db.transaction().execute(async (tx) => {
      const results: UpsertResult[] = [];
      for (let start = 0; start < inputs.length; start += BATCH) {
        results.push(...(await this.upsertBatch(tx, bankId, inputs.slice(start, start + BATCH))));
      }
      return results;
    });
  }

  private async upsertBatch(
    tx: Transaction<Database>,
    bankId: number,
    batch: readonly SignalInput[],
  ): Promise<UpsertResult[]> {
    const now = Date.now();
    // Collapse repeats within the batch: the last one wins, labels merged.
    const byKey = new Map<string, SignalInput>();
    for (const input of batch) {
      const key = `${input.type}\u0000${input.value}`;
      const prev = byKey.get(key);
      byKey.set(
        key,
        prev ? { ...input, labels: mergeLabels(prev.labels ?? EMPTY_LABELS, input.labels ?? EMPTY_LABELS) } : input,
      );
    }
    const unique = [...byKey.values()];
    // One look-up per type, so that (bank_id, type, value_key) — the unique index — is used in
    // full: with the type left out, SQLite and PostgreSQL read every signal of the bank (adding
    // 10 signals to a bank of 10M took 1.7 s).
    const existing: Selectable<SignalsTable>[] = [];
    for (const type of new Set(unique.map((u) => u.type)))
      existing.push(
        ...(await tx
          .selectFrom("signals")
          .selectAll()
          .where("bank_id", "=", bankId)
          .where("type", "=", type)
          .where(
            "value_key",
            "in",
            unique.filter((u) => u.type === type).map((u) => valueKey(u.value)),
          )
          .execute()),
      );
    const found = new Map(existing.map((r) => [`${r.type}\u0000${r.value}`, r]));
    let seq = (await nextSeqs(tx, unique.length)) - unique.length;
    const out = new Map<string, UpsertResult>();
    const fresh: SignalInput[] = [];
    for (const input of unique) {
      const key = `${input.type}\u0000${input.value}`;
      const row = found.get(key);
      if (!row) {
        fresh.push(input);
        continue;
      }
      const labels = mergeLabels(parseLabels(row.labels), input.labels ?? EMPTY_LABELS);
      const seen = input.lastSeen ?? now;
      const updated = await tx
        .updateTable("signals")
        .set({
          status: "active",
          labels: JSON.stringify(labels),
          confidence: input.confidence ?? row.confidence,
          quality: input.quality ?? row.quality,
          source: input.source ?? row.source,
          first_seen: Math.min(Number(row.first_seen), input.firstSeen ?? Number(row.first_seen)),
          last_seen: Math.max(Number(row.last_seen), seen),
          updated_at: now,
          change_seq: ++seq,
        })
        .where("id", "=", row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      out.set(key, { signal: toSignal(updated), outcome: row.status === "retracted" ? "reactivated" : "updated" });
    }
    if (fresh.length > 0) {
      const rows = await tx
        .insertInto("signals")
        .values(
          fresh.map((input) => ({
            bank_id: bankId,
            type: input.type,
            value: input.value,
            value_key: valueKey(input.value),
            quality: input.quality ?? null,
            labels: JSON.stringify(input.labels ?? EMPTY_LABELS),
            confidence: input.confidence ?? 50,
            source: input.source ?? "",
            first_seen: input.firstSeen ?? input.lastSeen ?? now,
            last_seen: input.lastSeen ?? input.firstSeen ?? now,
            status: "active",
            created_at: now,
            updated_at: now,
            change_seq: ++seq,
          })),
        )
        .returningAll()
        .execute();
      for (const row of rows) out.set(`${row.type}\u0000${row.value}`, { signal: toSignal(row), outcome: "created" });
    }
    return batch.map((input) => out.get(`${input.type}\u0000${input.value}`)!);
  }

  async retractSignal(id: number): Promise<Signal> {
    const row = await this.db.transaction().execute(async (tx) => {
      const seq = await nextSeqs(tx, 1);
      return tx
        .updateTable("signals")
        .set({ status: "retracted", updated_at: Date.now(), change_seq: seq })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
    });
    if (!row) throw new RasdError("not_found", `no signal with id ${id}`);
    return toSignal(row);
  }

  async getSignal(id: number): Promise<Signal | undefined> {
    const row = await this.db.selectFrom("signals").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toSignal(row);
  }

  async getSignals(ids: readonly number[]): Promise<Signal[]> {
    if (ids.length === 0) return [];
    const out: Signal[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom("signals")
        .selectAll()
        .where("id", "in", ids.slice(i, i + 500))
        .execute();
      out.push(...rows.map(toSignal));
    }
    return out;
  }

  async findSignals(type: SignalType, value: string): Promise<Signal[]> {
    const rows = await this.db
      .selectFrom("signals")
      .selectAll()
      .where("type", "=", type)
      .where("value_key", "=", valueKey(value))
      .orderBy("id")
      .execute();
    return rows.map(toSignal);
  }

  async listSignals(
    bankId: number,
    options: { afterId?: number; limit?: number; includeRetracted?: boolean } = {},
  ): Promise<Signal[]> {
    let q = this.db
      .selectFrom("signals")
      .selectAll()
      .where("bank_id", "=", bankId)
      .where("id", ">", options.afterId ?? 0)
      .orderBy("id")
      .limit(options.limit ?? 1000);
    if (!options.includeRetracted) q = q.where("status", "=", "active");
    return (await q.execute()).map(toSignal);
  }

  async countSignals(bankId?: number): Promise<number> {
    let q = this.db
      .selectFrom("signals")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("status", "=", "active");
    if (bankId !== undefined) q = q.where("bank_id", "=", bankId);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countSignalsByType(bankIds: readonly number[]): Promise<Partial<Record<SignalType, number>>> {
    if (bankIds.length === 0) return {};
    const rows = await this.db
      .selectFrom("signals")
      .select(["type", (eb) => eb.fn.countAll().as("n")])
      .where("status", "=", "active")
      .where("bank_id", "in", [...bankIds])
      .groupBy("type")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.type, Number(r.n)])) as Partial<Record<SignalType, number>>;
  }

  // --- opinions ------------------------------------------------------------

  async setOpinion(signalId: number, orgId: number, kind: OpinionKind, note = "", at?: number): Promise<Opinion> {
    const now = at ?? Date.now();
    const row = await this.db.transaction().execute(async (tx) => {
      const signal = await tx.selectFrom("signals").select("id").where("id", "=", signalId).executeTakeFirst();
      if (!signal) throw new RasdError("not_found", `no signal with id ${signalId}`);
      const seq = await nextSeqs(tx, 1);
      // An opinion is a change to the signal that mirrors should see.
      await tx.updateTable("signals").set({ change_seq: seq, updated_at: now }).where("id", "=", signalId).execute();
      return tx
        .insertInto("opinions")
        .values({ signal_id: signalId, org_id: orgId, kind, note, created_at: now, updated_at: now })
        .onConflict((oc) =>
          oc.columns(["signal_id", "org_id"]).doUpdateSet({ kind, note, updated_at: now, retracted_at: null }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return toOpinion(row);
  }

  async retractOpinion(signalId: number, orgId: number): Promise<boolean> {
    const now = Date.now();
    return this.db.transaction().execute(async (tx) => {
      const standing = await tx
        .selectFrom("opinions")
        .select("id")
        .where("signal_id", "=", signalId)
        .where("org_id", "=", orgId)
        .where("retracted_at", "is", null)
        .executeTakeFirst();
      if (!standing) return false;
      const seq = await nextSeqs(tx, 1);
      // A retracted opinion is a change to the signal that mirrors should see, as a given one is.
      await tx.updateTable("signals").set({ change_seq: seq, updated_at: now }).where("id", "=", signalId).execute();
      await tx
        .updateTable("opinions")
        .set({ retracted_at: now, updated_at: now })
        .where("id", "=", standing.id)
        .execute();
      return true;
    });
  }

  async listOpinions(signalId: number, options: { includeRetracted?: boolean } = {}): Promise<Opinion[]> {
    let q = this.db.selectFrom("opinions").selectAll().where("signal_id", "=", signalId);
    if (options.includeRetracted !== true) q = q.where("retracted_at", "is", null);
    const rows = await q.orderBy("id").execute();
    return rows.map(toOpinion);
  }

  async putForeignOpinions(
    signalId: number,
    source: string,
    change: {
      readonly upsert: readonly Omit<ForeignOpinion, "signalId" | "source" | "createdAt">[];
      readonly remove?: readonly string[];
      readonly replaceAll?: boolean;
    },
  ): Promise<number> {
    const now = Date.now();
    return this.db.transaction().execute(async (tx) => {
      let changed = 0;
      const held = await tx
        .selectFrom("foreign_opinions")
        .selectAll()
        .where("signal_id", "=", signalId)
        .where("source", "=", source)
        .execute();
      const byKey = new Map(held.map((r) => [r.origin_key, r]));
      const keep = new Set<string>();
      for (const o of change.upsert) {
        keep.add(o.originKey);
        const old = byKey.get(o.originKey);
        if (old) {
          if (old.kind === o.kind && old.note === o.note && old.org_name === o.orgName) continue;
          await tx
            .updateTable("foreign_opinions")
            .set({ kind: o.kind, note: o.note, org_name: o.orgName, updated_at: o.updatedAt })
            .where("id", "=", old.id)
            .execute();
        } else
          await tx
            .insertInto("foreign_opinions")
            .values({
              signal_id: signalId,
              source,
              origin_key: o.originKey,
              org_name: o.orgName,
              kind: o.kind,
              note: o.note,
              created_at: Math.min(now, o.updatedAt),
              updated_at: o.updatedAt,
            })
            .execute();
        changed++;
      }
      const gone = new Set(change.remove ?? []);
      if (change.replaceAll === true) for (const k of byKey.keys()) if (!keep.has(k)) gone.add(k);
      for (const k of gone) {
        const old = byKey.get(k);
        if (!old || keep.has(k)) continue;
        await tx.deleteFrom("foreign_opinions").where("id", "=", old.id).execute();
        changed++;
      }
      return changed;
    });
  }

  async listForeignOpinionsOf(signalIds: readonly number[]): Promise<ForeignOpinion[]> {
    const out: ForeignOpinion[] = [];
    for (let i = 0; i < signalIds.length; i += 500) {
      const rows = await this.db
        .selectFrom("foreign_opinions")
        .selectAll()
        .where("signal_id", "in", signalIds.slice(i, i + 500))
        .orderBy("signal_id")
        .orderBy("source")
        .orderBy("origin_key")
        .execute();
      out.push(...rows.map(toForeignOpinion));
    }
    return out;
  }

  // --- sync ----------------------------------------------------------------

  async changesSince(cursor: number, limit = 1000, options: ChangeFilter = {}): Promise<ChangePage> {
    const { bankIds, upTo, updatedAfter } = options;
    if (bankIds && bankIds.length === 0) return { signals: [], cursor: Math.max(cursor, upTo ?? cursor) };
    let q = this.db.selectFrom("signals").selectAll().where("change_seq", ">", cursor);
    if (upTo !== undefined) q = q.where("change_seq", "<=", upTo);
    if (bankIds) q = q.where("bank_id", "in", [...bankIds]);
    if (updatedAfter !== undefined) q = q.where("updated_at", ">", updatedAfter);
    const rows = await q.orderBy("change_seq").limit(limit).execute();
    const signals = rows.map(toSignal);
    // A short page under `upTo` has seen everything up to it, including changes it may not show.
    const end = signals.length < limit && upTo !== undefined ? Math.max(cursor, upTo) : undefined;
    return { signals, cursor: end ?? (signals.length > 0 ? signals[signals.length - 1]!.changeSeq : cursor) };
  }

  async listOpinionsOf(signalIds: readonly number[], options: { includeRetracted?: boolean } = {}): Promise<Opinion[]> {
    const out: Opinion[] = [];
    for (let i = 0; i < signalIds.length; i += 500) {
      const ids = signalIds.slice(i, i + 500);
      let q = this.db.selectFrom("opinions").selectAll().where("signal_id", "in", ids);
      if (options.includeRetracted !== true) q = q.where("retracted_at", "is", null);
      const rows = await q.orderBy("signal_id").orderBy("org_id").execute();
      out.push(...rows.map(toOpinion));
    }
    return out;
  }

  async currentCursor(): Promise<number> {
    const row = await this.db
      .selectFrom("counters")
      .select("value")
      .where("name", "=", "change_seq")
      .executeTakeFirstOrThrow();
    return Number(row.value);
  }

  async *activeSignalPages(pageSize = 10_000, types?: readonly SignalType[]): AsyncIterable<Signal[]> {
    let afterId = 0;
    for (;;) {
      let q = this.db
        .selectFrom("signals")
        .selectAll()
        .where("status", "=", "active")
        .where("id", ">", afterId)
        .orderBy("id")
        .limit(pageSize);
      if (types && types.length > 0) q = q.where("type", "in", [...types]);
      const rows = await q.execute();
      if (rows.length === 0) return;
      afterId = rows[rows.length - 1]!.id;
      yield rows.map(toSignal);
    }
  }

  async *activeIndexPages(pageSize = 50_000): AsyncIterable<IndexedSignal[]> {
    let afterId = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom("signals")
        .select(["id", "bank_id", "type", "value"])
        .where("status", "=", "active")
        .where("id", ">", afterId)
        .orderBy("id")
        .limit(pageSize)
        .execute();
      if (rows.length === 0) return;
      afterId = rows[rows.length - 1]!.id;
      yield rows.map((r) => ({
        id: r.id,
        bankId: r.bank_id,
        type: r.type as SignalType,
        value: r.value,
        status: "active" as const,
      }));
    }
  }
}

/** Reserves `n` change numbers; returns the last. Serialises writers (see module note). */
async function nextSeqs(tx: Transaction<Database>, n: number): Promise<number> {
  const row = await tx
    .updateTable("counters")
    .set({ value: sql<number>`value + ${n}` })
    .where("name", "=", "change_seq")
    .returning("value")
    .executeTakeFirstOrThrow();
  return Number(row.value);
}
