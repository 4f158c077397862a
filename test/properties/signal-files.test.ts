/**
 * Properties of signal files and CSV input (src/services/signal-files.ts, src/kernels/csv.ts,
 * src/cli/csv-input.ts): any bytes read as CSV or JSON lines give records or per-line errors,
 * never an exception; what rasd writes reads back identical, formula-looking cells included;
 * no cell rasd writes begins with a character a spreadsheet takes for a formula.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { SIGNAL_TYPES, type Signal } from "../../src/core/model.js";
import { readCsvInput } from "../../src/cli/csv-input.js";
import { FORMULA_LEADS, csvRow, neutralise, unneutralise } from "../../src/kernels/csv.js";
import { csvHeader, formatSignal, readSignalFile, type FileRecord } from "../../src/services/signal-files.js";
import { tryToSignalInput } from "../../src/services/signal-input.js";
import { anyString, domainOnly, params, wellFormedString } from "./arbitraries.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-prop-csv-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(bytes: Uint8Array | string, format: "csv" | "jsonl"): Promise<FileRecord[]> {
  const out: FileRecord[] = [];
  for await (const r of readSignalFile(Readable.from([Buffer.from(bytes)]), format)) out.push(r);
  return out;
}

/** Cells that lean on every rule: formula leads, ' runs, quotes, separators, edge spaces. */
const cell: fc.Arbitrary<string> = fc.oneof(
  wellFormedString,
  fc
    .tuple(fc.constantFrom("", "'", "''", " ", "\t"), fc.constantFrom(...FORMULA_LEADS, "", '"', ","), wellFormedString)
    .map((p) => p.join("")),
);

const signal: fc.Arbitrary<Signal> = fc.record({
  id: fc.nat(),
  bankId: fc.nat(),
  type: fc.constantFrom(...SIGNAL_TYPES),
  value: cell,
  quality: fc.option(fc.integer({ min: 0, max: 100 })),
  labels: fc.record({
    entity: fc.array(
      cell.filter((s) => !s.includes("|") && s !== ""),
      { maxLength: 2 },
    ),
    behaviour: fc.constant([]),
    language: fc.constant([]),
  }),
  confidence: fc.integer({ min: 0, max: 100 }),
  source: cell,
  firstSeen: fc.integer({ min: 0, max: 4e12 }),
  lastSeen: fc.integer({ min: 0, max: 4e12 }),
  status: fc.constantFrom("active", "retracted"),
  createdAt: fc.nat(),
  updatedAt: fc.nat(),
  changeSeq: fc.nat(),
}) as fc.Arbitrary<Signal>;

describe("CSV cells", () => {
  it("neutralise then unneutralise is the identity, and no neutralised cell starts a formula", () => {
    fc.assert(
      fc.property(fc.oneof(anyString, cell), (text) => {
        const written = neutralise(text);
        assert.equal(unneutralise(written), text);
        assert.ok(!FORMULA_LEADS.includes(written.charAt(0)), JSON.stringify(written));
      }),
      params(2000),
    );
  });

  it("a row of text cells parses back (RFC 4180, trimming reader) to the same cells", () => {
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 6 }), (rest) => {
        // A first cell that is not empty: a line of one empty cell is an empty line to CSV.
        const cells = ["id", ...rest];
        const [row] = parse(`${csvRow(cells)}\n`, { trim: true }) as string[][];
        assert.deepEqual(row?.map(unneutralise), cells);
      }),
      params(1000),
    );
  });
});

describe("signal files", () => {
  it("bank export → import gives every cell back exactly, in CSV and in JSON lines", async () => {
    await fc.assert(
      fc.asyncProperty(signal, async (s) => {
        const [csv] = await readAll(csvHeader() + formatSignal(s, "csv"), "csv");
        assert.equal(csv?.error, undefined);
        const raw = csv!.raw as Record<string, string>;
        assert.equal(raw.value, s.value);
        assert.equal(raw.source, s.source);
        assert.equal(raw.entity, s.labels.entity.join("|"));
        assert.equal(raw.type, s.type);
        assert.equal(raw.confidence, String(s.confidence));
        assert.equal(raw.quality, s.quality === null ? "" : String(s.quality));
        assert.equal(raw.first_seen, new Date(s.firstSeen).toISOString());
        const [jsonl] = await readAll(formatSignal(s, "jsonl"), "jsonl");
        const j = jsonl!.raw as Record<string, unknown>;
        assert.equal(j.value, s.value);
        assert.equal(j.source, s.source);
      }),
      params(300),
    );
  });

  it("any bytes as CSV or JSON lines: records or per-line errors, never an exception", async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.array(fc.oneof(anyString, cell), { maxLength: 8 }).map((lines) => lines.join("\n")),
      fc
        .array(fc.array(cell, { maxLength: 5 }), { maxLength: 5 })
        .map((rows) => [csvHeader().trim(), ...rows.map((r) => r.join(","))].join("\r\n")),
    );
    await fc.assert(
      fc.asyncProperty(bytes, fc.constantFrom("csv" as const, "jsonl" as const), async (input, format) => {
        for (const r of await readAll(input, format)) {
          assert.ok(r.line >= 0);
          assert.ok(r.raw !== undefined || typeof r.error === "string");
          // Every record turns into a signal or a message; nothing throws.
          if (r.raw) tryToSignalInput(r.raw);
        }
      }),
      params(300),
    );
  });

  it("rasd classify/eval CSV input: rows or a RasdError for any file", () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc
            .array(fc.array(cell, { minLength: 1, maxLength: 3 }), { maxLength: 4 })
            .map((rows) =>
              Buffer.from(["id,text", ...rows.map((r) => r.map((c) => c.replaceAll("\n", " ")).join(","))].join("\n")),
            ),
        ),
        (bytes) => {
          const path = join(dir, `in-${n++}.csv`);
          writeFileSync(path, bytes);
          domainOnly(() => readCsvInput(path, ["id", "text"]));
        },
      ),
      params(200),
    );
  });
});
