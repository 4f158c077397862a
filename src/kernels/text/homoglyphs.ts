/**
 * Folding of Cyrillic and Greek look-alikes (and a few Latin ones) to Latin letters, the
 * trick that turns "ISIS" into "IЅIЅ" (Cyrillic dze) to slip past keyword filters.
 *
 * Why not a "confusables" package: Unicode's confusables table maps letters of every script,
 * Arabic included, to a Latin skeleton, so it turns "مرحبا" into "مرحبi". Here the table holds
 * Cyrillic, Greek and Latin keys only, so an Arabic letter can never be touched, and a word is
 * folded only when it is otherwise Latin:
 * - a word that mixes Latin letters with Cyrillic or Greek look-alikes ("Dаbіq") is folded when
 *   Latin letters are at least half of it or the text's words are mostly Latin;
 * - a word made only of Cyrillic or Greek look-alikes ("ІЅІЅ") is folded only when the text's
 *   words are mostly Latin, so Russian and Greek prose is left alone;
 * - a word with any Cyrillic or Greek letter that has no Latin twin (и, ж, λ …) is a real
 *   Russian or Greek word and is never folded.
 * Dotless ı, IPA and small-capital letters are Latin script and always folded.
 * The table is case-sensitive (Υ looks like Y, υ like u) and runs before lower-casing.
 */

/**
 * Look-alike → Latin letter, as pairs of equal-length strings (like `tr`): the i-th character
 * of `from` folds to the i-th of `to`. Keys are Cyrillic, Greek, or Latin-script letters that
 * mimic ASCII ones and that NFKC leaves alone (it already folds fullwidth and mathematical
 * letters). Digits are never treated as letters ("1" for "l" is left to the shingles).
 */
const LATIN_LOOKALIKES = "ıȷɑɡɩᴀʙᴄᴅᴇɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ";
const GROUPS: readonly (readonly [from: string, to: string])[] = [
  ["АВСЕНІӀЈКМОРԚЅТХУҮԜЬ", "ABCEHIIJKMOPQSTXYYWb"], // Cyrillic capitals
  ["авсԁеһнірјкӏмоԛѕтуүԝхь", "abcdehhipjklmoqstyywxb"], // Cyrillic small letters
  ["ΑΒϹΕΖΗΙͿΚΜΝΟΡΤΥΧ", "ABCEZHIJKMNOPTYX"], // Greek capitals
  ["αϲεηιϳκμνορτυωχγ", "acenijkuvoptuwxy"], // Greek small letters
  [LATIN_LOOKALIKES, "ijagiabcdeghijklmnoprstuvwyz"], // dotless i/j, IPA, small capitals
];

const HOMOGLYPHS: ReadonlyMap<string, string> = new Map(
  GROUPS.flatMap(([from, to]) => {
    const keys = [...from];
    const values = [...to];
    if (keys.length !== values.length) throw new Error(`homoglyph table: ${from} has no equal-length target`);
    return keys.map((k, i) => [k, values[i]!] as const);
  }),
);

/**
 * A "word" here is a run of Latin, Cyrillic and Greek letters and of digits: letters of any other
 * script end it, so "العزيزhttpѕ" (a link glued to an Arabic word) yields the run "httpѕ".
 */
// Letters only: a symbol of those scripts (the Greek year sign 𐅹, the Cyrillic thousands sign
// ҂) is punctuation to the normaliser, which drops it later; counted as a letter, it made a
// word "other" here and the key change when normalised again (test/properties/text.test.ts).
const WORD_RE = /(?:(?=\p{L})[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}]|\p{N})+/gu;
const LATIN_RE = /(?=\p{L})\p{Script=Latin}/u;
const FOREIGN_RE = /(?=\p{L})[\p{Script=Cyrillic}\p{Script=Greek}]/u;
const SUSPECT_RE = new RegExp(`[\\p{Script=Cyrillic}\\p{Script=Greek}${LATIN_LOOKALIKES}]`, "u");

/**
 * The letter-by-letter fold of `word`; letters without a look-alike stay as they are. Unlike
 * `foldHomoglyphs`, no context is asked for: for identifiers (a handle is one token, not prose),
 * where a Cyrillic "і" beside digits (`06230550_і5`) is a disguise, not a Russian word.
 * @example foldLookalikeLetters("06230550_і5") // "06230550_i5"
 */
export function foldLookalikeLetters(word: string): string {
  if (!SUSPECT_RE.test(word)) return word;
  return foldWord(word);
}

function foldWord(word: string): string {
  let out = "";
  for (const c of word) out += HOMOGLYPHS.get(c) ?? c;
  return out;
}

/**
 * How a word's letters split: "latin" (Latin only), "mixed" (Latin plus Cyrillic/Greek letters
 * that all have Latin look-alikes), "lookalike" (only such Cyrillic/Greek letters), "other"
 * (a Cyrillic/Greek letter without a Latin look-alike: a real Russian or Greek word), "none".
 */
type WordKind = "latin" | "mixed" | "lookalike" | "other" | "none";

function kindOf(word: string): { kind: WordKind; latinMajority: boolean } {
  let latin = 0;
  let foreign = 0;
  for (const c of word) {
    if (LATIN_RE.test(c)) latin++;
    else if (FOREIGN_RE.test(c)) {
      if (!HOMOGLYPHS.has(c)) return { kind: "other", latinMajority: false };
      foreign++;
    }
  }
  const kind = foreign === 0 ? (latin > 0 ? "latin" : "none") : latin > 0 ? "mixed" : "lookalike";
  return { kind, latinMajority: latin >= foreign };
}

/**
 * Folds look-alike letters to Latin inside words that are otherwise Latin (see the module
 * comment for the rule). Words in Arabic or any other script are returned unchanged.
 * @example foldHomoglyphs("Јоіn the ІЅІЅ army") // "Join the ISIS army"
 * @example foldHomoglyphs("مرحبا") // "مرحبا"
 */
export function foldHomoglyphs(text: string): string {
  if (!SUSPECT_RE.test(text)) return text;
  let latin = 0;
  let other = 0;
  for (const w of text.match(WORD_RE) ?? []) {
    const { kind } = kindOf(w);
    if (kind === "latin" || kind === "mixed") latin++;
    else if (kind === "other") other++;
  }
  const latinContext = latin > other;
  return text.replace(WORD_RE, (w) => {
    if (!SUSPECT_RE.test(w)) return w;
    const { kind, latinMajority } = kindOf(w);
    const fold =
      kind === "latin" ||
      (kind === "mixed" && (latinMajority || latinContext)) ||
      (kind === "lookalike" && latinContext);
    return fold ? foldWord(w) : w;
  });
}
