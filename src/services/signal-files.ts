/**
 * Signal files: CSV and JSON lines, read as a stream of records with line numbers, and
 * written back in the same shapes.
 *
 * CSV: a header row naming the columns (any order; unknown columns ignored):
 *   type,value,entity,behaviour,language,confidence,source,first_seen,last_seen,quality
 * with several labels in one cell separated by "|". JSON lines: one object per line with
 * the same fields (labels may also be given as {"labels": {"entity": [...], ...}}).
 *
 * python-threatexchange's `local_file` lines and `dataset --csv` files are read and written too
 * (`pytx-file`, `pytx-csv`; the mapping is kernels/pytx.ts): a NEGATIVE_CLASS row is a tombstone.
 *
 * Members' opinions (decision 0042) travel with their signal: JSON lines as `opinions`, a list of
 * {key, org, kind, note, created_at, updated_at, retracted?}; CSV as the same list in JSON text in
 * an `opinions` cell; STIX bundles as Opinion objects referring to the Indicator. Imported, they
 * are kept as opinions from elsewhere (source `import`): a file speaks for no member here.
 * python-threatexchange's formats have no place for them.
 *
 * CSV text cells are written neutralised against spreadsheet formulas (a `'` before a cell
 * beginning with =, +, -, @, tab or CR) and read back with that mark taken off, so export then
 * import gives the same signals.
 */

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import { OPINION_KINDS, type Bank, type OpinionKind, type Org, type Signal } from "../core/model.js";
import { opinionToStix, stixToOpinion, type OpinionRecord } from "../kernels/stix/opinion.js";
import { bundleObjects, stixBundle } from "../kernels/stix/bundle.js";
import {
  indicatorToSignal,
  organisationIdentity,
  signalToIndicator,
  type StixObject,
} from "../kernels/stix/indicator.js";
import { csvRow, unneutralise } from "../kernels/csv.js";
import {
  PYTX_CATEGORIES,
  PYTX_CSV_COLUMNS,
  fromPytxType,
  isNegativeCategory,
  localFileLine,
  parseLocalFileLine,
  pytxTags,
  pytxTypeName,
} from "../kernels/pytx.js";
import type { RawSignal } from "./signal-input.js";

export const SIGNAL_FILE_FORMATS = ["csv", "jsonl", "pytx-file", "pytx-csv", "stix"] as const;
export type SignalFileFormat = (typeof SIGNAL_FILE_FORMATS)[number];

export interface FileRecord {
  /** 1-based line number where the record starts. */
  readonly line: number;
  readonly raw?: RawSignal;
  /** Set when the line itself could not be parsed. */
  readonly error?: string;
}

export function formatFromPath(path: string): SignalFileFormat {
  if (/\.txt$/i.test(path)) return "pytx-file";
  if (/\.stix\.json$/i.test(path)) return "stix";
  return /\.(jsonl|ndjson|json)$/i.test(path) ? "jsonl" : "csv";
}

/** Reads records from a file or stream. */
export async function* readSignalFile(input: string | Readable, format: SignalFileFormat): AsyncIterable<FileRecord> {
  const stream = typeof input === "string" ? createReadStream(input) : input;
  if (format === "stix") {
    yield* readStixBundle(stream);
    return;
  }
  if (format === "pytx-file") {
    let line = 0;
    for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
      line++;
      const rec = parseLocalFileLine(text);
      if (rec === undefined) continue;
      yield rec.ok ? { line, raw: { type: rec.type, value: rec.value } } : { line, error: rec.message };
    }
    return;
  }
  if (format === "jsonl") {
    let line = 0;
    for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
      line++;
      const trimmed = text.trim();
      if (trimmed === "") continue;
      try {
        const value = JSON.parse(trimmed) as unknown;
        if (typeof value !== "object" || value === null || Array.isArray(value))
          yield { line, error: "not a JSON object" };
        else yield { line, raw: value as RawSignal };
      } catch (error) {
        yield { line, error: `invalid JSON: ${(error as Error).message}` };
      }
    }
    return;
  }
  const parser = stream.pipe(
    parse({
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      trim: true,
    }),
  );
  try {
    for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const record = unneutraliseRecord(rec.record);
      yield format === "pytx-csv"
        ? fromPytxCsv(rec.info.lines, record)
        : { line: rec.info.lines, raw: record as RawSignal };
    }
  } catch (error) {
    const e = error as { lines?: number; message?: string };
    yield { line: e.lines ?? 0, error: `CSV: ${e.message ?? String(error)}` };
  }
}

/**
 * A STIX 2.1 bundle's Indicators as signal records, numbered by their place among the bundle's
 * objects ("line" N is the Nth object); other objects (identities, markings, ...) are skipped.
 */
async function* readStixBundle(stream: Readable): AsyncIterable<FileRecord> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  const read = bundleObjects(Buffer.concat(chunks).toString("utf8"));
  if (!read.ok) {
    yield { line: 1, error: `STIX: ${read.message}` };
    return;
  }
  const identities = new Map<string, string>();
  for (const o of read.objects)
    if (o.type === "identity" && typeof o.name === "string") identities.set(String(o.id), o.name);
  // Opinions go with the record of the Indicator they refer to (the bundle is read whole).
  const opinions = new Map<string, FileOpinion[]>();
  const errors: FileRecord[] = [];
  for (const [i, o] of read.objects.entries()) {
    if (o.type !== "opinion") continue;
    const r = stixToOpinion(o, identities);
    if (!r.ok) {
      errors.push({ line: i + 1, error: r.message });
      continue;
    }
    const list = opinions.get(r.indicatorRef) ?? [];
    list.push(fileOpinion(r.opinion));
    opinions.set(r.indicatorRef, list);
  }
  const used = new Set<string>();
  for (const [i, o] of read.objects.entries()) {
    if (o.type !== "indicator") continue;
    const r = indicatorToSignal(o);
    const mine = opinions.get(String(o.id));
    if (mine) used.add(String(o.id));
    yield r.ok
      ? { line: i + 1, raw: { ...(r.signal as RawSignal), ...(mine ? { opinions: mine } : {}) } }
      : { line: i + 1, error: `indicator ${String(o.id)}: ${r.message}` };
  }
  yield* errors;
  for (const [ref, list] of opinions)
    if (!used.has(ref)) yield { line: 0, error: `${list.length} opinion(s) refer to ${ref}, not in this bundle` };
}

/**
 * A bank's signals as one STIX 2.1 bundle (JSON text with a newline), for `bank export --format
 * stix`: Indicators, each followed by its opinions (decision 0042), with the identities they name.
 */
export function stixBundleOf(
  signals: readonly Signal[],
  bank: Bank,
  org: Org,
  opinions: ReadonlyMap<number, readonly OpinionRecord[]> = new Map(),
): string {
  const objects: StixObject[] = [];
  const named = new Map<string, StixObject>();
  for (const s of signals) {
    const indicator = signalToIndicator(s, { bank, orgName: org.name });
    objects.push(indicator);
    for (const o of opinions.get(s.id) ?? []) {
      objects.push(opinionToStix(o, indicator));
      if (o.orgName !== null && o.orgName !== org.name && !named.has(o.orgName))
        named.set(o.orgName, organisationIdentity(o.orgName, o.createdAt));
    }
  }
  const identities = [organisationIdentity(org.name, org.createdAt), ...named.values()];
  return `${JSON.stringify(stixBundle(objects, identities, [bank.tlp]))}\n`;
}

/** An opinion as files write it (JSON lines, and JSON text in a CSV cell). */
export interface FileOpinion {
  readonly key: string;
  readonly org: string | null;
  readonly kind: OpinionKind;
  readonly note: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly retracted?: true;
}

export function fileOpinion(o: OpinionRecord): FileOpinion {
  return {
    key: o.key,
    org: o.orgName,
    kind: o.kind,
    note: o.note,
    created_at: new Date(o.createdAt).toISOString(),
    updated_at: new Date(o.updatedAt).toISOString(),
    ...(o.retracted ? { retracted: true as const } : {}),
  };
}

/**
 * A record's `opinions` (a list, or JSON text of one from a CSV cell) as opinions, or why not
 * (the field path named). A key defaults to the organisation's name, else the place in the list.
 */
export function parseFileOpinions(
  value: unknown,
): { ok: true; opinions: OpinionRecord[] } | { ok: false; message: string } {
  if (value === undefined || value === null || value === "") return { ok: true, opinions: [] };
  let list: unknown = value;
  if (typeof value === "string") {
    try {
      list = JSON.parse(value) as unknown;
    } catch {
      return { ok: false, message: "opinions: not JSON (a list of {kind, org?, note?, updated_at?})" };
    }
  }
  if (!Array.isArray(list)) return { ok: false, message: "opinions: must be a list" };
  const out: OpinionRecord[] = [];
  for (const [i, item] of list.entries()) {
    const at = `opinions[${i}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item))
      return { ok: false, message: `${at}: must be an object` };
    const o = item as Record<string, unknown>;
    if (!(OPINION_KINDS as readonly unknown[]).includes(o.kind))
      return { ok: false, message: `${at}.kind: must be one of ${OPINION_KINDS.join(", ")}` };
    for (const f of ["key", "org", "note", "created_at", "updated_at"] as const)
      if (o[f] !== undefined && o[f] !== null && typeof o[f] !== "string")
        return { ok: false, message: `${at}.${f}: must be a string` };
    const org = typeof o.org === "string" && o.org.trim() !== "" ? [...o.org.trim()].slice(0, 200).join("") : null;
    const note = typeof o.note === "string" ? [...o.note].slice(0, 2000).join("") : "";
    const time = (f: "created_at" | "updated_at"): number | undefined => {
      if (typeof o[f] !== "string") return undefined;
      const t = Date.parse(o[f]);
      return Number.isFinite(t) ? t : NaN;
    };
    const updated = time("updated_at");
    const created = time("created_at");
    if (Number.isNaN(updated)) return { ok: false, message: `${at}.updated_at: not a timestamp` };
    if (Number.isNaN(created)) return { ok: false, message: `${at}.created_at: not a timestamp` };
    if (o.retracted !== undefined && typeof o.retracted !== "boolean")
      return { ok: false, message: `${at}.retracted: must be true or false` };
    const key =
      typeof o.key === "string" && o.key !== "" ? [...o.key].slice(0, 300).join("") : org ? `org ${org}` : `#${i}`;
    out.push({
      key,
      orgName: org,
      kind: o.kind as OpinionKind,
      note,
      createdAt: created ?? updated ?? Date.now(),
      updatedAt: updated ?? created ?? Date.now(),
      retracted: o.retracted === true,
    });
  }
  return { ok: true, opinions: out };
}

/** A `dataset --csv` row as a signal record (the collaboration becomes its source). */
function fromPytxCsv(line: number, r: Record<string, string>): FileRecord {
  const category = (r.category ?? "").trim();
  if (category !== "" && !(PYTX_CATEGORIES as readonly string[]).includes(category.toUpperCase()))
    return { line, error: `category: "${category}" is not one of ${PYTX_CATEGORIES.join(", ")}` };
  const rec = fromPytxType(r.signal_type ?? "", r.signal_str ?? "");
  if (!rec.ok) return { line, error: rec.message };
  const collab = (r.collab ?? "").trim();
  return {
    line,
    raw: {
      type: rec.type,
      value: rec.value,
      ...(collab !== "" ? { source: collab.slice(0, 200) } : {}),
      status: isNegativeCategory(category) ? "retracted" : "active",
    },
  };
}

/** Each cell with the formula mark rasd's writer adds taken off (`'=x` → `=x`; see kernels/csv.ts). */
function unneutraliseRecord(record: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) out[k] = typeof v === "string" ? unneutralise(v) : v;
  return out;
}

const CSV_COLUMNS = [
  "id",
  "type",
  "value",
  "entity",
  "behaviour",
  "language",
  "confidence",
  "source",
  "first_seen",
  "last_seen",
  "quality",
  "status",
  "change_seq",
  "opinions",
];

/** The header line a format begins with ("" when it has none). */
export function csvHeader(format: SignalFileFormat = "csv"): string {
  if (format === "csv") return `${CSV_COLUMNS.join(",")}\n`;
  if (format === "pytx-csv") return `${PYTX_CSV_COLUMNS.join(",")}\n`;
  return "";
}

/**
 * One signal as a line of its format (newline included), or "" when the format cannot carry
 * it (python-threatexchange has no such type, or `local_file` has no way to say "retracted"),
 * with its opinions in CSV and JSON lines.
 * `collab` names the bank in python-threatexchange's CSV.
 */
export function formatSignal(
  s: Signal,
  format: SignalFileFormat,
  collab = "",
  opinions: readonly OpinionRecord[] = [],
): string {
  if (format === "pytx-file") return s.status === "active" ? (localFileLine(s.type, s.value) ?? "") : "";
  if (format === "pytx-csv") {
    const name = pytxTypeName(s.type);
    if (name === undefined) return "";
    const category = s.status === "active" ? "POSITIVE_CLASS" : "NEGATIVE_CLASS";
    return `${csvRow([name, s.value, collab, category, pytxTags([...s.labels.entity, ...s.labels.behaviour])])}\n`;
  }
  if (format === "jsonl") {
    return `${JSON.stringify({
      id: s.id,
      type: s.type,
      value: s.value,
      labels: s.labels,
      confidence: s.confidence,
      source: s.source,
      first_seen: new Date(s.firstSeen).toISOString(),
      last_seen: new Date(s.lastSeen).toISOString(),
      ...(s.quality !== null ? { quality: s.quality } : {}),
      status: s.status,
      change_seq: s.changeSeq,
      ...(opinions.length > 0 ? { opinions: opinions.map(fileOpinion) } : {}),
    })}\n`;
  }
  // Text cells are neutralised against spreadsheet formulas (a "-foo" text signal is written
  // "'-foo"; readSignalFile takes the mark off again); numbers rasd holds are written as they are.
  const cells = [
    s.id,
    s.type,
    s.value,
    s.labels.entity.join("|"),
    s.labels.behaviour.join("|"),
    s.labels.language.join("|"),
    s.confidence,
    s.source,
    new Date(s.firstSeen).toISOString(),
    new Date(s.lastSeen).toISOString(),
    s.quality,
    s.status,
    s.changeSeq,
    opinions.length > 0 ? JSON.stringify(opinions.map(fileOpinion)) : "",
  ];
  return `${csvRow(cells)}\n`;
}
