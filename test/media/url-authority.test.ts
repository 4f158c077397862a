/** The raw-URL authority check of media fetched by URL (as HMA's is_valid_url). */

import assert from "node:assert/strict";
import { test } from "node:test";
import { authorityProblem } from "../../src/media/download.js";

test("an empty authority or a port that is not digits is a problem; ordinary URLs are not", () => {
  for (const ok of [
    "https://example.com",
    "https://example.com/path",
    "https://example.com:8080/path",
    "http://example.com",
    "https://sub.example.com",
    "https://example.com/path?query=value",
    "https://example.com/path#fragment",
    "http://[2001:db8::1]:8080/x",
    "http://[2001:db8::1]/x",
    "not a url",
  ])
    assert.equal(authorityProblem(ok), undefined, ok);
  for (const bad of [
    "http:///example.com",
    "http://",
    "https://",
    "http://example.com:",
    "http://example.com:abc",
    "http://[::1]:x/",
  ])
    assert.ok(authorityProblem(bad), bad);
});
