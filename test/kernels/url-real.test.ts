import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalizeUrl, extractUrls } from "../../src/kernels/url/index.js";
import { needsShared, readAbusedHostUrls } from "../support/shared.js";

const readUrls = readAbusedHostUrls;

/** Arabic sentences that wrap a link the ways posts do: glued, quoted, bracketed, punctuated. */
const SENTENCES: [string, (url: string) => string][] = [
  ["after a colon, Arabic comma after", (u) => `انشروا الرابط:${u}، بارك الله فيكم`],
  ["Arabic word glued before", (u) => `شاهد${u} الآن`],
  ["in guillemets", (u) => `قال «${u}» ثم`],
  ["in parentheses, Arabic question mark after", (u) => `هل رأيتم (${u})؟`],
  ["between right-to-left marks", (u) => `الرابط \u200F${u}\u200F هنا`],
];

/**
 * Links in the data that end in what text extraction must treat as punctuation: seven
 * truncated t.co links ending in "..." or ".", three ending in ")" (pasted from a
 * parenthesis), "query=creator:", and an Arabic headline ending in "؟". Extraction drops
 * that tail, as it must for the same link in prose.
 */
const TRAILING_PUNCTUATION_URLS = 12;

describe("URL kernel on 4,781 real links from 2015–16 pro-ISIS tweets (../shared)", { skip: needsShared }, () => {
  const urls = needsShared ? [] : readUrls();
  const canonical = new Map<string, string>();

  it("reads every URL", () => {
    assert.equal(urls.length, 4781);
    assert.equal(new Set(urls).size, 4781);
  });

  it("canonicalises every one without throwing", () => {
    const failures: string[] = [];
    for (const u of urls) {
      try {
        canonical.set(u, canonicalizeUrl(u).canonical);
      } catch (e) {
        failures.push(`${u}: ${(e as Error).message}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it("is idempotent: canonicalising a canonical form gives it back", () => {
    for (const [u, c] of canonical) assert.equal(canonicalizeUrl(c).canonical, c, u);
  });

  it("gives the same key to the defanged form (. → [.], http → hxxp)", () => {
    for (const [u, c] of canonical) {
      const defanged = u.replaceAll(".", "[.]").replaceAll("http", "hxxp");
      const r = canonicalizeUrl(defanged);
      assert.equal(r.canonical, c, defanged);
      assert.equal(r.defanged, true);
    }
  });

  it("merges aliases and tracking variants: fewer keys than URLs", () => {
    const keys = new Set(canonical.values());
    assert.equal(keys.size, 4736);
    assert.equal([...keys].filter((k) => k.startsWith("x.com/i/status/")).length, 1948);
    const names = (k: string): string[] =>
      k.includes("?") ? [...new URLSearchParams(k.slice(k.indexOf("?"))).keys()] : [];
    assert.deepEqual(
      [...canonical.values()].filter((k) => names(k).some((n) => /^utm_/i.test(n))),
      [],
    );
    // The known cost of dropping fragments: nine wikimapia map views (#lang=…&lat=…) share one key.
    assert.equal([...canonical.values()].filter((k) => k === "wikimapia.org/").length, 9);
  });

  for (const [name, wrap] of SENTENCES) {
    it(`finds each link in an Arabic sentence: ${name}`, () => {
      let cut = 0;
      for (const [u, c] of canonical) {
        const found = extractUrls(wrap(u));
        assert.equal(found.length, 1, `${u} → ${JSON.stringify(found.map((f) => f.raw))}`);
        const [f] = found;
        if (f!.canonical === c) {
          assert.equal(f!.raw, u);
          continue;
        }
        // The only allowed difference: trailing punctuation of the link itself was dropped.
        assert.ok(u.startsWith(f!.raw), u);
        assert.match(u.slice(f!.raw.length), /^[.):؟]+$/u, u);
        cut++;
      }
      assert.equal(cut, TRAILING_PUNCTUATION_URLS);
    });
  }

  it("finds each defanged link in an Arabic sentence", () => {
    let cut = 0;
    for (const [u, c] of canonical) {
      const defanged = u.replaceAll(".", "[.]").replaceAll("http", "hxxp");
      const found = extractUrls(`انشروا الرابط:${defanged}، بارك الله فيكم`);
      assert.equal(found.length, 1, defanged);
      if (found[0]!.canonical !== c) cut++;
    }
    assert.equal(cut, TRAILING_PUNCTUATION_URLS);
  });
});
