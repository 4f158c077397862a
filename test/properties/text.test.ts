/**
 * Properties of the text normaliser (src/kernels/text) and of every signal type's canonical
 * form (src/signals/registry): any string, lone surrogates and mixed scripts included, gives a
 * key or a RasdError; normal and canonical forms are fixed points.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SIGNAL_TYPES } from "../../src/core/model.js";
import { normalizeText, normalizeTextWith } from "../../src/kernels/text/index.js";
import { textFingerprint } from "../../src/kernels/text/index.js";
import { canonicalSignalValue } from "../../src/signals/registry.js";
import { anyString, domainOnly, params, urlLike } from "./arbitraries.js";

describe("text normaliser properties", () => {
  it("never throws, and its output is lower-case words separated by single spaces", () => {
    fc.assert(
      fc.property(anyString, (text) => {
        const key = normalizeText(text);
        assert.equal(key, key.trim());
        assert.doesNotMatch(key, /\s{2,}/u);
        textFingerprint(text);
      }),
      params(1500),
    );
  });

  it("is idempotent: norm(norm(x)) === norm(x), whatever the hashtag policy", () => {
    fc.assert(
      fc.property(anyString, fc.constantFrom("edges", "keep", "drop") as fc.Arbitrary<"edges">, (text, hashtags) => {
        const once = normalizeTextWith(text, { hashtags });
        assert.equal(normalizeTextWith(once, { hashtags }), once);
      }),
      params(1500),
    );
  });
});

describe("signal canonical forms", () => {
  it("every type answers a canonical value or a RasdError, and the value is a fixed point", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIGNAL_TYPES), fc.oneof(anyString, urlLike), (type, raw) => {
        const first = domainOnly(() => canonicalSignalValue(type, raw));
        if (!first.ok) return;
        const again = canonicalSignalValue(type, first.value.value);
        assert.equal(again.value, first.value.value, `${type}: ${JSON.stringify(raw)}`);
      }),
      params(2000),
    );
  });
});
