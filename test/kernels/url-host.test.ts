import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isRasdError } from "../../src/core/errors.js";
import {
  HOST_ALIASES,
  canonicalHost,
  canonicalizeUrl,
  hostSuffixes,
  normalizeHost,
} from "../../src/kernels/url/index.js";

describe("canonicalHost: the host of a domain signal, as URLs are keyed", () => {
  const cases: [string, string, string][] = [
    ["lower case", "Example.COM", "example.com"],
    ["trailing dot", "example.com.", "example.com"],
    ["www. removed", "www.example.com", "example.com"],
    ["subdomain kept", "News.Example.com", "news.example.com"],
    ["Unicode to punycode", "Пример.РФ", "xn--e1afmkfd.xn--p1ai"],
    ["full-width", "ｊｕｓｔｐａｓｔｅ．ｉｔ", "justpaste.it"],
    ["defanged", "justpaste[.]it", "justpaste.it"],
    ["spelled-out dot", "justpaste dot it", "justpaste.it"],
    ["alias twitter.com", "twitter.com", "x.com"],
    ["alias mobile.twitter.com", "Mobile.Twitter.com", "x.com"],
    ["alias youtu.be", "youtu.be", "youtube.com"],
    ["alias telegram.me", "www.telegram.me", "t.me"],
    ["alias m.facebook.com", "m.facebook.com", "facebook.com"],
    ["IPv4", "192.168.0.1", "192.168.0.1"],
    ["IPv6", "[2001:DB8::1]", "[2001:db8::1]"],
    ["surrounding white space", "  example.com\n", "example.com"],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(canonicalHost(input), expected));
  }

  it("agrees with the host canonicalizeUrl reports", () => {
    for (const [name, input] of cases) {
      assert.equal(canonicalizeUrl(`http://${input.trim()}/x`).host, canonicalHost(input), name);
    }
  });

  it("normalizeHost does not resolve aliases (shortener lists need the written host)", () => {
    assert.equal(normalizeHost("WWW.Twitter.com."), "twitter.com");
  });

  const bad: [string, string][] = [
    ["empty", ""],
    ["a single label", "localhost"],
    ["with a port", "example.com:8080"],
    ["with a path", "example.com/a"],
    ["a URL", "https://example.com"],
    ["with user info", "user@example.com"],
    ["white space inside", "exa mple.com"],
    ["empty label", "a..com"],
    ["label over 63", `${"a".repeat(64)}.com`],
    ["control character", "exa\u0007mple.com"],
  ];
  for (const [name, input] of bad) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => canonicalHost(input),
        (e: unknown) => isRasdError(e) && e.code === "url.invalid",
      );
    });
  }
});

describe("hostSuffixes: the host and each parent domain, for subdomain matching", () => {
  const cases: [string, string, string[]][] = [
    ["three levels", "a.b.example.com", ["a.b.example.com", "b.example.com", "example.com"]],
    ["registrable domain only", "example.com", ["example.com"]],
    ["one subdomain", "www2.example.org", ["www2.example.org", "example.org"]],
    ["no public-suffix list: co.uk is listed", "a.example.co.uk", ["a.example.co.uk", "example.co.uk", "co.uk"]],
    ["IPv4 is not split", "192.168.0.1", ["192.168.0.1"]],
    ["IPv6 is not split", "[::1]", ["[::1]"]],
    ["single label", "localhost", ["localhost"]],
    ["punycode", "a.xn--e1afmkfd.xn--p1ai", ["a.xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai"]],
  ];
  for (const [name, host, expected] of cases) {
    it(name, () => assert.deepEqual(hostSuffixes(host), expected));
  }
});

describe("host aliases", () => {
  it("every alias maps to a host that is not itself an alias", () => {
    const aliases = new Set(HOST_ALIASES.map(([from]) => from));
    for (const [from, to] of HOST_ALIASES) {
      assert.ok(!aliases.has(to), `${from} → ${to} chains`);
      assert.equal(canonicalHost(from), to);
    }
  });
});
