/**
 * Shared generators and settings for the property tests (fast-check).
 *
 * Runs are seeded: fast-check picks a seed per property and prints it, with the shrunk
 * counterexample and its path, when a property fails. Replay one with
 * `RASD_FC_SEED=<seed> RASD_FC_PATH=<path> node --import tsx --test test/properties/<file>`;
 * `RASD_FC_RUNS=<n>` scales every property's number of runs (default 1: the counts below,
 * chosen so the whole folder takes a few seconds).
 */

import fc from "fast-check";
import { RasdError } from "../../src/core/errors.js";

const scale = Number(process.env.RASD_FC_RUNS ?? "1") || 1;
const seed = process.env.RASD_FC_SEED === undefined ? undefined : Number(process.env.RASD_FC_SEED);
const path = process.env.RASD_FC_PATH;

/** fast-check parameters for a property: `runs` scaled by RASD_FC_RUNS, a fixed seed when replaying. */
export function params<T>(runs: number): fc.Parameters<T> {
  return {
    numRuns: Math.max(1, Math.round(runs * scale)),
    ...(seed !== undefined && Number.isFinite(seed) ? { seed } : {}),
    ...(path !== undefined ? { path } : {}),
  };
}

/** Characters that make parsers work: separators, quotes, controls, invisibles, bidi, marks. */
const AWKWARD = [
  ..."\"',;:/\\?#&=%@[]{}<>|^`~!$*()+-_. \t\r\n\u0000\u007f",
  "\u00a0", // no-break space
  "\u00ad", // soft hyphen
  "\u034f", // combining grapheme joiner
  "\u0301", // combining acute
  "\u061c", // Arabic letter mark
  "\u0640", // tatweel
  "\u064b", // fathatan
  "\u200b", // zero-width space
  "\u200d", // zero-width joiner
  "\u202e", // right-to-left override
  "\u2066", // left-to-right isolate
  "\u2026", // horizontal ellipsis
  "\u3002", // ideographic full stop (a dot to IDNA)
  "\uff0e", // fullwidth full stop
  "\ufeff", // byte-order mark
  "\ufffd", // replacement character
  "\ud800", // lone high surrogate
  "\udfff", // lone low surrogate
  "\ud83d\ude00", // an emoji (a surrogate pair)
];

/** Letters of several scripts, as mixed-script spoofs use them. */
const SCRIPTS = [
  ..."abcxyzAZ0189",
  ..."аеорсху", // Cyrillic look-alikes
  ..."αβοΑΒ", // Greek
  ..."ابتثجحخدذرزسشصضطظعغفقكلمنهوي", // Arabic
  ..."٠١٢٣٩", // Arabic-Indic digits
  ..."ىةأإآؤئ", // Arabic letter variants
  ..."ﻻﷲ", // presentation forms
  ..."𝐚𝐛", // mathematical letters
  ..."ｗｗｗ", // fullwidth
  ..."日本中文한국",
  ..."שלום",
];

/** One UTF-16 code unit, any value (lone surrogates included). */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

/** Any string a caller could send: UTF-16 garbage, full Unicode, and awkward mixed scripts. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: codeUnit }),
  fc.string({ unit: fc.constantFrom(...AWKWARD, ...SCRIPTS) }),
);

/** Well-formed strings only (what survives a UTF-8 file), awkward characters included. */
export const wellFormedString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: fc.constantFrom(...AWKWARD.filter((c) => c.isWellFormed()), ...SCRIPTS) }),
);

/** URL-shaped strings: schemes, hosts, ports, paths, queries and fragments from awkward parts. */
export const urlLike: fc.Arbitrary<string> = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc
    .tuple(
      fc.constantFrom("", "http://", "https://", "hxxps://", "HTTP://", "ftp://", "javascript:", "//", "h**p://"),
      fc.constantFrom("", "user:pw@", "@"),
      fc.oneof(
        fc.domain(),
        fc.string({ unit: fc.constantFrom(...SCRIPTS, ".", "-", "[.]", "\u3002") }),
        fc.constantFrom("127.0.0.1", "0x7f.1", "[::1]", "xn--mnchen-3ya.de", "WWW.Example.COM.", "t.co", "bit.ly"),
      ),
      fc.constantFrom("", ":80", ":443", ":8080", ":", ":99999"),
      fc.string({ unit: fc.constantFrom(...AWKWARD, ...SCRIPTS, "/", "%2F", "%", "%zz", "..", "./") }),
      fc.constantFrom("", "?", "?utm_source=x&b=2&a=1", "?a=%20&a=1", "?fbclid=1"),
      fc.constantFrom("", "#", "#frag", "#!/route", "#/x"),
    )
    .map((parts) => parts.join("")),
  anyString,
);

/** Whether `error` is rasd's domain error (what every parser may throw on bad input). */
export function isDomainError(error: unknown): boolean {
  return error instanceof RasdError;
}

/** Calls `f`; a RasdError counts as an answer, anything else fails the property. */
export function domainOnly<T>(f: () => T): { ok: true; value: T } | { ok: false; error: RasdError } {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    if (error instanceof RasdError) return { ok: false, error };
    throw error;
  }
}
