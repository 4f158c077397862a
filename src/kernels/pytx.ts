/**
 * python-threatexchange's signal files, both ways (pure: lines in, records out, and back).
 *
 * - `local_file` (its LocalFileSignalExchangeAPI): one signal a line, `<signal type> <signal>`,
 *   split at the first space; blank lines skipped.
 * - `dataset --csv` (`threatexchange dataset -P --csv`): a header
 *   `signal_type,signal_str,collab,category,tags` (read by name, so any column order), the category
 *   one of its `SignalOpinionCategory` names (POSITIVE_CLASS, NEGATIVE_CLASS, INVESTIGATION_SEED),
 *   tags separated by spaces. Checked against python-threatexchange run from its source here.
 *
 * Its signal-type names are its classes' names: `pdq`, `video_md5`, `video_sha256`, `raw_text`,
 * `url`, `url_md5`, `vpdq`. rasd's `sha256` (any file's bytes) is written as `video_sha256`, the only SHA-256
 * type python-threatexchange has; rasd's `md5` (a photo's file MD5) and `domain` have no
 * python-threatexchange type and are left out of its files (counted). Its types rasd does not
 * hold (`text_md5`, `trend_query`, `tlsh`, `pdq_ocr`, `clip`, ...) are refused by line.
 */

import type { SignalType } from "../core/model.js";

/** python-threatexchange's name → rasd's type. */
const FROM_PYTX: Readonly<Record<string, SignalType>> = {
  pdq: "pdq",
  video_md5: "video_md5",
  video_sha256: "sha256",
  raw_text: "text",
  url: "url",
  url_md5: "url_md5",
  vpdq: "vpdq",
};

/** rasd's type → python-threatexchange's name (types without one are absent). */
const TO_PYTX: Partial<Readonly<Record<SignalType, string>>> = {
  pdq: "pdq",
  video_md5: "video_md5",
  sha256: "video_sha256",
  text: "raw_text",
  url: "url",
  url_md5: "url_md5",
  vpdq: "vpdq",
};

export const PYTX_CSV_COLUMNS = ["signal_type", "signal_str", "collab", "category", "tags"] as const;
export const PYTX_CATEGORIES = ["POSITIVE_CLASS", "NEGATIVE_CLASS", "INVESTIGATION_SEED"] as const;

export type PytxRecord =
  | { readonly ok: true; readonly type: SignalType; readonly value: string }
  | { readonly ok: false; readonly message: string };

export function pytxTypeName(type: SignalType): string | undefined {
  return TO_PYTX[type];
}

/** A python-threatexchange signal-type name as rasd's type, or why not. */
export function fromPytxType(name: string, value: string): PytxRecord {
  const type = FROM_PYTX[name.trim().toLowerCase()];
  if (!type)
    return {
      ok: false,
      message: `python-threatexchange signal type "${name}" is not one rasd holds (it takes ${Object.keys(FROM_PYTX).join(", ")})`,
    };
  if (value.trim() === "") return { ok: false, message: `no ${name} signal after the type` };
  return { ok: true, type, value: value.trim() };
}

/** One `local_file` line (`<type> <signal>`), or undefined for a blank line. */
export function parseLocalFileLine(line: string): PytxRecord | undefined {
  const text = line.trim();
  if (text === "") return undefined;
  const space = text.indexOf(" ");
  if (space < 0) return { ok: false, message: `expected "<signal type> <signal>", got "${text.slice(0, 80)}"` };
  return fromPytxType(text.slice(0, space), text.slice(space + 1));
}

/** One signal as a `local_file` line, or undefined when python-threatexchange has no such type. */
export function localFileLine(type: SignalType, value: string): string | undefined {
  const name = TO_PYTX[type];
  // One signal a line: a line break inside a text would make two.
  return name === undefined ? undefined : `${name} ${value.replace(/[\r\n]+/g, " ")}\n`;
}

/** Whether a `dataset --csv` category says the signal is not (or no longer) one to act on. */
export function isNegativeCategory(category: string): boolean {
  return category.trim().toUpperCase() === "NEGATIVE_CLASS";
}

/** Labels as python-threatexchange tags: one word each, spaces between. */
export function pytxTags(labels: readonly string[]): string {
  return labels.map((l) => l.replace(/\s+/g, "_")).join(" ");
}
