/**
 * TAXII 2.1's Add Objects (§5.5) and Get Status (§4.3) on rasd's server: a member writes STIX
 * Indicators into a collection — one of its own organisation's banks, with a role that may
 * write signals — and they become signals through the bank like any import (canonical forms,
 * checks, de-duplication); a revoked Indicator retracts what the bank holds. STIX Opinions about
 * an Indicator of the collection (or of the same envelope) are the caller's organisation's
 * opinion of its signal, as POST /v1/signals/<id>/opinions gives it (a revoked one takes it back;
 * decision 0048): one that names another organisation as its author is refused, and a member may
 * write Opinions alone into a collection it can read but not write. Other objects are refused
 * one by one (rasd keeps Indicators and Opinions). The whole envelope is processed before the
 * answer, so the status resource is `complete` at once; it is kept in the database so that any
 * process answers GET /status/<id>, to its organisation only.
 */

import { randomUUID } from "node:crypto";
import { RasdError } from "../core/errors.js";
import { canChangeBank } from "../core/sharing.js";
import type { OpinionKind, Signal } from "../core/model.js";
import { indicatorToSignal } from "../kernels/stix/indicator.js";
import { stixToOpinion } from "../kernels/stix/opinion.js";
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

/** An opinion an envelope gave (kind) or took back (null), for the caller to audit and relay. */
export interface TaxiiOpinionWrite {
  readonly signal: Signal;
  readonly kind: OpinionKind | null;
  readonly note: string;
}

/** As POST /v1/signals/<id>/opinions allows. */
const NOTE_MAX_CHARS = 2000;

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

  async addObjects(
    who: Principal,
    collection: string,
    envelope: unknown,
  ): Promise<{ status: TaxiiStatus; opinions: TaxiiOpinionWrite[] }> {
    const c = await this.taxii.collection(who, collection);
    const objects = (envelope as { objects?: unknown } | null)?.objects;
    if (!Array.isArray(objects)) throw new RasdError("invalid", "the body must be a TAXII envelope: {objects: [...]}");
    if (objects.length > TAXII_MAX_WRITE_OBJECTS)
      throw new RasdError("invalid", `at most ${TAXII_MAX_WRITE_OBJECTS} objects per request`);
    const typeOf = (o: unknown) => (typeof o === "object" && o !== null ? (o as { type?: unknown }).type : undefined);
    // A member gives opinions of what it may see: Opinions (with the Identities naming their
    // authors) alone may go into a collection the caller can read but not write.
    const opinionsOnly =
      objects.some((o) => typeOf(o) === "opinion") &&
      objects.every((o) => ["opinion", "identity"].includes(String(typeOf(o))));
    if (!opinionsOnly && !(await this.canWrite(who, c.bank.id)))
      throw new RasdError(
        "auth.forbidden",
        `collection ${c.id} is not writable by this organisation (an envelope of Opinions alone may be written to a collection it can read)`,
      );
    const requested = new Date().toISOString();
    const failures: TaxiiStatusDetail[] = [];
    const batch: { line: number; raw: RawSignal; detail: TaxiiStatusDetail }[] = [];
    const opinionObjects: { o: Record<string, unknown>; detail: TaxiiStatusDetail }[] = [];
    const identities = new Map<string, string>();
    const envelopeIndicators = new Map<string, { type: string; value: string }>();
    for (const raw of objects)
      if (typeOf(raw) === "identity" && typeof (raw as { name?: unknown }).name === "string")
        identities.set(String((raw as { id?: unknown }).id), (raw as { name: string }).name);
    for (const [i, raw] of objects.entries()) {
      const o = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
      const detail = { id: String(o.id ?? `objects[${i}]`), version: String(o.modified ?? o.created ?? "") };
      if (o.type === "opinion") {
        opinionObjects.push({ o, detail });
        continue;
      }
      if (o.type !== "indicator") {
        failures.push({ ...detail, message: `type ${String(o.type)}: this server keeps Indicators and Opinions only` });
        continue;
      }
      const read = indicatorToSignal(o);
      if (!read.ok) {
        failures.push({ ...detail, message: read.message });
        continue;
      }
      const s = read.signal;
      envelopeIndicators.set(detail.id, { type: s.type, value: s.value });
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
    const opinions =
      opinionObjects.length === 0
        ? []
        : await this.writeOpinions(
            who,
            c.id,
            c.bank.id,
            opinionObjects,
            identities,
            envelopeIndicators,
            successes,
            failures,
          );
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
    return { status, opinions };
  }

  /**
   * The envelope's Opinions, after its Indicators: each the caller's organisation's opinion of
   * the signal its Indicator names (in this envelope, else in the collection), or a failure that
   * says why not. Returns what was given or taken back.
   */
  private async writeOpinions(
    who: Principal,
    collection: string,
    bankId: number,
    objects: readonly { o: Record<string, unknown>; detail: TaxiiStatusDetail }[],
    identities: ReadonlyMap<string, string>,
    envelopeIndicators: ReadonlyMap<string, { type: string; value: string }>,
    successes: TaxiiStatusDetail[],
    failures: TaxiiStatusDetail[],
  ): Promise<TaxiiOpinionWrite[]> {
    const own = (await this.banks.store.getOrg(who.orgId))?.name;
    const reads = objects.map(({ o, detail }) => ({ detail, read: stixToOpinion(o, identities) }));
    const elsewhere = new Set<string>();
    for (const { read } of reads)
      if (read.ok && !envelopeIndicators.has(read.indicatorRef)) elsewhere.add(read.indicatorRef);
    const inCollection = elsewhere.size > 0 ? await this.taxii.indicatorSignals(who, collection, elsewhere) : new Map();
    const written: TaxiiOpinionWrite[] = [];
    for (const { detail, read } of reads) {
      const fail = (message: string) => failures.push({ ...detail, message });
      if (!read.ok) {
        fail(read.message);
        continue;
      }
      const r = read.opinion;
      if (r.orgName !== null && r.orgName !== own) {
        fail(
          `${detail.id}: its author is "${r.orgName}": a member writes its own organisation's opinion only (${own ?? who.orgId})`,
        );
        continue;
      }
      if ([...r.note].length > NOTE_MAX_CHARS) {
        fail(`${detail.id}: explanation: at most ${NOTE_MAX_CHARS} characters`);
        continue;
      }
      const named = envelopeIndicators.get(read.indicatorRef);
      const signal = named
        ? await this.banks.heldSignal(bankId, named.type, named.value)
        : (inCollection.get(read.indicatorRef) as Signal | undefined);
      if (!signal) {
        fail(`${detail.id}: its indicator ${read.indicatorRef} is not in collection ${collection}`);
        continue;
      }
      if (signal.status === "retracted" && !r.retracted) {
        fail(`${detail.id}: its indicator ${read.indicatorRef} is revoked (the signal is retracted)`);
        continue;
      }
      if (r.retracted) await this.banks.store.retractOpinion(signal.id, who.orgId);
      else await this.banks.opinion(signal.id, who.orgId, r.kind, r.note);
      written.push({ signal, kind: r.retracted ? null : r.kind, note: r.retracted ? "" : r.note });
      successes.push(detail);
    }
    return written;
  }

  /** A status resource of the caller's organisation, else not_found. */
  async status(who: Principal, id: string): Promise<TaxiiStatus> {
    const found = await this.statuses.getTaxiiStatus(id);
    if (!found || found.orgId !== who.orgId) throw new RasdError("not_found", `no status ${id}`);
    return JSON.parse(found.body) as TaxiiStatus;
  }
}
