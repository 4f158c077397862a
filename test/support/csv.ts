/**
 * A small RFC 4180 CSV/TSV reader for the text corpora in ../shared: quoted fields may hold
 * the delimiter, line breaks and doubled quotes (""), lines end in LF or CRLF. Tolerant where
 * real files are not clean: a quote inside an unquoted field is kept as a character, and text
 * after a closing quote is appended to the field.
 */

/**
 * Parses `text` into rows of fields. `delimiter` is "," for CSV and "\t" for TSV; with
 * `quotes` false, quotes are ordinary characters and every line is a row (for TSV files whose
 * fields start with unbalanced quotes, like OSACT2020's).
 */
export function parseDelimited(text: string, delimiter = ",", quotes = true): string[][] {
  if (!quotes) {
    return text
      .replace(/^\uFEFF/, "")
      .split(/\r?\n/)
      .filter((line, i, all) => line !== "" || i < all.length - 1)
      .map((line) => line.split(delimiter));
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false; // inside a quoted section
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  let fieldStart = true;
  while (i < n) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && fieldStart) {
      quoted = true;
      fieldStart = false;
      i++;
      continue;
    }
    if (c === delimiter) {
      row.push(field);
      field = "";
      fieldStart = true;
      i++;
      continue;
    }
    if (c === "\r" || c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      fieldStart = true;
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      continue;
    }
    field += c;
    fieldStart = false;
    i++;
  }
  if (!fieldStart || field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Parses CSV/TSV text with a header row into records keyed by the header's names. */
export function parseRecords(text: string, delimiter = ",", quotes = true): Record<string, string>[] {
  const [header, ...rows] = parseDelimited(text, delimiter, quotes);
  if (!header) return [];
  return rows
    .filter((cells) => !(cells.length === 1 && cells[0] === ""))
    .map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])));
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
