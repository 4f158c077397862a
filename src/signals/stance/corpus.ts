/**
 * The stance training and test data, read from the shared corpora (../shared/testdata/text)
 * at run time — no corpus text is stored in the repository. Labels:
 *   - alfifi: `pro_isis` → pro, `not_isis` → neutral;
 *   - fifthtribe (pro-ISIS fanboy accounts): labelled per account, not per text, so a tweet is
 *     `pro` only when it says so itself — it holds a word of `PRO_MARKERS` (the group's own
 *     vocabulary: khilafah, dawlah, mujahideen, kuffar, murtaddin, shaheed, wilayah, …; decision
 *     0014) — and is left out otherwise (news, chatter, religion without the group). The four
 *     news-relay accounts are left out, and so are tweets of fewer than three words.
 *     IsisFanboy.csv is the same corpus with links expanded: not read, so nothing counts twice;
 *   - arsarcasm, osact2020, l-hsab, olid: neutral;
 *   - every record listed in training/stance/anti-isis.csv gets the label written there (read
 *     and labelled by hand; `anti`, or `neutral` for ISIS mentions that take no side), checked
 *     against the first 8 hex digits of the SHA-256 of its raw text;
 *   - training/stance/handwritten.csv: sentences written for rasd, with their labels.
 * A record's `row` is its 0-based index among the records of its file as read here (csv-parse
 * with relaxed quotes for CSV and TSV with a header; OSACT2020's headerless TSV line by line).
 *
 * The split is deterministic: a record is in `test` when the first 32 bits of
 * sha256(corpus NUL file NUL row) fall under 15% of the range. Each split keeps the first of
 * any texts that fold to the same string (`foldForStance`), and the test split drops every
 * text that also occurs in the train split, so that no held-out text was trained on.
 */

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { RasdError } from "../../core/errors.js";
import { detectLanguage, foldForStance, isStanceLabel } from "../../kernels/stance/index.js";
import type { StanceLabel, StanceLanguage } from "../../kernels/stance/index.js";

export type StanceCorpusName =
  | "alfifi"
  | "fifthtribe"
  | "arsarcasm"
  | "osact2020"
  | "l-hsab"
  | "olid"
  | "handwritten"
  /** Extra labels given to `rasd train --with-labels` (the labelling queue's export, review decisions). */
  | "labels";

export interface StanceItem {
  readonly text: string;
  readonly label: StanceLabel;
  readonly lang: StanceLanguage;
  /** The corpus the text comes from. */
  readonly source: StanceCorpusName;
  /** The file, relative to testdata/text (or training/stance for handwritten items). */
  readonly file: string;
  readonly row: number;
  /** True when the label came from the hand-labelled reference list. */
  readonly handLabelled: boolean;
}

export type StanceSplit = "train" | "test" | "all";

export interface StanceCorpusOptions {
  readonly split?: StanceSplit;
  /** Where anti-isis.csv and handwritten.csv live; default the repository's training/stance. */
  readonly referencesDir?: string;
  /** Share of records held out for the test split; default 0.15. */
  readonly testShare?: number;
  /** Extra labelled texts (`readLabelsCsv`), all in the train split, after the hand-labelled references. */
  readonly extraLabels?: readonly ExtraLabel[];
}

/** One row of a labels file (`text,stance,language`), as `rasd train --with-labels` reads it. */
export interface ExtraLabel {
  readonly text: string;
  readonly label: StanceLabel;
  /** As written in the file ("" when absent); the classifier detects the language itself. */
  readonly language: string;
}

/**
 * Reads a labels file: CSV with a header `text,stance,language` (UTF-8; stance pro, anti or
 * neutral; language an ISO 639-1 code or empty; other columns ignored). Rows whose stance is
 * empty or "cant_tell" are skipped: they say nothing about the classes. Anything else is an error
 * naming the line.
 * @example readLabelsCsv("queue-export.csv") // [{ text: "…", label: "anti", language: "en" }, …]
 */
export function readLabelsCsv(path: string): ExtraLabel[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(readFileSync(path), { bom: true, columns: true, skip_empty_lines: true, relax_column_count: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new RasdError("file.not_found", `${path}: no such labels file`, { cause: error });
    throw new RasdError("invalid", `${path}: not a CSV labels file: ${(error as Error).message}`, { cause: error });
  }
  const first = rows[0];
  if (first !== undefined && (!("text" in first) || !("stance" in first))) {
    throw new RasdError("invalid", `${path}: the header must name the columns text,stance,language`);
  }
  const out: ExtraLabel[] = [];
  rows.forEach((r, i) => {
    const stance = (r.stance ?? "").trim();
    if (stance === "" || stance === "cant_tell") return;
    if (!isStanceLabel(stance)) {
      throw new RasdError("invalid", `${path}: line ${i + 2}: bad stance "${stance}" (pro, anti or neutral)`);
    }
    const text = (r.text ?? "").trim();
    if (text === "") throw new RasdError("invalid", `${path}: line ${i + 2}: empty text`);
    out.push({ text, label: stance, language: (r.language ?? "").trim() });
  });
  return out;
}

/**
 * The words that make a fanboy tweet `pro` by itself (folded, as whole words or word starts): the
 * group's own vocabulary for itself, its fighters and its enemies. Rule of decision 0014; a tweet
 * of the fifthtribe corpus without one is left out of training.
 */
export const PRO_MARKERS =
  /(?<![\p{L}\p{N}])(khilaf|khalif|caliph|dawla|baqiy|remaining and expanding|mujahid|mujahed|shaheed|shuhada|martyr|inghimas|istishhad|wilaya|wilayat|amaq|dabiq|rumiyah|al naba|soldiers of|lions of|kuffar|kafir|kufr|murtad|apostate|crusader|taghut|tawagh|rafid|safawi|sahwa|nusayri|takfir|munafiq|allahu akbar|takbir|may allah accept|taqabbal|jannah|jihad|hijrah|baya|pledge|infidel|mushrik|tawheed|tawhid|sharia|ummah|amir ul|emir|baghdadi|adnani|ghanim|spoils|sabaya|cubs)/iu;

/** The news-relay accounts of the fifthtribe corpus, left out: their tweets are reports, not stance. */
export const FIFTHTRIBE_NEWS_ACCOUNTS: readonly string[] = ["RamiAlLolah", "warrnews", "WarReporter1", "warreporter2"];

export const DEFAULT_TEST_SHARE = 0.15;

/** The repository's training/stance folder (three levels above src/signals/stance or dist/signals/stance). */
const DEFAULT_REFERENCES_DIR = fileURLToPath(new URL("../../../training/stance", import.meta.url));

interface RawRecord {
  readonly file: string;
  readonly row: number;
  readonly raw: string;
  readonly label: StanceLabel | undefined; // undefined: leave out
}

function csvRecords(path: string, delimiter: string): Record<string, string>[] {
  return parse(readFileSync(path), {
    bom: true,
    columns: true,
    delimiter,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
  }) as Record<string, string>[];
}

function decodeEntities(t: string): string {
  return t
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

/** OSACT2020 and OLID mask links as the word "URL" and mentions as "@USER": both removed. */
function unmask(t: string): string {
  return t.replace(/(?<![\p{L}\p{N}_])URL(?![\p{L}\p{N}_])/gu, " ").replace(/@USER\b/g, " ");
}

const READERS: Record<Exclude<StanceCorpusName, "handwritten" | "labels">, (textDir: string) => RawRecord[]> = {
  alfifi: (dir) => {
    const file = "alfifi-isis-arabic/train.csv";
    return csvRecords(join(dir, file), ",").map((r, row) => ({
      file,
      row,
      raw: r.text ?? "",
      label: r.label === "pro_isis" ? "pro" : r.label === "not_isis" ? "neutral" : undefined,
    }));
  },
  fifthtribe: (dir) => {
    const file = "fifthtribe-how-isis-uses-twitter/tweets.csv";
    return csvRecords(join(dir, file), ",").map((r, row) => ({
      file,
      row,
      raw: r.tweets ?? "",
      label: FIFTHTRIBE_NEWS_ACCOUNTS.includes(r.username ?? "") ? undefined : "pro",
    }));
  },
  arsarcasm: (dir) =>
    ["arsarcasm-v2/training_data.csv", "arsarcasm-v2/testing_data.csv"].flatMap((file) =>
      csvRecords(join(dir, file), ",").map((r, row) => ({ file, row, raw: r.tweet ?? "", label: "neutral" as const })),
    ),
  osact2020: (dir) =>
    [
      "osact2020-arabic-offensive/OSACT2020-sharedTask-train.txt",
      "osact2020-arabic-offensive/OSACT2020-sharedTask-dev.txt",
    ].flatMap((file) =>
      readFileSync(join(dir, file), "utf8")
        .replace(/^\uFEFF/, "")
        .split(/\r?\n/)
        .filter((line) => line !== "")
        .map((line, row) => ({ file, row, raw: line.split("\t")[0] ?? "", label: "neutral" as const })),
    ),
  "l-hsab": (dir) => {
    const file = "l-hsab-levantine-hate/L-HSAB.tsv";
    return csvRecords(join(dir, file), "\t").map((r, row) => ({ file, row, raw: r.Tweet ?? "", label: "neutral" }));
  },
  olid: (dir) =>
    ["olid-english-offensive/olid-training-v1.0.tsv", "olid-english-offensive/testset-levela.tsv"].flatMap((file) =>
      csvRecords(join(dir, file), "\t").map((r, row) => ({ file, row, raw: r.tweet ?? "", label: "neutral" as const })),
    ),
};

/** The text a model sees for a raw record of `corpus`. */
function cleanText(corpus: StanceCorpusName, raw: string): string {
  switch (corpus) {
    case "osact2020":
      return unmask(raw.replaceAll("<LF>", "\n")).trim();
    case "olid":
      return unmask(raw).trim();
    case "fifthtribe":
      return decodeEntities(raw).trim();
    default:
      return raw.trim();
  }
}

/** First 8 hex digits of the SHA-256 of a record's raw text (as read, before cleaning). */
export function sha256Prefix(raw: string): string {
  return createHash("sha256").update(raw, "utf8").digest("hex").slice(0, 8);
}

/** Whether the record (corpus, file, row) belongs to the held-out test split. */
export function isTestRecord(corpus: string, file: string, row: number, share = DEFAULT_TEST_SHARE): boolean {
  const h = createHash("sha256").update(`${corpus}\u0000${file}\u0000${row}`).digest();
  return h.readUInt32BE(0) / 2 ** 32 < share;
}

export interface ReferenceRow {
  readonly corpus: StanceCorpusName;
  readonly file: string;
  readonly row: number;
  readonly sha256_8: string;
  readonly label: StanceLabel;
  readonly note: string;
}

/** Reads training/stance/anti-isis.csv (corpus,file,row,sha256_8,label,note). */
function readReferences(referencesDir: string = DEFAULT_REFERENCES_DIR): ReferenceRow[] {
  const path = join(referencesDir, "anti-isis.csv");
  if (!existsSync(path)) return [];
  return csvRecords(path, ",").map((r, i) => {
    const label = r.label ?? "";
    if (!isStanceLabel(label)) throw new RasdError("invalid", `${path}: line ${i + 2}: bad label "${label}"`);
    return {
      corpus: r.corpus as StanceCorpusName,
      file: r.file ?? "",
      row: Number(r.row),
      sha256_8: r.sha256_8 ?? "",
      label,
      note: r.note ?? "",
    };
  });
}

function handwritten(referencesDir: string): { text: string; label: StanceLabel; row: number }[] {
  const path = join(referencesDir, "handwritten.csv");
  if (!existsSync(path)) return [];
  return csvRecords(path, ",").map((r, row) => {
    const label = r.label ?? "";
    if (!isStanceLabel(label)) throw new RasdError("invalid", `${path}: line ${row + 2}: bad label "${label}"`);
    return { text: r.text ?? "", label, row };
  });
}

/** Whether the shared corpora the stance data needs are all present under `sharedDir`. */
export function hasStanceCorpora(sharedDir: string): boolean {
  return existsSync(join(sharedDir, "testdata", "text", "alfifi-isis-arabic", "train.csv"));
}

/**
 * Labelled stance items of one split, in a fixed order (corpus by corpus, file order).
 * `sharedDir` is the folder holding testdata/ (e.g. ../shared beside the checkout).
 * @example
 * const test = loadStanceCorpus("../shared", { split: "test" });
 * test.filter((x) => x.label === "pro").length
 */
export function loadStanceCorpus(sharedDir: string, options: StanceCorpusOptions = {}): StanceItem[] {
  const split = options.split ?? "all";
  const share = options.testShare ?? DEFAULT_TEST_SHARE;
  const referencesDir = options.referencesDir ?? DEFAULT_REFERENCES_DIR;
  const textDir = join(sharedDir, "testdata", "text");
  if (!hasStanceCorpora(sharedDir)) {
    throw new RasdError("file.not_found", `${textDir} lacks the stance corpora (alfifi-isis-arabic/train.csv)`);
  }
  const overrides = new Map<string, ReferenceRow>();
  for (const ref of readReferences(referencesDir)) overrides.set(`${ref.corpus}\u0000${ref.file}\u0000${ref.row}`, ref);

  const all: (StanceItem & { test: boolean })[] = [];
  for (const corpus of Object.keys(READERS) as (keyof typeof READERS)[]) {
    for (const rec of READERS[corpus](textDir)) {
      const ref = overrides.get(`${corpus}\u0000${rec.file}\u0000${rec.row}`);
      if (ref && ref.sha256_8 !== sha256Prefix(rec.raw)) {
        throw new RasdError(
          "invalid",
          `anti-isis.csv: ${corpus} ${rec.file} row ${rec.row}: text hash ${sha256Prefix(rec.raw)} ≠ ${ref.sha256_8}`,
        );
      }
      const label = ref?.label ?? rec.label;
      if (label === undefined) continue;
      const text = cleanText(corpus, rec.raw);
      if (text === "") continue;
      if (corpus === "fifthtribe" && !ref) {
        const folded = foldForStance(text);
        if (folded.split(" ").length < 3 || !PRO_MARKERS.test(folded)) continue;
      }
      all.push({
        text,
        label,
        lang: detectLanguage(text),
        source: corpus,
        file: rec.file,
        row: rec.row,
        handLabelled: ref !== undefined,
        test: isTestRecord(corpus, rec.file, rec.row, share),
      });
    }
  }
  for (const h of handwritten(referencesDir)) {
    all.push({
      text: h.text,
      label: h.label,
      lang: detectLanguage(h.text),
      source: "handwritten",
      file: "handwritten.csv",
      row: h.row,
      handLabelled: true,
      test: isTestRecord("handwritten", "handwritten.csv", h.row, share),
    });
  }
  (options.extraLabels ?? []).forEach((x, row) => {
    all.push({
      text: x.text,
      label: x.label,
      lang: detectLanguage(x.text),
      source: "labels",
      file: "labels",
      row,
      handLabelled: true,
      test: false,
    });
  });
  // Hand-labelled records first, so that a duplicate keeps the hand label.
  const ordered = [...all.filter((x) => x.handLabelled), ...all.filter((x) => !x.handLabelled)];
  const trainKeys = new Set<string>();
  const testKeys = new Set<string>();
  const keep = new Set<object>();
  for (const x of ordered) {
    if (x.test) continue;
    const key = foldForStance(x.text);
    if (trainKeys.has(key)) continue;
    trainKeys.add(key);
    keep.add(x);
  }
  for (const x of ordered) {
    if (!x.test) continue;
    const key = foldForStance(x.text);
    if (trainKeys.has(key) || testKeys.has(key)) continue;
    testKeys.add(key);
    keep.add(x);
  }
  return all
    .filter((x) => keep.has(x) && (split === "all" || (split === "test") === x.test))
    .map(({ test: _test, ...item }) => item);
}
