/**
 * The web app's languages: every key the code uses exists in every catalog, Arabic and English
 * hold the same keys, no Arabic entry is left in English, and numbers and dates follow the
 * chosen digits.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  CATALOGS,
  formatDateTime,
  formatNumber,
  initI18n,
  intlTag,
  preferredDigits,
  preferredLocale,
  setDigits,
  setLocale,
  t,
} from "../../web/src/lib/i18n.js";

const WEB_SRC = fileURLToPath(new URL("../../web/src/", import.meta.url));
const PLURAL = /_(zero|one|two|few|many|other)$/;

/** Flattens a catalog into dotted keys, plural forms folded into their base key. */
function keysOf(catalog: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(catalog as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.set(key.replace(PLURAL, ""), v);
    else for (const [kk, vv] of keysOf(v, key)) out.set(kk, vv);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx)$/.test(name) ? [p] : [];
  });
}

/** Keys the code asks for: `t("ns:a.b")` literals, and the literal prefix of `t(\`a.${x}\`)`. */
function usedKeys(): { exact: Set<string>; prefixes: Set<string> } {
  const exact = new Set<string>();
  const prefixes = new Set<string>();
  for (const file of sourceFiles(WEB_SRC)) {
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(/\bt\(\s*"([^"]+)"/g)) exact.add(m[1]!);
    for (const m of src.matchAll(/\bt\(\s*`([^`$]*)\$\{/g)) prefixes.add(m[1]!);
  }
  return { exact, prefixes };
}

function split(key: string): [string, string] {
  const i = key.indexOf(":");
  return i < 0 ? ["common", key] : [key.slice(0, i), key.slice(i + 1)];
}

/** Entries that are the same in both languages on purpose (names of languages, digit samples). */
const SAME_IN_BOTH = new Set([
  "common:tlp",
  "review:bankOption",
  "labels:button",
  "banks:bankOf",
  "banks:opinionBy",
  "dashboard:labelKind",
  "dashboard:chart.pctValue",
  "common:prefs.en",
  "common:prefs.ar",
  "common:prefs.latn",
  "common:prefs.arab",
]);

describe("web: catalogs", () => {
  const catalogs = CATALOGS as Record<string, { en: unknown; ar: unknown }>;

  it("Arabic and English hold the same keys in every namespace", () => {
    for (const [ns, c] of Object.entries(catalogs)) {
      const en = [...keysOf(c.en).keys()].sort();
      const ar = [...keysOf(c.ar).keys()].sort();
      assert.deepEqual(
        ar.filter((k) => !en.includes(k)),
        [],
        `${ns}: keys only in Arabic`,
      );
      assert.deepEqual(
        en.filter((k) => !ar.includes(k)),
        [],
        `${ns}: keys missing from the Arabic catalog`,
      );
    }
  });

  it("every key the code uses is in the catalogs", () => {
    const { exact, prefixes } = usedKeys();
    assert.ok(exact.size > 0, "no t() calls found: is the scan broken?");
    const missing = [...exact].filter((k) => {
      const [ns, key] = split(k);
      const c = catalogs[ns];
      return !c || !keysOf(c.en).has(key) || !keysOf(c.ar).has(key);
    });
    assert.deepEqual(missing, [], "keys used in web/src but absent from a catalog");
    for (const p of prefixes) {
      const [ns, key] = split(p);
      const c = catalogs[ns];
      assert.ok(c && [...keysOf(c.en).keys()].some((k) => k.startsWith(key)), `no catalog entry starts with ${p}`);
    }
  });

  it("no Arabic entry is left in English", () => {
    for (const [ns, c] of Object.entries(catalogs)) {
      const en = keysOf(c.en);
      for (const [key, value] of keysOf(c.ar)) {
        if (SAME_IN_BOTH.has(`${ns}:${key}`)) continue;
        const latinWords = value.replace(/\{\{[^}]*\}\}/g, "").match(/[A-Za-z]{3,}/g) ?? [];
        const arabic = /[\u0600-\u06FF]/.test(value);
        assert.ok(arabic || latinWords.length === 0, `${ns}:${key} is not translated: "${value}"`);
        assert.ok(value !== en.get(key) || !/[A-Za-z]{3,}/.test(value), `${ns}:${key} equals the English`);
      }
    }
  });
});

describe("web: locale and digits", () => {
  it("remembers a saved choice, else follows the browser, else English", () => {
    assert.equal(preferredLocale("ar", ["en-GB"]), "ar");
    assert.equal(preferredLocale(null, ["fr-FR", "ar-EG", "en"]), "ar");
    assert.equal(preferredLocale(undefined, ["fr-FR"]), "en");
    assert.equal(preferredDigits("arab"), "arab");
    assert.equal(preferredDigits("latin"), "latn");
  });

  it("translates, interpolates and formats numbers with the chosen digits", () => {
    initI18n({ locale: "en", digits: "latn" });
    assert.equal(t("nav.review"), "Review");
    assert.equal(t("pageTitle", { screen: "x" }), "rasd — x");
    assert.equal(formatNumber(12345), "12,345");
    setLocale("ar");
    assert.equal(t("nav.review"), "المراجعة");
    assert.equal(intlTag(), "ar-u-nu-latn");
    assert.match(formatNumber(12345), /^12[,٬]345$/);
    setDigits("arab");
    assert.equal(formatNumber(12345), "١٢٬٣٤٥");
    assert.match(formatDateTime("2026-03-01T10:00:00Z", { year: "numeric" }), /^٢٠٢٦/);
    setDigits("latn");
    assert.match(formatDateTime("2026-03-01T10:00:00Z", { year: "numeric" }), /^2026/);
    setLocale("en");
  });
});
