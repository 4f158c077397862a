import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { extractUrls, loadShortenerList } from "../../src/kernels/url/index.js";

/** [name, text, expected raw links in order] */
type Case = readonly [string, string, readonly string[]];

function table(title: string, cases: readonly Case[]): void {
  describe(title, () => {
    for (const [name, text, expected] of cases) {
      it(name, () => {
        const found = extractUrls(text);
        assert.deepEqual(
          found.map((u) => u.raw),
          expected,
        );
        for (const u of found) assert.equal(text.slice(u.start, u.end), u.raw);
      });
    }
  });
}

table("extractUrls: links with a scheme", [
  ["one link", "read https://example.com/a?b=1 now", ["https://example.com/a?b=1"]],
  ["two links", "http://a.example/x and https://b.example/y", ["http://a.example/x", "https://b.example/y"]],
  ["upper-case scheme", "HTTPS://EXAMPLE.COM/A", ["HTTPS://EXAMPLE.COM/A"]],
  ["at the very start and end", "https://example.com", ["https://example.com"]],
  ["ftp", "get ftp://files.example.org/pub/x.zip", ["ftp://files.example.org/pub/x.zip"]],
  ["any TLD with a scheme", "see https://example.onion.test/a", ["https://example.onion.test/a"]],
  ["Unicode host", "انظر https://пример.рф/путь", ["https://пример.рф/путь"]],
  [
    "Arabic path kept whole",
    "اقرأ http://alghad.tv/مقتل-شخصين-في-تفجير/ الآن",
    ["http://alghad.tv/مقتل-شخصين-في-تفجير/"],
  ],
  [
    "glued to the previous link",
    "https://a.example/xhttps://b.example/y",
    ["https://a.example/x", "https://b.example/y"],
  ],
  ["glued t.co links of a truncated tweet", "t.co/abcDEF123https://t.co/xyz", ["t.co/abcDEF123", "https://t.co/xyz"]],
  [
    "a link inside a link's path or query stays inside",
    "https://web.archive.org/web/2016/http://example.com/a?u=https://b.example",
    ["https://web.archive.org/web/2016/http://example.com/a?u=https://b.example"],
  ],
  ["glued to a word", "RThttps://example.com/a", ["https://example.com/a"]],
  ["scheme alone", "use https:// for that", []],
]);

table("extractUrls: defanged", [
  ["hxxps with [.]", "IOC: hxxps://evil[.]example[.]com/payload", ["hxxps://evil[.]example[.]com/payload"]],
  ["[:] and (.)", "hxxp[:]//bad(.)example/x", ["hxxp[:]//bad(.)example/x"]],
  ["bare defanged domain", "visit justpaste[.]it/abc today", ["justpaste[.]it/abc"]],
  ["spaced [.]", "visit justpaste [.] it/abc today", ["justpaste [.] it/abc"]],
  ["[dot]", "t[dot]me/SomeChannel", ["t[dot]me/SomeChannel"]],
  ["spelled-out dot is not read in prose", "example dot com", []],
]);

table("extractUrls: bare domains", [
  ["with a path", "mirror: justpaste.it/abc", ["justpaste.it/abc"]],
  ["archive.org item", "archive.org/details/x is up", ["archive.org/details/x"]],
  ["without a path", "go to justpaste.it now", ["justpaste.it"]],
  ["www. with an unknown TLD", "www.example.zzz", ["www.example.zzz"]],
  ["with a port", "example.com:8080/a", ["example.com:8080/a"]],
  ["shortener", "bit.ly/3abc and goo.gl/xyz", ["bit.ly/3abc", "goo.gl/xyz"]],
  ["t.me", "join t.me/SomeChannel", ["t.me/SomeChannel"]],
  ["upper-case domain", "JUSTPASTE.IT/ABC", ["JUSTPASTE.IT/ABC"]],
  ["unknown TLD is not a link", "see file.txt and report.pdf", []],
  ["file-like TLD without a path", "run setup.py then README.md", []],
  ["file-like TLD with a path", "tiny.cc/abc", ["tiny.cc/abc"]],
  ["numeric name without a path", "163.com", []],
  ["numeric name with a path", "163.com/news", ["163.com/news"]],
  ["e-mail address is not a link", "write to someone@example.com", []],
  ["part of a longer unknown name", "foo.com.zzz", []],
]);

table("extractUrls: ordinary prose is not links", [
  ["e.g. and i.e.", "Some hosts, e.g. paste sites, i.e. anonymous ones.", []],
  ["abbreviations", "U.S. and U.K. forces, a.m. and p.m., Ph.D., etc.", []],
  ["decimals", "Version 3.5 costs 10.99 and 1.2.3.4 is a version", []],
  ["times", "at 10.30 or 10:30 or 22.15h", []],
  ["sentence without a space after the full stop", "That was the end.It was late.Then", []],
  ["mixed-case TLD", "Hello.How are you", []],
  ["ellipsis", "wait... what", []],
  ["Arabic prose with Latin abbreviation", "قال د.محمد إن الساعة 3.5", []],
  ["numbers with units", "2.5mg and 3.5GHz", []],
]);

table("extractUrls: in Arabic text", [
  ["Arabic letters glued before", "انظرhttps://justpaste.it/abc للمزيد", ["https://justpaste.it/abc"]],
  ["Arabic letters glued after", "انظر https://justpaste.it/abcهنا", ["https://justpaste.it/abc"]],
  ["glued on both sides, bare", "الرابطjustpaste.it/abcهنا", ["justpaste.it/abc"]],
  ["Arabic comma after", "الرابط https://justpaste.it/abc، ثم", ["https://justpaste.it/abc"]],
  ["Arabic comma glued", "الرابط:justpaste.it/abc،ثم", ["justpaste.it/abc"]],
  ["Arabic question mark", "هل رأيت https://t.me/channel؟", ["https://t.me/channel"]],
  ["Arabic semicolon", "الرابط https://t.me/channel؛ والآخر", ["https://t.me/channel"]],
  ["guillemets", "«https://justpaste.it/abc»", ["https://justpaste.it/abc"]],
  ["curly quotes", "“https://justpaste.it/abc”", ["https://justpaste.it/abc"]],
  ["parentheses", "(https://justpaste.it/abc)", ["https://justpaste.it/abc"]],
  ["brackets", "[https://justpaste.it/abc]", ["https://justpaste.it/abc"]],
  ["right-to-left marks around", "\u200Fhttps://justpaste.it/abc\u200F", ["https://justpaste.it/abc"]],
  ["isolates around", "\u2066https://justpaste.it/abc\u2069", ["https://justpaste.it/abc"]],
  ["Arabic full stop", "https://justpaste.it/abc۔", ["https://justpaste.it/abc"]],
  ["host glued to Arabic", "https://example.comهنا", ["https://example.com"]],
  ["Arabic text after a hyphen is path", "https://example.com/article-عنوان", ["https://example.com/article-عنوان"]],
  ["CJK glued after", "请访问example.com/abc查看", ["example.com/abc"]],
]);

table("extractUrls: trailing punctuation", [
  ["full stop", "See https://example.com/a.", ["https://example.com/a"]],
  ["comma", "https://example.com/a, then", ["https://example.com/a"]],
  ["several", "https://example.com/a?!...", ["https://example.com/a"]],
  ["colon", "https://example.com/a: that one", ["https://example.com/a"]],
  ["apostrophe", "'https://example.com/a'", ["https://example.com/a"]],
  ["ellipsis character", "https://example.com/a…", ["https://example.com/a"]],
  ["balanced parenthesis kept", "https://en.wikipedia.org/wiki/Foo_(bar)", ["https://en.wikipedia.org/wiki/Foo_(bar)"]],
  [
    "balanced, then an unbalanced one",
    "(see https://en.wikipedia.org/wiki/Foo_(bar))",
    ["https://en.wikipedia.org/wiki/Foo_(bar)"],
  ],
  ["inner dots kept", "https://example.com/a.b.c/d.html.", ["https://example.com/a.b.c/d.html"]],
  ["query kept", "https://example.com/?a=1&b=2.", ["https://example.com/?a=1&b=2"]],
  ["domain at the end of a sentence", "Go to example.com.", ["example.com"]],
]);

describe("extractUrls: results", () => {
  it("gives each link its canonical form and flags", () => {
    const [u] = extractUrls("شاهد hxxps://youtu[.]be/dQw4w9WgXcQ?si=x، الآن");
    assert.ok(u);
    assert.equal(u.canonical, "youtube.com/watch?v=dQw4w9WgXcQ");
    assert.equal(u.url.defanged, true);
    assert.equal(u.url.isShortener, false);
    assert.equal(u.raw, "hxxps://youtu[.]be/dQw4w9WgXcQ?si=x");
  });
  it("reports offsets in the original text when defanging shortened it", () => {
    const text = "a [.] b hxxp://x[.]example[.]com/p and bit[.]ly/q";
    const found = extractUrls(text);
    assert.deepEqual(
      found.map((u) => [u.raw, u.start, u.end, u.canonical]),
      [
        ["hxxp://x[.]example[.]com/p", 8, 34, "x.example.com/p"],
        ["bit[.]ly/q", 39, 49, "bit.ly/q"],
      ],
    );
  });
  it("flags shorteners with the given set", () => {
    const mine = loadShortenerList("example.link\n");
    const [u] = extractUrls("go example.link/abc", { shorteners: mine });
    assert.equal(u?.url.isShortener, true);
    assert.equal(extractUrls("go bit.ly/abc", { shorteners: mine })[0]?.url.isShortener, false);
  });
  it("can leave bare domains out", () => {
    assert.deepEqual(
      extractUrls("justpaste.it/abc and https://example.com/x", { bareDomains: false }).map((u) => u.raw),
      ["https://example.com/x"],
    );
  });
  it("skips candidates that are not valid URLs", () => {
    assert.deepEqual(
      extractUrls(`https://${"a".repeat(64)}.com/x http://example.com:99999/ https://ok.example/`).length,
      1,
    );
  });
  it("returns nothing for empty text", () => {
    assert.deepEqual(extractUrls(""), []);
  });
});

describe("extractUrls: hostile text stays linear", () => {
  const inputs: [string, string][] = [
    ["a million letters", "a".repeat(1_000_000)],
    ["many dots", "a.".repeat(200_000)],
    ["long labels", `${"a".repeat(100_000)}.${"b".repeat(100_000)}.com`],
    ["many short links", "t.co/a ".repeat(20_000)],
    ["one huge link", `https://example.com/${"x".repeat(500_000)}`],
    ["brackets", "[.]".repeat(100_000)],
    ["hyphens", `${"a-".repeat(100_000)}.com`],
    ["digits and dots", "1.2.".repeat(100_000)],
    ["unbalanced parentheses", `https://example.com/${")".repeat(20_000)}`],
  ];
  for (const [name, text] of inputs) {
    it(name, () => {
      const t0 = performance.now();
      extractUrls(text);
      const ms = performance.now() - t0;
      assert.ok(ms < 3000, `${name}: ${ms.toFixed(0)} ms`);
    });
  }
  it("skips a link longer than the URL limit", () => {
    assert.deepEqual(extractUrls(`https://example.com/${"x".repeat(9000)}`), []);
  });
});
