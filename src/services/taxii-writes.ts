/**
 * TAXII 2.1's Add Objects (§5.5) and Get Status (§4.3) on rasd's server: a member writes STIX
 * Indicators into a collection — one of its own organisation's banks, with a role that may
 * write signals — and they become signals through the bank like any import (canonical forms,
 * checks, de-duplication); a revoked Indicator retracts what the bank holds. Other objects are
 * refused one by one (rasd keeps Indicators only). The whole envelope is processed before the
 * answer, so the status resource is `complete` at once; it is kept in the database so that any
 * process answers GET /status/<id>, to its organisation only.
 */

import { randomUUID } from "node:crypto";
import { RasdError } from "../core/errors.js";
import { canChangeBank } from "../core/sharing.js";
import { indicatorToSignal } from "../kernels/stix/indicator.js";
import type { ExchangeStore } from "../storage/ports/index.js";
import type { AccessService, Principal } from "./access.js";
import type { BankService } from "./banks.js";
import type { RawSignal } from "./signal-input.js";
import type { TaxiiService } from "./taxii.js";

/** Objects one envelope may carry. */
export const TAXII_MAX_WRITE_OBJECTS = 5000;

export interface TaxiiStatusDetail {
  readonly id: string;
  readonly version: string;
  readonly message?: string;
}

export interface TaxiiStatus {
  readonly id: string;
  readonly status: "complete";
  readonly request_timestamp: string;
  readonly total_count: number;
  readonly success_count: number;
  readonly successes: readonly TaxiiStatusDetail[];
  readonly failure_count: number;
  readonly failures: readonly TaxiiStatusDetail[];
  readonly pending_count: number;
  readonly pendings: readonly TaxiiStatusDetail[];
}

export class TaxiiWrites {
  constructor(
    private readonly taxii: TaxiiService,
    private readonly access: AccessService,
    private readonly banks: BankService,
    private readonly statuses: ExchangeStore,
  ) {}

  /** Whether `who` may write into the collection's bank (its collection view's can_write). */
  async canWrite(who: Principal, bankId: number): Promise<boolean> {
    const bank = await this.banks.store.getBank(bankId);
    return bank !== undefined && canChangeBank(who, bank, await this.access.sharingOf(bankId));
  }

  async addObjects(who: Principal, collection: string, envelope: unknown): Promise<TaxiiStatus> {
    const c = await this.taxii.collection(who, collection);
    if (!(await this.canWrite(who, c.bank.id)))
      throw new RasdError("auth.forbidden", `collection ${c.id} is not writable by this organisation`);
    const objects = (envelope as { objects?: unknown } | null)?.objects;
    if (!Array.isArray(objects)) throw new RasdError("invalid", "the body must be a TAXII envelope: {objects: [...]}");
    if (objects.length > TAXII_MAX_WRITE_OBJECTS)
      throw new RasdError("invalid", `at most ${TAXII_MAX_WRITE_OBJECTS} objects per request`);
    const requested = new Date().toISOString();
    const failures: TaxiiStatusDetail[] = [];
    const batch: { line: number; raw: RawSignal; detail: TaxiiStatusDetail }[] = [];
    for (const [i, raw] of objects.entries()) {
      const o = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
      const detail = { id: String(o.id ?? `objects[${i}]`), version: String(o.modified ?? o.created ?? "") };
      if (o.type !== "indicator") {
        failures.push({ ...detail, message: `type ${String(o.type)}: this server keeps Indicators only` });
        continue;
      }
      const read = indicatorToSignal(o);
      if (!read.ok) {
        failures.push({ ...detail, message: read.message });
        continue;
      }
      const s = read.signal;
      batch.push({
        line: i + 1,
        detail,
        raw: {
          type: s.type,
          value: s.value,
          status: s.status,
          ...(s.labels ? { labels: s.labels } : {}),
          ...(s.confidence !== undefined ? { confidence: s.confidence } : {}),
          ...(s.quality !== undefined ? { quality: s.quality } : {}),
          source: s.source ?? `TAXII ${detail.id}`,
          ...(s.first_seen ? { first_seen: s.first_seen } : {}),
          ...(s.last_seen ? { last_seen: s.last_seen } : {}),
        },
      });
    }
    const additions = batch.filter((b) => b.raw.status !== "retracted");
    const report = await this.banks.addSignals(
      c.bank.id,
      additions.map(({ line, raw }) => ({ line, raw })),
    );
    const rejected = new Map(report.rejected.map((r) => [r.line, r.message]));
    // A revoked Indicator is a tombstone: it retracts what the bank holds (nothing, if it holds none).
    for (const b of batch)
      if (b.raw.status === "retracted")
        await this.banks.retractValue(c.bank.id, String(b.raw.type), String(b.raw.value));
    const successes: TaxiiStatusDetail[] = [];
    for (const b of batch) {
      const message = rejected.get(b.line);
      if (message === undefined) successes.push(b.detail);
      else failures.push({ ...b.detail, message });
    }
    const status: TaxiiStatus = {
      id: randomUUID(),
      status: "complete",
      request_timestamp: requested,
      total_count: objects.length,
      success_count: successes.length,
      successes,
      failure_count: failures.length,
      failures,
      pending_count: 0,
      pendings: [],
    };
    await this.statuses.saveTaxiiStatus(status.id, who.orgId, JSON.stringify(status), Date.now());
    return status;
  }

  /** A status resource of the caller's organisation, else not_found. */
  async status(who: Principal, id: string): Promise<TaxiiStatus> {
    const found = await this.statuses.getTaxiiStatus(id);
    if (!found || found.orgId !== who.orgId) throw new RasdError("not_found", `no status ${id}`);
    return JSON.parse(found.body) as TaxiiStatus;
  }
}
