/**
 * Signal files: CSV and JSON lines, read as a stream of records with line numbers, and
 * written back in the same shapes.
 *
 * CSV: a header row naming the columns (any order; unknown columns ignored):
 *   type,value,entity,behaviour,language,confidence,source,first_seen,last_seen,quality
 * with several labels in one cell separated by "|". JSON lines: one object per line with
 * the same fields (labels may also be given as {"labels": {"entity": [...], ...}}).
 */

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import type { Signal } from "../core/model.js";
import type { RawSignal } from "./signal-input.js";

export type SignalFileFormat = "csv" | "jsonl";

export interface FileRecord {
  /** 1-based line number where the record starts. */
  readonly line: number;
  readonly raw?: RawSignal;
  /** Set when the line itself could not be parsed. */
  readonly error?: string;
}

export function formatFromPath(path: string): SignalFileFormat {
  return /\.(jsonl|ndjson|json)$/i.test(path) ? "jsonl" : "csv";
}

/** Reads records from a file or stream. */
export async function* readSignalFile(input: string | Readable, format: SignalFileFormat): AsyncIterable<FileRecord> {
  const stream = typeof input === "string" ? createReadStream(input) : input;
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
      yield { line: rec.info.lines, raw: rec.record as RawSignal };
    }
  } catch (error) {
    const e = error as { lines?: number; message?: string };
    yield { line: e.lines ?? 0, error: `CSV: ${e.message ?? String(error)}` };
  }
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

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(",")}\n`;
}

/** One signal as a line of CSV or JSON lines (newline included). */
export function formatSignal(s: Signal, format: SignalFileFormat): string {
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
  const cells = [
    String(s.id),
    s.type,
    s.value,
    s.labels.entity.join("|"),
    s.labels.behaviour.join("|"),
    s.labels.language.join("|"),
    String(s.confidence),
    s.source,
    new Date(s.firstSeen).toISOString(),
    new Date(s.lastSeen).toISOString(),
    s.quality === null ? "" : String(s.quality),
    s.status,
    String(s.changeSeq),
  ];
  return `${cells.map(csvCell).join(",")}\n`;
}
