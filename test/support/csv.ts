/**
 * Readers for the text corpora in ../shared that the text-matching tests and bench use.
 * Parsing is csv-parse's (the same library and options `src/signals/stance/corpus.ts` uses),
 * tolerant where real files are not clean: a quote inside an unquoted field is kept as a
 * character, and rows may have fewer or more fields than the header.
 */

import { parse } from "csv-parse/sync";

/**
 * Parses `text` into rows of fields. `delimiter` is "," for CSV and "\t" for TSV; with
 * `quotes` false, quotes are ordinary characters and every line is a row (for TSV files whose
 * fields start with unbalanced quotes, like OSACT2020's).
 */
export function parseDelimited(text: string, delimiter = ",", quotes = true): string[][] {
  return parse(text, {
    bom: true,
    delimiter,
    quote: quotes ? '"' : false,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
  }) as string[][];
}

/** Parses CSV/TSV text with a header row into records keyed by the header's names. */
export function parseRecords(text: string, delimiter = ",", quotes = true): Record<string, string>[] {
  const [header, ...rows] = parseDelimited(text, delimiter, quotes);
  if (!header) return [];
  return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])));
}

/** The tweet corpora of ../shared/testdata/text that the text-matching tests and bench read. */
export const TEXT_CORPORA = ["fifthtribe", "alfifi", "arsarcasm", "osact2020", "l-hsab", "olid"] as const;
export type TextCorpus = (typeof TEXT_CORPORA)[number];

/**
 * OSACT2020 and OLID mask every link as the word "URL" (and every mention as "@USER", which
 * reads as a mention anyway). The stand-in token becomes a link again, so that normalisation
 * treats it as one instead of as a word shared by thousands of tweets.
 */
function unmask(tweet: string): string {
  return tweet.replace(/(?<![\p{L}\p{N}_])URL(?![\p{L}\p{N}_])/gu, "https://t.co/masked");
}

/** Where each corpus lives under testdata/text, and how to read its texts. */
const LAYOUTS: Record<TextCorpus, { files: string[]; read: (text: string) => string[] }> = {
  fifthtribe: {
    files: ["fifthtribe-how-isis-uses-twitter/tweets.csv"],
    read: (t) => parseRecords(t).map((r) => r.tweets ?? ""),
  },
  alfifi: { files: ["alfifi-isis-arabic/train.csv"], read: (t) => parseRecords(t).map((r) => r.text ?? "") },
  arsarcasm: {
    files: ["arsarcasm-v2/training_data.csv", "arsarcasm-v2/testing_data.csv"],
    read: (t) => parseRecords(t).map((r) => r.tweet ?? ""),
  },
  osact2020: {
    files: [
      "osact2020-arabic-offensive/OSACT2020-sharedTask-train.txt",
      "osact2020-arabic-offensive/OSACT2020-sharedTask-dev.txt",
    ],
    // No header, no quoting; "<LF>" stands for a line break in the tweet, "URL" for a link.
    read: (t) => parseDelimited(t, "\t", false).map((cells) => unmask((cells[0] ?? "").replaceAll("<LF>", "\n"))),
  },
  "l-hsab": {
    files: ["l-hsab-levantine-hate/L-HSAB.tsv"],
    read: (t) => parseRecords(t, "\t").map((r) => r.Tweet ?? ""),
  },
  olid: {
    files: ["olid-english-offensive/olid-training-v1.0.tsv", "olid-english-offensive/testset-levela.tsv"],
    read: (t) => parseRecords(t, "\t").map((r) => unmask(r.tweet ?? "")),
  },
};

/** The files (relative to testdata/text) that `readTextCorpus(name)` reads. */
export function textCorpusFiles(name: TextCorpus): readonly string[] {
  return LAYOUTS[name].files;
}

/**
 * The texts of one corpus, in file order. `readFile` maps a path relative to testdata/text to
 * its UTF-8 content, so this module stays free of I/O and of where the data lives.
 */
export function readTextCorpus(name: TextCorpus, readFile: (relativePath: string) => string): string[] {
  const layout = LAYOUTS[name];
  return layout.files.flatMap((f) => layout.read(readFile(f))).filter((t) => t.trim() !== "");
}
