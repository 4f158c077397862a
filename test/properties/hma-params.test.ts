/**
 * Properties of the HMA parameter parsers (src/http/routes/hma/common.ts and the routes that
 * use them): any value answers a result or an HmaError with a 4xx status, never another
 * exception; over HTTP, no query string or JSON body makes an HMA route answer 5xx.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import {
  HmaError,
  bankFilter,
  hmaContext,
  parseBool,
  parseNote,
  parseRatio,
  parseMetadata,
} from "../../src/http/routes/hma/common.js";
import { DEFAULT_SHORTENERS } from "../../src/kernels/url/index.js";
import type { Services } from "../../src/server/services.js";
import { HMA_SIGNAL_TYPES } from "../../src/signals/registry.js";
import { startTestService, type TestService } from "../support/service.js";
import { anyString, params, urlLike } from "./arbitraries.js";

/** Calls `f`; an HmaError with a 4xx status counts as an answer, anything else fails. */
function hmaOnly(f: () => unknown): void {
  try {
    f();
  } catch (error) {
    if (!(error instanceof HmaError)) throw error;
    assert.ok(error.statusCode >= 400 && error.statusCode < 500, String(error.statusCode));
    assert.ok(error.message.length > 0);
  }
}

/** JSON values of every kind, strings awkward. */
const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    anyString,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(anyString, tie("value"), { maxKeys: 3 }),
  ),
})).value;

const hashLike = fc.oneof(
  anyString,
  urlLike,
  fc.stringMatching(/^[0-9a-fA-F]{60,68}$/),
  fc.stringMatching(/^[0-9a-f]{32}$/),
);

describe("HMA parameter parsers", () => {
  it("parseBool, parseRatio, parseNote, parseMetadata, bankFilter: a value or a 4xx HmaError", () => {
    fc.assert(
      fc.property(fc.oneof(json, fc.constant(undefined)), (value) => {
        hmaOnly(() => parseBool(value, "enabled"));
        hmaOnly(() => {
          const r = parseRatio(value, "enabled_ratio");
          if (typeof r === "number") assert.ok(r >= 0 && r <= 1);
        });
        hmaOnly(() => parseNote(value));
        hmaOnly(() => parseMetadata(value));
        hmaOnly(() => parseMetadata(typeof value === "string" ? value : JSON.stringify(value), true));
        if (typeof value === "string")
          for (const name of bankFilter(value) ?? []) assert.ok(name !== "" && name === name.trim());
      }),
      params(1500),
    );
  });

  it("signal types and canonical values: a value or a 400; canonical values are fixed points", () => {
    const c = hmaContext({ shorteners: DEFAULT_SHORTENERS } as unknown as Services);
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...HMA_SIGNAL_TYPES), anyString),
        fc.oneof(hashLike, json),
        (name, value) => {
          hmaOnly(() => {
            const type = c.signalType(name);
            const canonical = c.canonical(type, value, "signal: ");
            assert.equal(c.canonical(type, canonical, "signal: "), canonical);
          });
        },
      ),
      params(1500),
    );
  });
});

describe("HMA routes on any input", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ workers: false });
    const r = await t.call(t.keys.a.admin, {
      method: "POST",
      url: "/c/banks",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ name: "FUZZ_BANK" }),
    });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => {
    await t?.close();
  });

  const noServerError = (r: { statusCode: number; body: string }, what: string) => {
    assert.ok(r.statusCode < 500, `${what}: ${r.statusCode} ${r.body}`);
    assert.equal(typeof (JSON.parse(r.body) as unknown), "object", what);
  };

  it("GET routes with any query parameters answer 2xx or 4xx", async () => {
    const query = fc.record(
      {
        signal: hashLike,
        signal_type: fc.oneof(fc.constantFrom(...HMA_SIGNAL_TYPES), anyString),
        banks: fc.oneof(fc.constant("FUZZ_BANK"), anyString),
        include_distance: fc.oneof(fc.constantFrom("true", "false", "1", "yes"), anyString),
        seed: anyString,
        types: anyString,
        content_type: anyString,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/m/raw_lookup", "/m/lookup", "/m/index/status", "/c/signal_type", "/c/banks"),
        query,
        async (path, q) => {
          const search = new URLSearchParams(
            Object.entries(q).map(([k, v]): [string, string] => [k, (v as string).toWellFormed()]),
          ).toString();
          const url = `${path}?${search}`;
          noServerError(await t.call(t.keys.a.admin, { method: "GET", url }), url);
        },
      ),
      params(150),
    );
  });

  it("POST routes with any JSON body answer 2xx or 4xx", async () => {
    const body = fc.oneof(
      json,
      fc.dictionary(
        fc.constantFrom(...HMA_SIGNAL_TYPES, "note", "name", "enabled_ratio", "enabled", "tlp"),
        fc.oneof(hashLike, json),
        {
          maxKeys: 4,
        },
      ),
      fc.dictionary(fc.constantFrom(...HMA_SIGNAL_TYPES), fc.array(hashLike, { maxLength: 3 }), { maxKeys: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/c/banks", "/m/compare", "/c/bank/FUZZ_BANK/signal", "/c/bank/NO_SUCH/signal"),
        body,
        async (url, value) => {
          const payload = JSON.stringify(value, (_k, v: unknown) => (typeof v === "string" ? v.toWellFormed() : v));
          noServerError(
            await t.call(t.keys.a.admin, {
              method: "POST",
              url,
              headers: { "content-type": "application/json" },
              payload: payload ?? "null",
            }),
            `${url} ${payload}`,
          );
        },
      ),
      params(150),
    );
  });
});
