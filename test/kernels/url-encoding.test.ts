import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { refangText, refangUrl } from "../../src/kernels/url/defang.js";
import { normalizePath } from "../../src/kernels/url/path.js";
import { normalizePercent } from "../../src/kernels/url/percent.js";
import { formatQuery, parseQuery } from "../../src/kernels/url/query.js";

describe("refangUrl", () => {
  const cases: [string, string, string][] = [
    ["hxxp", "hxxp://a.com", "http://a.com"],
    ["hxxps upper case", "HXXPS://a.com", "https://a.com"],
    ["h**p", "h**p://a.com", "http://a.com"],
    ["hxxp[s]", "hxxp[s]://a.com", "https://a.com"],
    ["f[t]p", "f[t]p://a.com", "ftp://a.com"],
    ["[.] with spaces", "a [ . ] com", "a.com"],
    ["{dot}", "a{dot}com", "a.com"],
    ["[://]", "http[://]a.com", "http://a.com"],
    ["[//]", "http:[//]a.com", "http://a.com"],
    ["\\.", "a\\.com", "a.com"],
    ["nested defanged scheme", "http://a.com/?u=hxxps://b.com", "http://a.com/?u=https://b.com"],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      assert.deepEqual(refangUrl(input), { text: expected, defanged: true });
    });
  }

  const untouched = [
    "https://example.com/a/b?c=d#e",
    "https://en.wikipedia.org/wiki/Dot_(band)",
    "https://hxxp.example.com/hxxp",
    "http://[::1]:8080/x",
    "https://example.com/?q=[1]&r=(2)",
  ];
  for (const input of untouched) {
    it(`leaves ${input} alone`, () => assert.deepEqual(refangUrl(input), { text: input, defanged: false }));
  }
});

describe("refangText: offsets back into the original", () => {
  it("maps every refanged character to where it came from", () => {
    const input = "see hxxps[:]//example [.] com/x now";
    const { text, origin } = refangText(input);
    assert.equal(text, "see https://example.com/x now");
    assert.ok(origin);
    const start = text.indexOf("https");
    const end = text.indexOf(" now");
    assert.equal(input.slice(origin[start]!, origin[end]!), "hxxps[:]//example [.] com/x");
    assert.equal(origin[text.length], input.length);
  });
  it("returns the identity (no map) when nothing is defanged", () => {
    assert.deepEqual(refangText("plain https://example.com text"), {
      text: "plain https://example.com text",
      origin: null,
    });
  });
  it("does not rewrite a spelled-out dot in prose", () => {
    assert.equal(refangText("put a dot on the i").text, "put a dot on the i");
  });
});

describe("normalizePercent", () => {
  const cases: [string, string, "path" | "query", string][] = [
    ["no change fast path", "/a/b-c_d.e~f", "path", "/a/b-c_d.e~f"],
    ["unreserved decoded", "/%41%7a%30%2d%2e%5f%7e", "path", "/Az0-._~"],
    ["reserved kept, upper hex", "/%2f%3a%40%26", "path", "/%2F%3A%40%26"],
    ["lone %", "/50%", "path", "/50%25"],
    ["% then one hex digit", "/%4", "path", "/%254"],
    ["% at the end of an escape run", "/%41%", "path", "/A%25"],
    ["non-ASCII raw", "/é", "path", "/%C3%A9"],
    ["NFD → NFC across a raw base letter", "/e%CC%81", "path", "/%C3%A9"],
    ["astral character", "/😀", "path", "/%F0%9F%98%80"],
    ["invalid UTF-8 bytes kept", "/%C3%28", "path", "/%C3%28"],
    ["invalid UTF-8 run: unreserved byte still decoded", "/%c3%41", "path", "/%C3A"],
    ["overlong UTF-8 kept", "/%C0%AF", "path", "/%C0%AF"],
    ["BOM kept", "/%EF%BB%BFx", "path", "/%EF%BB%BFx"],
    ["? raw in a query", "a?b/c", "query", "a?b/c"],
    ["? escaped in a path", "/a?b", "path", "/a%3Fb"],
    ["# escaped everywhere", "a#b", "query", "a%23b"],
    ["backslash escaped", "a\\b", "query", "a%5Cb"],
    ["brackets escaped", "/a[0]", "path", "/a%5B0%5D"],
  ];
  for (const [name, input, component, expected] of cases) {
    it(name, () => {
      const once = normalizePercent(input, component);
      assert.equal(once, expected);
      assert.equal(normalizePercent(once, component), once, "not a fixed point");
    });
  }
});

describe("normalizePath", () => {
  const cases: [string, string, string][] = [
    ["root", "/", "/"],
    ["trailing slash", "/a/", "/a"],
    ["only slashes", "///", "/"],
    ["dot segments", "/a/./b/../c", "/a/c"],
    ["encoded dot segments", "/a/%2E%2e/b", "/b"],
    ["above the root", "/../a", "/a"],
    ["dot-led names are not dot segments", "/.well-known/..x/...", "/.well-known/..x/..."],
    ["trailing dot segment", "/a/b/..", "/a"],
    ["empty segments kept", "//a//b", "//a//b"],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      assert.equal(normalizePath(input), expected);
      assert.equal(normalizePath(expected), expected);
    });
  }
});

describe("parseQuery and formatQuery", () => {
  it("parses names, values and bare names, with decoded lower-case keys", () => {
    assert.deepEqual(parseQuery("?UTM%5FSource=a&b&c=&=d"), [
      { name: "UTM_Source", value: "a", key: "utm_source" },
      { name: "b", value: undefined, key: "b" },
      { name: "c", value: "", key: "c" },
      { name: "", value: "d", key: "" },
    ]);
  });
  it("sorts by name, stably", () => {
    assert.equal(formatQuery(parseQuery("z=1&a=2&m=3&a=1")), "?a=2&a=1&m=3&z=1");
    assert.equal(formatQuery([]), "");
  });
  it("keeps = inside a value", () => {
    assert.equal(formatQuery(parseQuery("a=b=c")), "?a=b=c");
  });
});
