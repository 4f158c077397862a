/**
 * Webhook endpoints (ports/webhook-endpoints.ts) over Kysely. An action's endpoint is its
 * organisation and the origin of its target, computed in SQL as in `webhookOrigin`: the
 * target up to the first "/" after "scheme://" (position 9 is past "https://" and inside
 * the host of "http://", whose host has at least one character).
 *
 * Leasing ranks the runnable jobs of each endpoint (a window function) and takes at most
 * `perEndpoint` of each. On PostgreSQL the candidates are locked with `skip locked` first
 * (locking and window functions cannot share one select), so concurrent workers skip each
 * other's rows; on SQLite the write lock serialises them.
 */

import { sql, type Kysely, type RawBuilder, type Selectable } from "kysely";
import { RasdError } from "../core/errors.js";
import {
  HEALTHY,
  endpointId,
  nextHealth,
  webhookOrigin,
  type DisablePolicy,
  type EndpointHealth,
  type EndpointState,
} from "../core/webhook-endpoints.js";
import { dbNowMs, toJob } from "./job-queue.js";
import type { JobsTable, Database, WebhookEndpointsTable } from "./schema.js";
import type {
  DeliveryLeaseRequest,
  EndpointOutcome,
  LeasedDelivery,
  WebhookEndpoint,
  WebhookEndpointStore,
} from "./ports/webhook-endpoints.js";

/** Errors are stored truncated. */
const MAX_ERROR = 2000;
/** Candidates looked at per lease, per job wanted (PostgreSQL locks them while ranking). */
const CANDIDATES_PER_JOB = 8;

function toEndpoint(r: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    id: r.id,
    orgId: r.org_id,
    origin: r.origin,
    state: r.state as EndpointState,
    since: Number(r.since),
    failures: r.failures,
    failingSince: r.failing_since === null ? null : Number(r.failing_since),
    lastError: r.last_error,
  };
}

export class KyselyWebhookEndpointStore implements WebhookEndpointStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: "sqlite" | "postgres",
  ) {}

  /** The SQL twin of `webhookOrigin` over the actions row `a`. */
  private origin(): RawBuilder<string> {
    const find = this.dialect === "postgres" ? sql`strpos` : sql`instr`;
    return sql<string>`substr(a.target, 1, ${find}(substr(a.target, 9), '/') + 7)`;
  }

  async leaseDeliveries(r: DeliveryLeaseRequest): Promise<LeasedDelivery[]> {
    if (r.limit <= 0) return [];
    // Leases run on the database's clock (src/storage/job-queue.ts).
    const now = dbNowMs(this.dialect);
    const origin = this.origin();
    const lock = this.dialect === "postgres" ? sql`for update of j skip locked` : sql``;
    const skip =
      r.skip.length === 0
        ? sql``
        : sql`and coalesce(cast(a.org_id as text) || ' ' || ${origin}, '') not in (${sql.join(r.skip.map(endpointId))})`;
    // Two walks in id order, each stopping after `wanted` rows: the queued jobs (on SQLite
    // jobs_kind_status, whose entries are in id order; see leaseJobs) and the jobs whose lease
    // ran out (jobs_running).
    // Never a scan of every pending webhook: the cost follows the jobs looked at, not the
    // backlog (only a disabled or skipped endpoint's jobs ahead of the others are walked past).
    const wanted = r.limit * CANDIDATES_PER_JOB;
    const runnable = (state: RawBuilder<unknown>) => sql`
        select j.id as id, a.org_id as org_id, ${origin} as origin
        from jobs j left join actions a on a.id = j.ref_id
        where j.kind = 'webhook' and ${state}
          and not exists (
            select 1 from webhook_endpoints e
            where e.org_id = a.org_id and e.origin = ${origin} and e.state = 'disabled')
          ${skip}
        order by j.id limit ${wanted} ${lock}`;
    const result = await sql<Selectable<JobsTable>>`
      with queued as (${runnable(sql`j.status = 'queued' and j.run_at <= ${now}`)}),
      expired as (${runnable(sql`j.status = 'running' and j.lease_until < ${now}`)}),
      candidates as (select id, org_id, origin from queued union all select id, org_id, origin from expired),
      ranked as (
        select id, row_number() over (partition by org_id, origin order by id) as n from candidates
      )
      update jobs set status = 'running', lease_owner = ${r.owner}, lease_until = ${now} + ${r.leaseMs},
        attempts = attempts + 1, updated_at = ${Date.now()}
      where id in (select id from ranked where n <= ${r.perEndpoint} order by id limit ${r.limit})
      returning *`.execute(this.db);
    const jobs = result.rows.map(toJob).sort((a, b) => a.id - b.id);
    if (jobs.length === 0) return [];
    const targets = new Map(
      (
        await this.db
          .selectFrom("actions")
          .select(["id", "org_id", "target"])
          .where(
            "id",
            "in",
            jobs.map((j) => j.refId),
          )
          .execute()
      ).map((a) => [a.id, { orgId: a.org_id, origin: webhookOrigin(a.target) }]),
    );
    return jobs.map((job) => ({ job, endpoint: targets.get(job.refId) ?? { orgId: 0, origin: "" } }));
  }

  recordOutcomes(outcomes: readonly EndpointOutcome[], policy: DisablePolicy): Promise<WebhookEndpoint[]> {
    const byEndpoint = new Map<string, EndpointOutcome[]>();
    for (const o of outcomes) {
      if (o.endpoint.origin === "") continue;
      const id = endpointId(o.endpoint);
      byEndpoint.set(id, [...(byEndpoint.get(id) ?? []), o]);
    }
    if (byEndpoint.size === 0) return Promise.resolve([]);
    return this.db.transaction().execute(async (tx) => {
      const disabled: WebhookEndpoint[] = [];
      for (const list of byEndpoint.values()) {
        const { orgId, origin } = list[0]!.endpoint;
        let q = tx.selectFrom("webhook_endpoints").selectAll().where("org_id", "=", orgId).where("origin", "=", origin);
        if (this.dialect === "postgres") q = q.forUpdate();
        const row = await q.executeTakeFirst();
        const before: EndpointHealth = row ? toEndpoint(row) : HEALTHY;
        let h = before;
        for (const o of list) h = nextHealth(h, o, policy);
        if (!row && h.failures === 0) continue; // healthy and never failed: no row needed
        if (row && h.failures === before.failures && h.state === before.state && h.failures === 0) continue;
        const at = list[list.length - 1]!.at;
        const values = {
          state: h.state,
          since: h.state === before.state && row ? Number(row.since) : h.since || at,
          failures: h.failures,
          failing_since: h.failingSince,
          last_error: h.lastError === null ? null : h.lastError.slice(0, MAX_ERROR),
          updated_at: at,
        };
        const saved = await tx
          .insertInto("webhook_endpoints")
          .values({ org_id: orgId, origin, ...values })
          .onConflict((oc) => oc.columns(["org_id", "origin"]).doUpdateSet(values))
          .returningAll()
          .executeTakeFirstOrThrow();
        if (before.state === "active" && h.state === "disabled") disabled.push(toEndpoint(saved));
      }
      return disabled;
    });
  }

  async list(orgId: number): Promise<WebhookEndpoint[]> {
    const rows = await this.db
      .selectFrom("webhook_endpoints")
      .selectAll()
      .where("org_id", "=", orgId)
      .orderBy("origin")
      .execute();
    return rows.map(toEndpoint);
  }

  async get(id: number): Promise<WebhookEndpoint | undefined> {
    const r = await this.db.selectFrom("webhook_endpoints").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toEndpoint(r);
  }

  enable(id: number, now: number): Promise<{ endpoint: WebhookEndpoint; released: number }> {
    const origin = this.origin();
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable("webhook_endpoints")
        .set({ state: "active", since: now, failures: 0, failing_since: null, updated_at: now })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new RasdError("not_found", `no webhook endpoint with id ${id}`);
      const released = await sql`
        update jobs set run_at = ${now}, attempts = 0, updated_at = ${now}
        where kind = 'webhook' and status = 'queued' and ref_id in (
          select a.id from actions a where a.org_id = ${row.org_id} and ${origin} = ${row.origin})`.execute(tx);
      return { endpoint: toEndpoint(row), released: Number(released.numAffectedRows ?? 0) };
    });
  }
}
