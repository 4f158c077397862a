/** Exchanges (ports/exchanges.ts) over Kysely. */

import type { Kysely, Selectable } from "kysely";
import { RasdError } from "../core/errors.js";
import type {
  Exchange,
  ExchangeOutcome,
  ExchangePatch,
  ExchangeProgress,
  ExchangeStore,
  NewExchange,
} from "./ports/exchanges.js";
import type { Database, ExchangesTable } from "./schema.js";

/** Errors are stored truncated. */
const MAX_ERROR = 2000;

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function toExchange(r: Selectable<ExchangesTable>): Exchange {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    api: r.api,
    bankId: r.bank_id,
    enabled: Number(r.enabled) === 1,
    config: JSON.parse(r.config) as Record<string, unknown>,
    credentials: r.credentials,
    checkpoint: r.checkpoint,
    checkpointAt: num(r.checkpoint_at),
    fetchStartedAt: num(r.fetch_started_at),
    fetchEndedAt: num(r.fetch_ended_at),
    fetchOk: r.fetch_ok === null ? null : Number(r.fetch_ok) === 1,
    upToDate: Number(r.up_to_date) === 1,
    fetchedItems: Number(r.fetched_items),
    failures: Number(r.failures),
    lastError: r.last_error,
    nextFetchAt: Number(r.next_fetch_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export class KyselyExchangeStore implements ExchangeStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: NewExchange, now: number): Promise<Exchange> {
    try {
      const row = await this.db
        .insertInto("exchanges")
        .values({
          org_id: input.orgId,
          name: input.name,
          api: input.api,
          bank_id: input.bankId,
          enabled: input.enabled ? 1 : 0,
          config: JSON.stringify(input.config),
          credentials: input.credentials,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toExchange(row);
    } catch (error) {
      if (/unique|duplicate/i.test(String((error as Error).message)))
        throw new RasdError("conflict", `an exchange named ${input.name} already exists`);
      throw error;
    }
  }

  async get(id: number): Promise<Exchange | undefined> {
    const row = await this.db.selectFrom("exchanges").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toExchange(row);
  }

  async getByName(name: string): Promise<Exchange | undefined> {
    const row = await this.db.selectFrom("exchanges").selectAll().where("name", "=", name).executeTakeFirst();
    return row && toExchange(row);
  }

  async list(orgId?: number): Promise<Exchange[]> {
    let q = this.db.selectFrom("exchanges").selectAll().orderBy("name");
    if (orgId !== undefined) q = q.where("org_id", "=", orgId);
    return (await q.execute()).map(toExchange);
  }

  async update(id: number, patch: ExchangePatch, now: number): Promise<Exchange> {
    const row = await this.db
      .updateTable("exchanges")
      .set({
        updated_at: now,
        ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
        ...(patch.config !== undefined ? { config: JSON.stringify(patch.config) } : {}),
        ...(patch.credentials !== undefined ? { credentials: patch.credentials } : {}),
        ...(patch.nextFetchAt !== undefined ? { next_fetch_at: patch.nextFetchAt } : {}),
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new RasdError("not_found", `no exchange with id ${id}`);
    return toExchange(row);
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom("exchanges").where("id", "=", id).execute();
  }

  async bankIds(): Promise<number[]> {
    return (await this.db.selectFrom("exchanges").select("bank_id").execute()).map((r) => r.bank_id);
  }

  async lease(owner: string, now: number, leaseMs: number, id?: number): Promise<Exchange | undefined> {
    // One conditional update per candidate: whoever changes the row holds the lease.
    const candidates =
      id !== undefined
        ? [id]
        : (
            await this.db
              .selectFrom("exchanges")
              .select("id")
              .where("enabled", "=", 1)
              .where("next_fetch_at", "<=", now)
              .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
              .orderBy("next_fetch_at")
              .limit(8)
              .execute()
          ).map((r) => r.id);
    for (const candidate of candidates) {
      const row = await this.db
        .updateTable("exchanges")
        .set({ lease_owner: owner, lease_until: now + leaseMs, fetch_started_at: now })
        .where("id", "=", candidate)
        .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<", now)]))
        .returningAll()
        .executeTakeFirst();
      if (row) return toExchange(row);
    }
    return undefined;
  }

  async progress(id: number, owner: string, step: ExchangeProgress, now: number, leaseMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable("exchanges")
      .set((eb) => ({
        checkpoint: step.checkpoint,
        checkpoint_at: step.checkpointAt,
        fetched_items: eb("fetched_items", "+", step.items),
        up_to_date: step.upToDate ? 1 : 0,
        lease_until: now + leaseMs,
        updated_at: now,
      }))
      .where("id", "=", id)
      .where("lease_owner", "=", owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async finish(id: number, owner: string, outcome: ExchangeOutcome, now: number): Promise<void> {
    await this.db
      .updateTable("exchanges")
      .set({
        fetch_ok: outcome.ok ? 1 : 0,
        fetch_ended_at: now,
        last_error: outcome.error === null ? null : outcome.error.slice(0, MAX_ERROR),
        failures: outcome.failures,
        next_fetch_at: outcome.nextFetchAt,
        lease_owner: null,
        lease_until: null,
        updated_at: now,
      })
      .where("id", "=", id)
      .where("lease_owner", "=", owner)
      .execute();
  }

  async saveTaxiiStatus(id: string, orgId: number, body: string, now: number): Promise<void> {
    await this.db.insertInto("taxii_statuses").values({ id, org_id: orgId, body, created_at: now }).execute();
  }

  async getTaxiiStatus(id: string): Promise<{ orgId: number; body: string } | undefined> {
    const r = await this.db
      .selectFrom("taxii_statuses")
      .select(["org_id", "body"])
      .where("id", "=", id)
      .executeTakeFirst();
    return r ? { orgId: r.org_id, body: r.body } : undefined;
  }

  async getApiCredentials(orgId: number, api: string): Promise<string | null> {
    const r = await this.db
      .selectFrom("exchange_api_credentials")
      .select("credentials")
      .where("org_id", "=", orgId)
      .where("api", "=", api)
      .executeTakeFirst();
    return r?.credentials ?? null;
  }

  async setApiCredentials(orgId: number, api: string, sealed: string | null, now: number): Promise<void> {
    if (sealed === null) {
      await this.db.deleteFrom("exchange_api_credentials").where("org_id", "=", orgId).where("api", "=", api).execute();
      return;
    }
    await this.db
      .insertInto("exchange_api_credentials")
      .values({ org_id: orgId, api, credentials: sealed, updated_at: now })
      .onConflict((oc) => oc.columns(["org_id", "api"]).doUpdateSet({ credentials: sealed, updated_at: now }))
      .execute();
  }
}
