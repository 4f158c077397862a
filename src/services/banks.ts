/**
 * Use cases for organisations, banks and signals. Validates, writes through the store in
 * transactions, and tells the matcher about each committed change so it matches at once.
 */

import { RasdError } from "../core/errors.js";
import {
  ORG_KINDS,
  PDQ_MATCH_THRESHOLD,
  type Bank,
  type OpinionKind,
  type Org,
  type OrgKind,
  type Signal,
} from "../core/model.js";
import { MAX_INDEX_DISTANCE } from "../kernels/pdq-index/pdq-index.js";
import type { ShortenerSet } from "../kernels/url/index.js";
import type { BankInput, BankPatch, SignalStore, UpsertResult } from "../storage/store.js";
import type { Matcher } from "./matcher.js";
import { parseFileOpinions, readSignalFile, type SignalFileFormat } from "./signal-files.js";
import { tryToSignalInput, type RawSignal } from "./signal-input.js";
import type { Readable } from "node:stream";

const BANK_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_.-]{0,79}$/u;

export interface ImportReport {
  created: number;
  updated: number;
  reactivated: number;
  rejected: { line: number; message: string }[];
  /**
   * Rows marked `status: retracted` (tombstones, as `bank export --include-retracted` writes
   * them): never added; a signal the bank holds active is retracted (`retracted` counts those).
   */
  tombstones?: number;
  retracted?: number;
  /** Opinions kept from the file (as opinions from elsewhere, source `import`: decision 0042). */
  opinions?: number;
}

export class BankService {
  /** Told after every committed change (to tell other processes). */
  onChange: (() => void) | undefined;

  constructor(
    readonly store: SignalStore,
    private readonly matcher?: Matcher,
    private readonly shorteners?: ShortenerSet,
  ) {}

  async createOrg(name: string, kind: string): Promise<Org> {
    const trimmed = name.trim();
    if (trimmed === "" || trimmed.length > 120)
      throw new RasdError("invalid", "organisation name must be 1..120 characters");
    if (!(ORG_KINDS as readonly string[]).includes(kind))
      throw new RasdError("invalid", `kind must be one of ${ORG_KINDS.join(", ")}`);
    return this.store.createOrg(trimmed, kind as OrgKind);
  }

  async requireOrg(name: string): Promise<Org> {
    const org = await this.store.getOrgByName(name);
    if (!org) throw new RasdError("not_found", `no organisation named "${name}" (create it with: rasd org create)`);
    return org;
  }

  async createBank(input: BankInput): Promise<Bank> {
    if (!BANK_NAME.test(input.name)) {
      throw new RasdError(
        "invalid",
        "bank name: 1..80 letters, digits, '_', '.' or '-', starting with a letter or digit",
      );
    }
    checkBankSettings(input);
    const bank = await this.store.createBank(input);
    this.matcher?.applyBank(bank);
    this.onChange?.();
    return bank;
  }

  async updateBank(id: number, patch: BankPatch): Promise<Bank> {
    if (patch.name !== undefined && !BANK_NAME.test(patch.name))
      throw new RasdError(
        "invalid",
        "bank name: 1..80 letters, digits, '_', '.' or '-', starting with a letter or digit",
      );
    checkBankSettings(patch);
    const bank = await this.store.updateBank(id, patch);
    this.matcher?.applyBank(bank);
    this.onChange?.();
    return bank;
  }

  /**
   * Deletes a bank: its signals are retracted (tombstones, so mirrors learn of it), the bank
   * is marked deleted and renamed out of the way so that its name can be used again.
   */
  async deleteBank(id: number): Promise<void> {
    for (;;) {
      const page = await this.store.listSignals(id, { limit: 1000 });
      if (page.length === 0) break;
      for (const s of page) await this.retract(s.id);
    }
    const bank = await this.store.updateBank(id, { deleted: true, name: `deleted-${id}-${Date.now()}` });
    this.matcher?.applyBank(bank);
  }

  /** Finds a bank by "name" (unique across organisations) or "org/name". */
  async resolveBank(ref: string, orgName?: string): Promise<Bank> {
    let org: Org | undefined;
    let name = ref;
    if (orgName) org = await this.requireOrg(orgName);
    else if (ref.includes("/")) {
      const at = ref.indexOf("/");
      org = await this.requireOrg(ref.slice(0, at));
      name = ref.slice(at + 1);
    }
    if (org) {
      const bank = await this.store.getBankByName(org.id, name);
      if (!bank) throw new RasdError("not_found", `organisation "${org.name}" has no bank named "${name}"`);
      return bank;
    }
    const matches = (await this.store.listBanks()).filter((b) => b.name === name);
    if (matches.length === 0) throw new RasdError("not_found", `no bank named "${name}"`);
    if (matches.length > 1)
      throw new RasdError("invalid", `several organisations have a bank named "${name}": use ORG/BANK or --org`);
    return matches[0]!;
  }

  /** Adds signals from raw records; bad ones are reported with their line and the rest land. */
  async addSignals(bankId: number, records: readonly { line: number; raw: RawSignal }[]): Promise<ImportReport> {
    return (await this.addSignalsReturning(bankId, records)).report;
  }

  /** As addSignals, with the signals as stored (in the order of the records that were valid). */
  async addSignalsReturning(
    bankId: number,
    records: readonly { line: number; raw: RawSignal }[],
  ): Promise<{ report: ImportReport; signals: Signal[] }> {
    const report: ImportReport = { created: 0, updated: 0, reactivated: 0, rejected: [] };
    const inputs = [];
    for (const r of records) {
      const v = tryToSignalInput(r.raw, this.shorteners);
      if (v.ok) inputs.push(v.input);
      else report.rejected.push({ line: r.line, message: v.message });
    }
    const results = await this.store.upsertSignals(bankId, inputs);
    this.count(report, results);
    for (const r of results) this.matcher?.apply(r.signal);
    if (results.length) this.onChange?.();
    return { report, signals: results.map((r) => r.signal) };
  }

  /** Streams a CSV or JSON-lines file into a bank in transactions of `batch` records. */
  async importFile(
    bankId: number,
    input: string | Readable,
    format: SignalFileFormat,
    onProgress?: (records: number) => void,
    batch = 2000,
  ): Promise<ImportReport> {
    const report: ImportReport = { created: 0, updated: 0, reactivated: 0, rejected: [], tombstones: 0, retracted: 0 };
    let pending: { line: number; raw: RawSignal }[] = [];
    let tombstones: { line: number; raw: RawSignal }[] = [];
    let opinionated: { line: number; raw: RawSignal }[] = [];
    let seen = 0;
    const flush = async (): Promise<void> => {
      if (pending.length > 0) {
        const part = await this.addSignals(bankId, pending);
        report.created += part.created;
        report.updated += part.updated;
        report.reactivated += part.reactivated;
        report.rejected.push(...part.rejected);
        pending = [];
      }
      for (const t of tombstones) {
        const v = tryToSignalInput(t.raw, this.shorteners);
        if (!v.ok) {
          report.rejected.push({ line: t.line, message: v.message });
          continue;
        }
        report.tombstones! += 1;
        const held = (await this.store.findSignals(v.input.type, v.input.value)).find((x) => x.bankId === bankId);
        if (held?.status === "active") {
          await this.retract(held.id);
          report.retracted! += 1;
        }
      }
      tombstones = [];
      // Opinions once their signal is in (a tombstone's too: its opinions stay on record).
      for (const o of opinionated) {
        const read = parseFileOpinions(o.raw.opinions);
        if (!read.ok) {
          report.rejected.push({ line: o.line, message: read.message });
          continue;
        }
        const held = await this.heldSignal(bankId, String(o.raw.type), String(o.raw.value));
        if (!held) continue;
        report.opinions =
          (report.opinions ?? 0) +
          (await this.store.putForeignOpinions(held.id, "import", {
            upsert: read.opinions
              .filter((x) => !x.retracted)
              .map((x) => ({
                originKey: x.key,
                orgName: x.orgName,
                kind: x.kind,
                note: x.note,
                updatedAt: x.updatedAt,
              })),
            remove: read.opinions.filter((x) => x.retracted).map((x) => x.key),
          }));
      }
      opinionated = [];
    };
    for await (const rec of readSignalFile(input, format)) {
      seen++;
      const given = rec.raw?.opinions;
      if (rec.raw && given !== undefined && given !== null && given !== "")
        opinionated.push({ line: rec.line, raw: rec.raw });
      const status = rec.raw?.status;
      if (rec.error !== undefined || !rec.raw)
        report.rejected.push({ line: rec.line, message: rec.error ?? "unreadable" });
      else if (status !== undefined && status !== "" && status !== "active" && status !== "retracted")
        report.rejected.push({
          line: rec.line,
          message: `status: "${String(status)}" is not active or retracted`,
        });
      else if (status === "retracted") tombstones.push({ line: rec.line, raw: rec.raw });
      else pending.push({ line: rec.line, raw: rec.raw });
      if (pending.length + tombstones.length >= batch) await flush();
      if (seen % 500 === 0) onProgress?.(seen);
    }
    await flush();
    onProgress?.(seen);
    return report;
  }

  async retract(signalId: number): Promise<Signal> {
    const signal = await this.store.retractSignal(signalId);
    this.matcher?.apply(signal);
    this.onChange?.();
    return signal;
  }

  /** The bank's signal of this type and value (canonicalised as an import would), active or not. */
  async heldSignal(bankId: number, type: string, value: string): Promise<Signal | undefined> {
    const v = tryToSignalInput({ type, value }, this.shorteners);
    if (!v.ok) return undefined;
    return (await this.store.findSignals(v.input.type, v.input.value)).find((s) => s.bankId === bankId);
  }

  /**
   * Retracts the bank's active signal of this type and value (canonicalised as an import would),
   * for tombstones arriving from outside (exchanges, TAXII writes); how many it retracted.
   */
  async retractValue(bankId: number, type: string, value: string): Promise<number> {
    const v = tryToSignalInput({ type, value }, this.shorteners);
    if (!v.ok) return 0;
    const held = (await this.store.findSignals(v.input.type, v.input.value)).filter(
      (s) => s.bankId === bankId && s.status === "active",
    );
    for (const s of held) await this.retract(s.id);
    return held.length;
  }

  async opinion(signalId: number, orgId: number, kind: OpinionKind, note?: string): Promise<void> {
    await this.store.setOpinion(signalId, orgId, kind, note);
  }

  /** Takes the organisation's opinion back (a tombstone mirrors learn of); not_found when it gave none. */
  async retractOpinion(signalId: number, orgId: number): Promise<void> {
    if (!(await this.store.retractOpinion(signalId, orgId)))
      throw new RasdError("not_found", `signal ${signalId}: your organisation has no opinion of it to retract`);
  }

  private count(report: ImportReport, results: readonly UpsertResult[]): void {
    for (const r of results) report[r.outcome]++;
  }
}

function checkBankSettings(input: Partial<BankInput>): void {
  if (
    input.pdqThreshold !== undefined &&
    !(Number.isInteger(input.pdqThreshold) && input.pdqThreshold >= 0 && input.pdqThreshold <= MAX_INDEX_DISTANCE)
  ) {
    throw new RasdError(
      "invalid",
      `PDQ threshold must be an integer 0..${MAX_INDEX_DISTANCE} (${PDQ_MATCH_THRESHOLD} is the reference's match level)`,
    );
  }
  if (
    input.pdqMinQuality !== undefined &&
    !(Number.isInteger(input.pdqMinQuality) && input.pdqMinQuality >= 0 && input.pdqMinQuality <= 100)
  ) {
    throw new RasdError("invalid", "PDQ minimum quality must be an integer 0..100");
  }
  if (input.textMinSimilarity !== undefined && !(input.textMinSimilarity > 0 && input.textMinSimilarity <= 1)) {
    throw new RasdError("invalid", "text minimum similarity must be in (0, 1]");
  }
  if (input.accountMinScore !== undefined && !(input.accountMinScore > 0 && input.accountMinScore <= 1)) {
    throw new RasdError("invalid", "account minimum score must be in (0, 1]");
  }
}
