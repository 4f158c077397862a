/**
 * Decision 0030: the service runs an ONNX stance model for the languages named in RASD_STANCE_ONNX.
 * An English text goes through the project's own small ONNX model (the shipped general weights as
 * ONNX), an Arabic one through the model file, a French one is `unknown`; every stored
 * classification records the version naming both files. Skipped visibly without onnxruntime-node.
 */

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadStanceModel } from "../../src/signals/stance/model.js";
import { hasOnnxRuntime, onnxFromStanceModel } from "../../src/signals/stance/onnx.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { json, startTestService, type TestService } from "../support/service.js";

const NEEDS_ORT = hasOnnxRuntime() ? false : "onnxruntime-node is not installed (npm install)";

describe("an ONNX stance model in the service", { skip: NEEDS_ORT }, () => {
  let t: TestService;
  let db: TestDatabase;
  let key = 0;
  const shipped = loadStanceModel();

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "rasd-onnx-http-"));
    const en = join(dir, "en.onnx");
    writeFileSync(en, onnxFromStanceModel(shipped, ["en"]));
    db = sqliteDatabase();
    t = await startTestService({ db, env: { RASD_STANCE_ONNX: `en=${en}` } });
  });

  after(async () => {
    await t?.close();
    await db?.drop();
  });

  const submit = async (text: string): Promise<number> => {
    const r = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      payload: { text },
      headers: { "idempotency-key": `o-${++key}` },
    });
    assert.equal(r.statusCode, 202, r.body);
    return json<{ id: number }>(r).id;
  };

  test("English through ONNX, Arabic through the model file, French unknown; the version names both", async () => {
    assert.match(t.s.classifier.version, /^onnx@[0-9a-f]{12}\(en\)\+stance-v2@[0-9a-f]{12}$/);
    const texts: [string, string, string][] = [
      ["ISIS thugs destroyed ancient Palmyra", "en", shipped.classify("ISIS thugs destroyed ancient Palmyra").label],
      ["داعش عصابة إرهابية لا تمثل الإسلام", "ar", shipped.classify("داعش عصابة إرهابية لا تمثل الإسلام").label],
      ["Les soldats du califat vaincront, rejoignez l'État islamique mes frères", "fr", "unknown"],
    ];
    const ids = [];
    for (const [text] of texts) ids.push(await submit(text));
    await t.drain();
    for (const [i, id] of ids.entries()) {
      const view = json<{ stance?: { label: string; lang: string; model: string; scores?: Record<string, number> } }>(
        await t.call(t.keys.a.reader, { method: "GET", url: `/v1/content/${id}` }),
      );
      assert.equal(view.stance?.lang, texts[i]![1], JSON.stringify(view));
      assert.equal(view.stance?.label, texts[i]![2], JSON.stringify(view));
      assert.equal(view.stance?.model, t.s.classifier.version);
    }
  });
});
