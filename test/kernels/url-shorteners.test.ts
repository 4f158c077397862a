import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isRasdError } from "../../src/core/errors.js";
import {
  BUILTIN_SHORTENERS,
  DEFAULT_SHORTENERS,
  canonicalizeUrl,
  isShortenerHost,
  loadShortenerList,
  mergeShortenerSets,
  shortenerSet,
} from "../../src/kernels/url/index.js";
import { TESTDATA, needsShared } from "../support/shared.js";

const SHORTENERS = join(TESTDATA, "urls", "shorteners");

describe("built-in shorteners", () => {
  const flagged = ["bit.ly", "t.co", "goo.gl", "tinyurl.com", "ow.ly", "is.gd", "buff.ly", "dlvr.it", "fb.me", "j.mp"];
  for (const host of flagged) {
    it(`flags ${host}`, () => {
      assert.equal(isShortenerHost(host), true);
      assert.equal(canonicalizeUrl(`https://${host}/abc`).isShortener, true);
    });
  }
  it("flags subdomains of a shortener", () => {
    assert.equal(isShortenerHost("maps.app.goo.gl"), true);
    assert.equal(canonicalizeUrl("https://www.bit.ly/abc").isShortener, true);
  });
  it("does not flag look-alike names or parents", () => {
    for (const host of ["notbit.ly", "bit.ly.example.com", "ly", "co", "example.com", "youtube.com", "t.me"]) {
      assert.equal(isShortenerHost(host), false, host);
    }
  });
  it("does not count youtu.be, which is canonicalised instead", () => {
    assert.equal(canonicalizeUrl("https://youtu.be/dQw4w9WgXcQ").isShortener, false);
    assert.equal(shortenerSet(["youtu.be", "t.me", "telegram.me", "bit.ly"]).domains.size, 1);
  });
  it("holds about forty distinct normalised hosts", () => {
    assert.equal(DEFAULT_SHORTENERS.domains.size, BUILTIN_SHORTENERS.length);
    assert.ok(BUILTIN_SHORTENERS.length >= 35 && BUILTIN_SHORTENERS.length <= 60);
  });
});

describe("loadShortenerList", () => {
  it("reads one domain per line with # comments and blank lines", () => {
    const set = loadShortenerList("# header\n#\n\nbit.ly\r\nWWW.Example.LINK  # trailing comment\n  sho.rt  \n");
    assert.deepEqual([...set.domains].sort(), ["bit.ly", "example.link", "sho.rt"]);
  });
  it("accepts Unicode and defanged names", () => {
    assert.deepEqual([...loadShortenerList("пример.рф\nexample[.]link").domains].sort(), [
      "example.link",
      "xn--e1afmkfd.xn--p1ai",
    ]);
  });
  it("names the line of a bad entry", () => {
    assert.throws(
      () => loadShortenerList("# ok\nbit.ly\nnot a host\n"),
      (e: unknown) => isRasdError(e) && e.code === "url.invalid" && /^shortener list line 3: /.test(e.message),
    );
  });
  it("an empty list flags nothing", () => {
    const empty = loadShortenerList("# nothing\n");
    assert.equal(empty.domains.size, 0);
    assert.equal(canonicalizeUrl("https://bit.ly/x", { shorteners: empty }).isShortener, false);
  });
  it("merges with the built-in set", () => {
    const merged = mergeShortenerSets(DEFAULT_SHORTENERS, loadShortenerList("example.link"));
    assert.equal(isShortenerHost("example.link", merged), true);
    assert.equal(isShortenerHost("bit.ly", merged), true);
  });
});

describe("PeterDaveHello/url-shorteners (../shared)", { skip: needsShared }, () => {
  const entries = (file: string): string[] =>
    readFileSync(join(SHORTENERS, file), "utf8")
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));

  it("flags every listed domain except the two rasd canonicalises (t.me, youtu.be)", () => {
    const listed = entries("list.txt");
    assert.equal(listed.length, 1479);
    const set = loadShortenerList(readFileSync(join(SHORTENERS, "list.txt"), "utf8"));
    const missed = listed.filter((d) => !canonicalizeUrl(`http://${d}/abc123`, { shorteners: set }).isShortener);
    assert.deepEqual(missed.sort(), ["t.me", "youtu.be"]);
    assert.equal(set.domains.size, 1477);
    for (const d of listed) if (!missed.includes(d)) assert.ok(isShortenerHost(canonicalizeUrl(`${d}/x`).host, set), d);
  });

  it("holds every built-in shortener, active or inactive (no typos in the built-in set)", () => {
    const known = new Set([...entries("list.txt"), ...entries("inactive.txt")]);
    for (const host of BUILTIN_SHORTENERS) assert.ok(known.has(host), host);
  });
});
