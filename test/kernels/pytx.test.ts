/** python-threatexchange's signal files: its type names, local_file lines, dataset --csv categories. */

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  fromPytxType,
  isNegativeCategory,
  localFileLine,
  parseLocalFileLine,
  pytxTags,
  pytxTypeName,
} from "../../src/kernels/pytx.js";

const PDQ = "facd8bcb2a49bcebdec1985298d5fe84bcd006c187c598c720c3c087b3fdb318";

test("local_file lines split at the first space; its names map to rasd's types", () => {
  assert.deepEqual(parseLocalFileLine(`pdq ${PDQ}\n`), { ok: true, type: "pdq", value: PDQ });
  assert.deepEqual(parseLocalFileLine("raw_text the soldiers of the caliphate advance"), {
    ok: true,
    type: "text",
    value: "the soldiers of the caliphate advance",
  });
  assert.deepEqual(parseLocalFileLine("video_sha256 " + "a".repeat(64)), {
    ok: true,
    type: "sha256",
    value: "a".repeat(64),
  });
  assert.equal(parseLocalFileLine("   "), undefined);
  assert.deepEqual(parseLocalFileLine("url_md5 d41d8cd98f00b204e9800998ecf8427e"), {
    ok: true,
    type: "url_md5",
    value: "d41d8cd98f00b204e9800998ecf8427e",
  });
  const unknown = parseLocalFileLine("text_md5 d41d8cd98f00b204e9800998ecf8427e");
  assert.ok(unknown && !unknown.ok && /text_md5" is not one rasd holds/.test(unknown.message));
  const alone = parseLocalFileLine(PDQ);
  assert.ok(alone && !alone.ok && /expected "<signal type> <signal>"/.test(alone.message));
  assert.deepEqual(fromPytxType("PDQ", ` ${PDQ} `), { ok: true, type: "pdq", value: PDQ });
});

test("rasd's types back to python-threatexchange's, and what has no place there", () => {
  assert.equal(pytxTypeName("text"), "raw_text");
  assert.equal(pytxTypeName("sha256"), "video_sha256");
  assert.equal(pytxTypeName("md5"), undefined);
  assert.equal(pytxTypeName("domain"), undefined);
  assert.equal(localFileLine("text", "one\nline"), "raw_text one line\n");
  assert.equal(localFileLine("domain", "example.org"), undefined);
  // A line written reads back as the same signal.
  const back = parseLocalFileLine(localFileLine("pdq", PDQ)!);
  assert.deepEqual(back, { ok: true, type: "pdq", value: PDQ });
});

test("categories and tags", () => {
  assert.equal(isNegativeCategory("NEGATIVE_CLASS"), true);
  assert.equal(isNegativeCategory(" negative_class "), true);
  assert.equal(isNegativeCategory("POSITIVE_CLASS"), false);
  assert.equal(isNegativeCategory("INVESTIGATION_SEED"), false);
  assert.equal(pytxTags(["isis", "glorification", "two words"]), "isis glorification two_words");
});
