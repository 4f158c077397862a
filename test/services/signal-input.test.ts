/** A signal's fields are stored whole or refused: nothing is silently cut (issue 15, item 9). */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SOURCE_MAX_CHARS, tryToSignalInput } from "../../src/services/signal-input.js";

const base = { type: "url", value: "https://example.org/release" };

describe("signal source note", () => {
  it("keeps a note of the longest allowed length whole, counting characters not UTF-16 units", () => {
    const source = "🙂".repeat(SOURCE_MAX_CHARS); // 400 UTF-16 units; cutting at 200 split pairs
    const r = tryToSignalInput({ ...base, source });
    assert.ok(r.ok, r.ok ? "" : r.message);
    assert.equal(r.input.source, source);
  });

  it("refuses a longer note with its length and the limit, instead of cutting it", () => {
    const r = tryToSignalInput({ ...base, source: "x".repeat(SOURCE_MAX_CHARS + 1) });
    assert.equal(r.ok, false);
    assert.match(
      r.ok ? "" : r.message,
      new RegExp(`source: ${SOURCE_MAX_CHARS + 1} characters, longer than ${SOURCE_MAX_CHARS}`),
    );
  });
});
