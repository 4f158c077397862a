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
 * CSV text cells are written neutralised against spreadsheet formulas (a `'` before a cell
 * beginning with =, +, -, @, tab or CR) and read back with that mark taken off, so export then
 * import gives the same signals.
 */

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import type { Bank, Org, Signal } from "../core/model.js";
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
  for (const [i, o] of read.objects.entries()) {
    if (o.type !== "indicator") continue;
    const r = indicatorToSignal(o);
    yield r.ok
      ? { line: i + 1, raw: r.signal as RawSignal }
      : { line: i + 1, error: `indicator ${String(o.id)}: ${r.message}` };
  }
}

/** A bank's signals as one STIX 2.1 bundle (JSON text with a newline), for `bank export --format stix`. */
export function stixBundleOf(signals: readonly Signal[], bank: Bank, org: Org): string {
  const indicators: StixObject[] = signals.map((s) => signalToIndicator(s, { bank, orgName: org.name }));
  return `${JSON.stringify(stixBundle(indicators, [organisationIdentity(org.name, org.createdAt)], [bank.tlp]))}\n`;
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
];

/** The header line a format begins with ("" when it has none). */
export function csvHeader(format: SignalFileFormat = "csv"): string {
  if (format === "csv") return `${CSV_COLUMNS.join(",")}\n`;
  if (format === "pytx-csv") return `${PYTX_CSV_COLUMNS.join(",")}\n`;
  return "";
}

/**
 * One signal as a line of its format (newline included), or "" when the format cannot carry
 * it (python-threatexchange has no such type, or `local_file` has no way to say "retracted").
 * `collab` names the bank in python-threatexchange's CSV.
 */
export function formatSignal(s: Signal, format: SignalFileFormat, collab = ""): string {
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
  ];
  return `${csvRow(cells)}\n`;
}
