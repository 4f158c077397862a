/**
 * Properties of the URL canonicaliser (src/kernels/url): on any input it answers a canonical
 * form or a RasdError, never another exception; the canonical form is a fixed point (ASCII,
 * and canonicalising it again gives it back); link extraction from free text never throws.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalHost, canonicalizeUrl, extractUrls, refangUrl } from "../../src/kernels/url/index.js";
import { anyString, domainOnly, params, urlLike } from "./arbitraries.js";

describe("URL canonicaliser properties", () => {
  it("answers a canonical form or a RasdError on any input", () => {
    fc.assert(
      fc.property(urlLike, (input) => {
        domainOnly(() => canonicalizeUrl(input));
      }),
      params(1500),
    );
  });

  it("is idempotent: canon(canon(x)) === canon(x), and the key is ASCII", () => {
    fc.assert(
      fc.property(urlLike, (input) => {
        const first = domainOnly(() => canonicalizeUrl(input));
        if (!first.ok) return;
        const key = first.value.canonical;
        assert.match(key, /^[\x21-\x7e]+$/, `not printable ASCII: ${JSON.stringify(key)}`);
        const again = canonicalizeUrl(key);
        assert.equal(again.canonical, key);
        assert.equal(again.host, first.value.host);
      }),
      params(1500),
    );
  });

  it("host canonical forms are idempotent", () => {
    fc.assert(
      fc.property(urlLike, (input) => {
        const host = domainOnly(() => canonicalHost(input));
        if (host.ok) assert.equal(canonicalHost(host.value), host.value);
      }),
      params(800),
    );
  });

  it("refanging and link extraction never throw on free text", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyString,
          urlLike.map((u) => `see ${u} now`),
        ),
        (text) => {
          domainOnly(() => refangUrl(text));
          for (const found of extractUrls(text)) assert.equal(typeof found.canonical, "string");
        },
      ),
      params(800),
    );
  });
});
