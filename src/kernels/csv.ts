/**
 * CSV cells rasd writes, safe to open in a spreadsheet (CSV injection, OWASP) and read back exactly.
 *
 * A spreadsheet treats a cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return as a
 * formula (`=HYPERLINK(...)`, `-2+3+cmd|' /C calc'!A0`). Every text cell rasd writes goes through
 * {@link csvText}, which puts a `'` in front of such a cell — the spreadsheet's own "this is text"
 * mark, which it shows as nothing — and quotes the cell when RFC 4180 needs it. Numbers rasd
 * writes itself (counts, scores, ids) go through {@link csvNumber} unchanged: `String(n)` can only
 * be digits, a sign, `.`, `e`, `Infinity` or `NaN`, and `-3` as a formula is just -3.
 *
 * Reading back, {@link unneutralise} takes off the one `'` that was added. So that this is exact
 * for every string, a cell that already begins with `'`s followed by one of those characters
 * (`'=x`) gets one more (`''=x`), and only a `'` run followed by one of them is shortened: the
 * value `'a` is written and read as `'a`, `=a` as `'=a` → `=a`, `'=a` as `''=a` → `'=a`.
 *
 * @example
 * csvText("=1+1")   // "'=1+1"
 * csvText("a,b")    // "\"a,b\""
 * unneutralise("'=1+1") // "=1+1"
 */

/** The characters that make a spreadsheet read a cell as a formula (OWASP's list). */
export const FORMULA_LEADS: readonly string[] = ["=", "+", "-", "@", "\t", "\r"];

/** `'`s (any number, none included) followed by a formula lead. */
const NEEDS_MARK = /^'*[=+\-@\t\r]/;
/** At least one `'` followed by a formula lead: a cell {@link neutralise} marked. */
const MARKED = /^'+[=+\-@\t\r]/;

/** The text with a `'` in front when a spreadsheet could take it for a formula (no quoting). */
export function neutralise(text: string): string {
  return NEEDS_MARK.test(text) ? `'${text}` : text;
}

/** The inverse of {@link neutralise}: one leading `'` off a marked cell; anything else unchanged. */
export function unneutralise(cell: string): string {
  return MARKED.test(cell) ? cell.slice(1) : cell;
}

/**
 * RFC 4180 quoting: in double quotes (doubled inside) when the cell holds a comma, quote or line
 * break, or begins or ends with white space (which a trimming reader would otherwise drop).
 */
export function quoteCsv(cell: string): string {
  return /[",\r\n]|^\s|\s$/u.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** A text cell: neutralised, then quoted as needed. `null`/`undefined` are the empty cell. */
export function csvText(value: string | null | undefined): string {
  return value === null || value === undefined ? "" : quoteCsv(neutralise(value));
}

/** A number rasd computed itself, written as it is (never prefixed; see the module note). */
export function csvNumber(value: number | null | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

/** A cell of either kind: numbers as {@link csvNumber}, everything else as text. */
export function csvCell(value: unknown): string {
  if (typeof value === "number") return csvNumber(value);
  if (value === null || value === undefined) return "";
  return csvText(String(value));
}

/** One CSV line (no line ending) from cells of either kind. */
export function csvRow(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(",");
}
