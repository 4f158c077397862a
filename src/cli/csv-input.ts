/**
 * CSV input for the text commands (`rasd classify`, `rasd eval`): a UTF-8 file (or "-" for
 * standard input) with a header row, RFC 4180 quoting, and named columns. Errors name the file,
 * the line and the column, and are usage errors (exit status 2).
 */

import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { RasdError } from "../core/errors.js";

/** Reads `path` ("-" = stdin) and returns its records, checking that `columns` are in the header. */
export function readCsvInput(path: string, columns: readonly string[]): Record<string, string>[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path === "-" ? 0 : path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RasdError(code === "ENOENT" ? "file.not_found" : "file.unreadable", `${path}: cannot read the file`, {
      cause: error,
    });
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new RasdError("invalid", `${path}: not valid UTF-8 (first bad byte at offset ${at})`);
  }
  let records: Record<string, string>[];
  try {
    records = parse(text, { bom: true, columns: true, skip_empty_lines: true, relax_column_count: false }) as Record<
      string,
      string
    >[];
  } catch (error) {
    throw new RasdError("invalid", `${path}: not valid CSV: ${(error as Error).message}`);
  }
  const header = csvHeader(text);
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new RasdError(
      "invalid",
      `${path}: missing column${missing.length > 1 ? "s" : ""} ${missing.map((c) => `"${c}"`).join(", ")} ` +
        `(the header has ${header.map((c) => `"${c}"`).join(", ") || "nothing"}; expected ${columns.join(",")})`,
    );
  }
  return records;
}

function csvHeader(text: string): string[] {
  const rows = parse(text, { bom: true, to_line: 1, relax_column_count: true }) as string[][];
  return rows[0] ?? [];
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, i + 1), { stream: true });
    } catch {
      return i;
    }
  }
  return bytes.length;
}
