/** Incidents (ports/incidents.ts) over Kysely, on SQLite and PostgreSQL. */

import { sql, type Kysely, type RawBuilder, type Selectable, type SqlBool } from "kysely";
import { RasdError } from "../core/errors.js";
import type {
  Incident,
  IncidentEvent,
  IncidentEventKind,
  IncidentStatus,
  IncidentTier,
  Variant,
  VariantStatus,
  VariantType,
} from "../core/incidents.js";
import { completeJobs, enqueueJobs, retryOrBuryJob } from "./job-queue.js";
import type {
  AlertResult,
  IncidentAlert,
  IncidentPatch,
  IncidentStore,
  NewAlert,
  NewIncident,
  NewIncidentEvent,
  NewVariant,
} from "./ports/incidents.js";
import type {
  Database,
  IncidentAlertsTable,
  IncidentEventsTable,
  IncidentsTable,
  IncidentVariantsTable,
} from "./schema.js";

/** Errors are stored truncated. */
const MAX_ERROR = 2000;
const CHUNK = 500;

type Db = Kysely<Database>;

/**
 * SQL: the item `ref` (a column holding a content item's id) was not matched in a drill — the
 * crisis protocol's exercises are left out of every real figure (docs/crisis.md).
 */
export function notInDrill(ref: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`not exists (select 1 from incident_events ie join incidents inc on inc.id = ie.incident_id
    where ie.item_id = ${sql.ref(ref)} and ie.kind = 'match' and inc.drill = 1)`;
}

/** A condition: the bank at `ref` is not a drill's exercise bank. */
export function notDrillBank(ref: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`not exists (select 1 from incidents inc where inc.bank_id = ${sql.ref(ref)} and inc.drill = 1)`;
}

function toIncident(r: Selectable<IncidentsTable>): Incident {
  return {
    id: r.id,
    orgId: r.org_id,
    declaredBy: r.declared_by,
    tier: Number(r.tier) as IncidentTier,
    title: r.title,
    description: r.description,
    drill: Number(r.drill) === 1,
    status: r.status as IncidentStatus,
    bankId: r.bank_id,
    declaredAt: Number(r.declared_at),
    closedAt: r.closed_at === null ? null : Number(r.closed_at),
    improve: r.improve,
    updatedAt: Number(r.updated_at),
  };
}

function toEvent(r: Selectable<IncidentEventsTable>): IncidentEvent {
  return {
    id: r.id,
    incidentId: r.incident_id,
    at: Number(r.at),
    kind: r.kind as IncidentEventKind,
    orgId: r.org_id,
    itemId: r.item_id,
    signalId: r.signal_id,
    variantId: r.variant_id,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
}

function toVariant(r: Selectable<IncidentVariantsTable>): Variant {
  return {
    id: r.id,
    incidentId: r.incident_id,
    type: r.type as VariantType,
    value: r.value,
    itemId: r.item_id,
    orgId: r.org_id,
    nearSignalId: r.near_signal_id,
    distance: r.distance === null ? null : Number(r.distance),
    similarity: r.similarity === null ? null : Number(r.similarity),
    seen: Number(r.seen),
    status: r.status as VariantStatus,
    proposedAt: Number(r.proposed_at),
    decidedAt: r.decided_at === null ? null : Number(r.decided_at),
    decidedBy: r.decided_by,
    signalId: r.signal_id,
  };
}

function toAlert(r: Selectable<IncidentAlertsTable>): IncidentAlert {
  return {
    id: r.id,
    incidentId: r.incident_id,
    orgId: r.org_id,
    event: r.event,
    deliveryId: r.delivery_id,
    target: r.target,
    ruleId: r.rule_id,
    actionIndex: r.action_index,
    payload: r.payload,
    status: r.status as IncidentAlert["status"],
    attempts: Number(r.attempts),
    lastStatus: r.last_status,
    lastError: r.last_error,
    createdAt: Number(r.created_at),
    deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
  };
}

function eventRow(e: NewIncidentEvent) {
  return {
    incident_id: e.incidentId,
    at: e.at,
    kind: e.kind,
    org_id: e.orgId ?? null,
    item_id: e.itemId ?? null,
    signal_id: e.signalId ?? null,
    variant_id: e.variantId ?? null,
    detail: JSON.stringify(e.detail ?? {}),
  };
}

async function insertEvents(db: Db, events: readonly NewIncidentEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += CHUNK)
    await db
      .insertInto("incident_events")
      .values(events.slice(i, i + CHUNK).map(eventRow))
      .execute();
}

export class KyselyIncidentStore implements IncidentStore {
  constructor(private readonly db: Db) {}

  create(input: NewIncident, events: readonly Omit<NewIncidentEvent, "incidentId">[]): Promise<Incident> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .insertInto("incidents")
        .values({
          org_id: input.orgId,
          declared_by: input.declaredBy,
          tier: input.tier,
          title: input.title,
          description: input.description,
          drill: input.drill ? 1 : 0,
          status: "active",
          bank_id: input.bankId,
          declared_at: input.declaredAt,
          updated_at: input.declaredAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await insertEvents(
        tx,
        events.map((e) => ({ ...e, incidentId: r.id })),
      );
      return toIncident(r);
    });
  }

  async get(id: number): Promise<Incident | undefined> {
    const r = await this.db.selectFrom("incidents").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toIncident(r);
  }

  async list(options: { status?: IncidentStatus; limit?: number } = {}): Promise<Incident[]> {
    let q = this.db
      .selectFrom("incidents")
      .selectAll()
      .orderBy("id", "desc")
      .limit(options.limit ?? 200);
    if (options.status) q = q.where("status", "=", options.status);
    return (await q.execute()).map(toIncident);
  }

  async update(id: number, patch: IncidentPatch, at: number): Promise<Incident> {
    const r = await this.db
      .updateTable("incidents")
      .set({
        ...(patch.tier !== undefined ? { tier: patch.tier } : {}),
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.improve !== undefined ? { improve: patch.improve } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.closedAt !== undefined ? { closed_at: patch.closedAt } : {}),
        updated_at: at,
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
    if (!r) throw new RasdError("not_found", `no incident with id ${id}`);
    return toIncident(r);
  }

  addEvents(events: readonly NewIncidentEvent[]): Promise<void> {
    return insertEvents(this.db, events);
  }

  async events(incidentId: number): Promise<IncidentEvent[]> {
    const rows = await this.db
      .selectFrom("incident_events")
      .selectAll()
      .where("incident_id", "=", incidentId)
      .orderBy("at")
      .orderBy("id")
      .execute();
    return rows.map(toEvent);
  }

  async itemsWithEvent(incidentId: number, kind: IncidentEventKind, itemIds: readonly number[]): Promise<Set<number>> {
    const out = new Set<number>();
    for (let i = 0; i < itemIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom("incident_events")
        .select("item_id")
        .where("incident_id", "=", incidentId)
        .where("kind", "=", kind)
        .where("item_id", "in", itemIds.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) if (r.item_id !== null) out.add(r.item_id);
    }
    return out;
  }

  async drillItems(itemIds: readonly number[]): Promise<Set<number>> {
    const out = new Set<number>();
    for (let i = 0; i < itemIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom("incident_events as e")
        .innerJoin("incidents as i", "i.id", "e.incident_id")
        .select("e.item_id")
        .where("i.drill", "=", 1)
        .where("e.kind", "=", "match")
        .where("e.item_id", "in", itemIds.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) if (r.item_id !== null) out.add(r.item_id);
    }
    return out;
  }

  async proposeVariant(v: NewVariant): Promise<{ variant: Variant; created: boolean }> {
    const existing = await this.db
      .selectFrom("incident_variants")
      .selectAll()
      .where("incident_id", "=", v.incidentId)
      .where("type", "=", v.type)
      .where("value", "=", v.value)
      .executeTakeFirst();
    if (existing) return { variant: toVariant(existing), created: false };
    const r = await this.db
      .insertInto("incident_variants")
      .values({
        incident_id: v.incidentId,
        type: v.type,
        value: v.value,
        item_id: v.itemId,
        org_id: v.orgId,
        near_signal_id: v.nearSignalId,
        distance: v.distance,
        similarity: v.similarity,
        proposed_at: v.proposedAt,
      })
      .onConflict((oc) => oc.columns(["incident_id", "type", "value"]).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (r) return { variant: toVariant(r), created: true };
    // Another worker proposed it meanwhile.
    const raced = await this.db
      .selectFrom("incident_variants")
      .selectAll()
      .where("incident_id", "=", v.incidentId)
      .where("type", "=", v.type)
      .where("value", "=", v.value)
      .executeTakeFirstOrThrow();
    return { variant: toVariant(raced), created: false };
  }

  async variants(incidentId: number, status?: VariantStatus): Promise<Variant[]> {
    let q = this.db.selectFrom("incident_variants").selectAll().where("incident_id", "=", incidentId).orderBy("id");
    if (status) q = q.where("status", "=", status);
    return (await q.execute()).map(toVariant);
  }

  async getVariant(id: number): Promise<Variant | undefined> {
    const r = await this.db.selectFrom("incident_variants").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toVariant(r);
  }

  async sawVariant(id: number): Promise<void> {
    await this.db
      .updateTable("incident_variants")
      .set((eb) => ({ seen: eb("seen", "+", 1) }))
      .where("id", "=", id)
      .execute();
  }

  async decideVariant(
    id: number,
    d: { status: "accepted" | "rejected"; by: number | null; at: number; signalId: number | null },
  ): Promise<Variant> {
    const r = await this.db
      .updateTable("incident_variants")
      .set({ status: d.status, decided_by: d.by, decided_at: d.at, signal_id: d.signalId })
      .where("id", "=", id)
      .where("status", "=", "proposed")
      .returningAll()
      .executeTakeFirst();
    if (r) return toVariant(r);
    const v = await this.getVariant(id);
    if (!v) throw new RasdError("not_found", `no variant with id ${id}`);
    throw new RasdError("conflict", `variant ${id} was ${v.status} already`);
  }

  async queueAlerts(alerts: readonly NewAlert[]): Promise<void> {
    if (alerts.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      const ids: number[] = [];
      for (let i = 0; i < alerts.length; i += CHUNK) {
        const rows = await tx
          .insertInto("incident_alerts")
          .values(
            alerts.slice(i, i + CHUNK).map((a) => ({
              incident_id: a.incidentId,
              org_id: a.orgId,
              event: a.event,
              delivery_id: a.deliveryId,
              target: a.target,
              rule_id: a.ruleId,
              action_index: a.actionIndex,
              payload: a.payload,
              created_at: a.createdAt,
            })),
          )
          .returning("id")
          .execute();
        ids.push(...rows.map((r) => r.id));
      }
      await enqueueJobs(tx, "incident", ids, Date.now());
    });
  }

  async getAlert(id: number): Promise<IncidentAlert | undefined> {
    const r = await this.db.selectFrom("incident_alerts").selectAll().where("id", "=", id).executeTakeFirst();
    return r && toAlert(r);
  }

  async alerts(incidentId: number): Promise<IncidentAlert[]> {
    const rows = await this.db
      .selectFrom("incident_alerts")
      .selectAll()
      .where("incident_id", "=", incidentId)
      .orderBy("id")
      .execute();
    return rows.map(toAlert);
  }

  async recordAlerts(results: readonly AlertResult[], orphanJobs: readonly number[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const done: number[] = [...orphanJobs];
      const events: NewIncidentEvent[] = [];
      for (const { job, alert, httpStatus, error, retryAt, at } of results) {
        if (error === undefined) {
          done.push(job.id);
          await tx
            .updateTable("incident_alerts")
            .set({ status: "delivered", attempts: alert.attempts + 1, last_status: httpStatus, delivered_at: at })
            .where("id", "=", alert.id)
            .execute();
          events.push({
            incidentId: alert.incidentId,
            at,
            kind: "alert_delivered",
            orgId: alert.orgId,
            detail: { event: alert.event, delivery_id: alert.deliveryId, attempts: alert.attempts + 1 },
          });
          continue;
        }
        const fate = await retryOrBuryJob(tx, job, error, retryAt);
        await tx
          .updateTable("incident_alerts")
          .set({
            status: fate === "dead" ? "dead" : "pending",
            attempts: alert.attempts + 1,
            last_status: httpStatus,
            last_error: error.slice(0, MAX_ERROR),
          })
          .where("id", "=", alert.id)
          .execute();
      }
      await completeJobs(tx, done);
      await insertEvents(tx, events);
    });
  }
}
