/**
 * Mixed-script host labels: the mark of a homograph such as "аpple.com" (Cyrillic а, Latin
 * pple). A label is mixed when its letters come from more than one script, except for the
 * combinations that whole writing systems use (Japanese Han + kana, Chinese Han + Bopomofo,
 * Korean Han + Hangul, each also with Latin), as in Unicode TS #39's "highly restrictive"
 * profile. Digits, hyphens and combining marks belong to no script and are ignored.
 *
 * Not detected: whole-script lookalikes ("аррӏе.com", every letter Cyrillic), which need the
 * confusables table; and labels that are each single-script but differ from one another
 * ("пример.com" is an ordinary Russian name under a Latin TLD).
 */

import { domainToUnicode } from "node:url";

const SCRIPTS: readonly [string, RegExp][] = [
  ["Latin", /\p{Script=Latin}/u],
  ["Cyrillic", /\p{Script=Cyrillic}/u],
  ["Greek", /\p{Script=Greek}/u],
  ["Arabic", /\p{Script=Arabic}/u],
  ["Hebrew", /\p{Script=Hebrew}/u],
  ["Armenian", /\p{Script=Armenian}/u],
  ["Georgian", /\p{Script=Georgian}/u],
  ["Han", /\p{Script=Han}/u],
  ["Hiragana", /\p{Script=Hiragana}/u],
  ["Katakana", /\p{Script=Katakana}/u],
  ["Hangul", /\p{Script=Hangul}/u],
  ["Bopomofo", /\p{Script=Bopomofo}/u],
  ["Thai", /\p{Script=Thai}/u],
  ["Devanagari", /\p{Script=Devanagari}/u],
  ["Cherokee", /\p{Script=Cherokee}/u],
];

const ALLOWED_MIXES: readonly ReadonlySet<string>[] = [
  new Set(["Latin", "Han", "Hiragana", "Katakana"]),
  new Set(["Latin", "Han", "Bopomofo"]),
  new Set(["Latin", "Han", "Hangul"]),
];

const LETTER = /\p{L}/u;

function scriptOf(char: string): string {
  for (const [name, re] of SCRIPTS) if (re.test(char)) return name;
  return `other:${char.codePointAt(0)!.toString(16)}`;
}

/** True when one label's letters mix scripts in a way no writing system does. */
function isMixedScriptLabel(label: string): boolean {
  const scripts = new Set<string>();
  for (const char of label) {
    if (char < "\u0080") {
      if ((char >= "a" && char <= "z") || (char >= "A" && char <= "Z")) scripts.add("Latin");
    } else if (LETTER.test(char)) {
      scripts.add(scriptOf(char));
    }
  }
  if (scripts.size <= 1) return false;
  return !ALLOWED_MIXES.some((allowed) => [...scripts].every((s) => allowed.has(s)));
}

/**
 * True when any label of the (ASCII, punycode) host mixes scripts after decoding.
 * @example hasMixedScriptLabel("xn--pple-43d.com") // true: "аpple.com" with a Cyrillic а
 */
export function hasMixedScriptLabel(asciiHost: string): boolean {
  if (!asciiHost.includes("xn--")) return false;
  return domainToUnicode(asciiHost).split(".").some(isMixedScriptLabel);
}
