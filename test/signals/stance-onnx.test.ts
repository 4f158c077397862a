/**
 * Decision 0019's ONNX text classifier: the hand-written protobuf of kernels/stance/onnx.ts, its
 * metadata checks, and (with onnxruntime-node installed; skipped visibly otherwise) the model run
 * by onnxruntime against the same arithmetic in JavaScript, and the shipped model's English labels
 * reproduced through ONNX.
 */

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import {
  extractFeatures,
  maxFeatures,
  readOnnxStanceMetadata,
  writeOnnxStanceModel,
} from "../../src/kernels/stance/index.js";
import { loadStanceModel } from "../../src/signals/stance/model.js";
import {
  hasOnnxRuntime,
  loadOnnxStanceModels,
  onnxFromStanceModel,
  stanceClassifierFor,
} from "../../src/signals/stance/onnx.js";
import { loadServiceClassifier } from "../../src/services/stance.js";
import { REPO_ROOT } from "../support/shared.js";

const NEEDS_ORT = hasOnnxRuntime() ? false : "onnxruntime-node is not installed (npm install)";

function randomWeights(dims: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: dims * 3 }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 8;
  });
}

describe("ONNX stance model bytes", () => {
  it("carries rasd's metadata and reads it back", () => {
    const bytes = writeOnnxStanceModel(randomWeights(64, 1), [0.1, -0.2, 0.3], { dims: 64, languages: ["en"] });
    assert.deepEqual(readOnnxStanceMetadata(bytes), {
      features: "stance-hashed-v1",
      dims: 64,
      labels: ["pro", "anti", "neutral"],
      languages: ["en"],
    });
  });

  it("refuses bad arguments and bad files with the reason", () => {
    assert.throws(
      () => writeOnnxStanceModel(randomWeights(6, 1), [0, 0, 0], { dims: 6, languages: ["en"] }),
      /power of two/,
    );
    assert.throws(() => writeOnnxStanceModel(randomWeights(8, 1), [0, 0], { dims: 8, languages: ["en"] }), /bias/);
    assert.throws(() => writeOnnxStanceModel(randomWeights(8, 1), [0, 0, 0], { dims: 8, languages: [] }), /language/);
    assert.throws(() => readOnnxStanceMetadata(new TextEncoder().encode("id,label,text\n")), /not an ONNX model/);
    assert.throws(() => readOnnxStanceMetadata(Uint8Array.of(0x3a, 0x00)), /no rasd.features metadata/); // an empty graph
  });
});

describe("ONNX stance model run by onnxruntime-node", { skip: NEEDS_ORT }, () => {
  const dir = mkdtempSync(join(tmpdir(), "rasd-onnx-"));

  it("gives softmax(W·x + b) over the hashed features, for its language only", async () => {
    const dims = 256;
    const w = randomWeights(dims, 7);
    const b = [0.3, -0.1, 0.2];
    const path = join(dir, "tiny.onnx");
    writeFileSync(path, writeOnnxStanceModel(w, b, { dims, languages: ["en"] }));
    const shipped = loadStanceModel();
    const classifier = await stanceClassifierFor(path, () => shipped);
    assert.match(classifier.version, /^onnx@[0-9a-f]{12}\(en\)\+stance-v2@[0-9a-f]{12}$/);
    const texts = [
      "the soldiers came back to the town today",
      "a short one",
      "داعش عصابة إجرامية",
      "bonjour à tous les amis",
    ];
    const results = await classifier.classifyAll(texts);
    for (const [i, text] of texts.slice(0, 2).entries()) {
      const out = new Int32Array(maxFeatures(text.length));
      const n = extractFeatures(text, dims, out);
      const z = [...b];
      for (let k = 0; k < n; k++) for (let c = 0; c < 3; c++) z[c]! += w[out[k]! * 3 + c]! / Math.sqrt(n);
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const sum = e.reduce((a, v) => a + v, 0);
      const r = results[i]!;
      assert.ok(Math.abs(r.scores.pro - e[0]! / sum) < 1e-5, `pro ${r.scores.pro} vs ${e[0]! / sum}`);
      assert.ok(Math.abs(r.scores.anti - e[1]! / sum) < 1e-5);
      assert.equal(r.lang, "en");
    }
    // Arabic goes to the shipped model; French is unknown, never pro.
    assert.deepEqual(results[2], shipped.classify(texts[2]!));
    assert.equal(results[3]!.label, "unknown");
  });

  it("the shipped model's general weights as ONNX give its English labels on the hand-checked set", async () => {
    const shipped = loadStanceModel();
    const path = join(dir, "en.onnx");
    writeFileSync(path, onnxFromStanceModel(shipped, ["en"]));
    const rows = parse(readFileSync(join(REPO_ROOT, "training/stance/english-check.csv")), { columns: true }) as {
      text: string;
    }[];
    const classifier = await stanceClassifierFor(path, () => shipped);
    const viaOnnx = await classifier.classifyAll(rows.map((r) => r.text));
    assert.equal(rows.length, viaOnnx.length);
    const same = rows.filter((r, i) => viaOnnx[i]!.label === shipped.classify(r.text).label).length;
    assert.equal(same, rows.length);
  });

  it("refuses an ONNX model for an untrained language and a file that is not one", async () => {
    const shipped = loadStanceModel();
    const fr = join(dir, "fr.onnx");
    writeFileSync(fr, writeOnnxStanceModel(randomWeights(8, 2), [0, 0, 0], { dims: 8, languages: ["fr"] }));
    await assert.rejects(
      stanceClassifierFor(fr, () => shipped),
      /may serve only ar or en/,
    );
    const junk = join(dir, "junk.onnx");
    writeFileSync(junk, "not a model");
    await assert.rejects(
      stanceClassifierFor(junk, () => shipped),
      /junk.onnx: (not an ONNX model|the ONNX model has no)/,
    );
    await assert.rejects(
      stanceClassifierFor(join(dir, "missing.onnx"), () => shipped),
      /cannot read the model/,
    );
  });
});

describe("ONNX stance models in the service (RASD_STANCE_ONNX, decision 0030)", { skip: NEEDS_ORT }, () => {
  const dir = mkdtempSync(join(tmpdir(), "rasd-onnx-service-"));
  const shipped = loadStanceModel();
  const en = join(dir, "en.onnx");
  writeFileSync(en, onnxFromStanceModel(shipped, ["en"]));

  it("serves the named language by its ONNX file, Arabic by the model file, others unknown; the version names both", async () => {
    const classifier = await loadServiceClassifier(undefined, { en });
    assert.match(classifier.version, /^onnx@[0-9a-f]{12}\(en\)\+stance-v2@[0-9a-f]{12}$/);
    assert.ok(classifier.version.endsWith(`+${shipped.version}`));
    const english = await classifier.classify("ISIS thugs destroyed ancient Palmyra");
    assert.equal(english.lang, "en");
    assert.equal(english.label, shipped.classify("ISIS thugs destroyed ancient Palmyra").label);
    // Through ONNX the scores are the general model's tempered softmax, not the file's isotonic maps.
    const raw = new Float64Array(3);
    const w = shipped.weights;
    const out = new Int32Array(maxFeatures(40));
    const text = "ISIS thugs destroyed ancient Palmyra";
    const n = extractFeatures(text, w.dims, out);
    for (let k = 0; k < n; k++) for (let c = 0; c < 3; c++) raw[c]! += w.weights[out[k]! * 3 + c]! / Math.sqrt(n);
    const z = [0, 1, 2].map((c) => (raw[c]! + w.bias[c]!) / w.temperature);
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, v) => a + v, 0);
    assert.ok(Math.abs(english.scores.anti - e[1]! / sum) < 1e-4, `${english.scores.anti} vs ${e[1]! / sum}`);
    const arabic = "داعش عصابة إرهابية لا تمثل الإسلام";
    assert.deepEqual(await classifier.classify(arabic), shipped.classify(arabic));
    assert.equal((await classifier.classify("bonjour à tous les amis de la ville")).label, "unknown");
  });

  it("without ONNX files it is the model file, synchronous", async () => {
    const classifier = await loadServiceClassifier(undefined, {});
    assert.equal(classifier.version, shipped.version);
    const verdict = classifier.classify("ISIS thugs destroyed ancient Palmyra");
    assert.ok(!(verdict instanceof Promise));
  });

  it("one file per language; a file named for a language it does not declare, or an untrained language, is refused", async () => {
    const both = join(dir, "both.onnx");
    writeFileSync(both, onnxFromStanceModel(shipped, ["ar", "en"]));
    const m = await loadOnnxStanceModels({ ar: both, en: en }, shipped);
    assert.match(m.version, /^onnx@[0-9a-f]{12}\(ar\)\+onnx@[0-9a-f]{12}\(en\)\+stance-v2@/);
    const same = await loadOnnxStanceModels({ ar: both, en: both }, shipped);
    assert.match(same.version, /^onnx@[0-9a-f]{12}\(ar,en\)\+stance-v2@/);
    assert.deepEqual(same.files, { ar: both, en: both });
    await assert.rejects(loadOnnxStanceModels({ ar: en }, shipped), /named for "ar", but its rasd.languages are en/);
    await assert.rejects(loadOnnxStanceModels({ fr: en }, shipped), /only ar and en can be served/);
    await assert.rejects(loadServiceClassifier(undefined, { en: join(dir, "missing.onnx") }), /cannot read the model/);
  });
});
