/**
 * An ONNX text classifier for the stance task, run by onnxruntime-node (decision 0019): `rasd eval
 * --model FILE.onnx` and `rasd classify --model FILE.onnx`. The model declares in its metadata which
 * languages it is for and which features it reads (`kernels/stance/onnx.ts`); texts detected in one
 * of its languages go through it, texts in the other trained languages through the shipped model,
 * and every other language is `unknown`, as with the shipped model.
 *
 * onnxruntime-node is loaded when an ONNX model is asked for, never before: it is a large native
 * package (the CPU binary is 45 MB) and rasd works without it.
 */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { RasdError } from "../../core/errors.js";
import {
  behaviourOf,
  detectLanguage,
  extractFeatures,
  isTrainedLanguage,
  maxFeatures,
  readOnnxStanceMetadata,
  STANCE_LABELS,
  writeOnnxStanceModel,
  type OnnxStanceMetadata,
  type StanceResult,
} from "../../kernels/stance/index.js";
import type { StanceModel } from "./model.js";

/** The part of onnxruntime-node's API used here. */
interface OrtTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}
interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
}
interface Ort {
  InferenceSession: { create(bytes: Uint8Array): Promise<OrtSession> };
  Tensor: new (type: string, data: BigInt64Array | Float32Array, dims: readonly number[]) => unknown;
}

const require = createRequire(import.meta.url);

function loadOrt(): Ort {
  try {
    return require("onnxruntime-node") as Ort;
  } catch (error) {
    throw new RasdError(
      "usage",
      "an ONNX model needs the onnxruntime-node package, which is not installed (npm install; see docs/dependencies.md)",
      { cause: error },
    );
  }
}

/** Whether onnxruntime-node can be loaded here (tests skip visibly when not). */
export function hasOnnxRuntime(): boolean {
  try {
    require.resolve("onnxruntime-node");
    return true;
  } catch {
    return false;
  }
}

/** Texts per ONNX run. */
const BATCH = 256;

/** A stance classifier of which one or more languages are served by ONNX models. */
export interface OnnxStanceModel {
  /**
   * `onnx@<12 hex of the file's SHA-256>(<languages>)+<the base model's version>`; with several
   * files, one `onnx@…(…)` part per file, in the order of their first language.
   */
  readonly version: string;
  /** The metadata of the model serving the first language (all of them for one file). */
  readonly metadata: OnnxStanceMetadata;
  /** Per language served by ONNX: the file serving it. */
  readonly files: Readonly<Record<string, string>>;
  readonly base: StanceModel;
  classifyAll(texts: readonly string[]): Promise<StanceResult[]>;
}

/** One ONNX model file, opened. */
interface OpenedOnnx {
  readonly path: string;
  readonly hash: string;
  readonly metadata: OnnxStanceMetadata;
  /** The probabilities [N, 3] of `texts`, row by row. */
  run(texts: readonly string[]): Promise<Float32Array>;
}

async function openOnnx(path: string): Promise<OpenedOnnx> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RasdError(code === "ENOENT" ? "file.not_found" : "file.unreadable", `${path}: cannot read the model`, {
      cause: error,
    });
  }
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let metadata: OnnxStanceMetadata;
  try {
    metadata = readOnnxStanceMetadata(view);
  } catch (error) {
    throw new RasdError("invalid", `${path}: ${(error as Error).message}`, { cause: error });
  }
  const unknownLanguage = metadata.languages.find((l) => !isTrainedLanguage(l));
  if (unknownLanguage !== undefined) {
    throw new RasdError(
      "invalid",
      `${path}: rasd.languages names "${unknownLanguage}"; an ONNX model may serve only ar or en`,
    );
  }
  const ort = loadOrt();
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(view);
  } catch (error) {
    throw new RasdError("invalid", `${path}: onnxruntime cannot load it: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const hash = createHash("sha256").update(view).digest("hex").slice(0, 12);

  async function run(texts: readonly string[]): Promise<Float32Array> {
    const perText: { buckets: Int32Array; values: Float32Array }[] = texts.map((t) => {
      const out = new Int32Array(maxFeatures(t.length));
      const n = extractFeatures(t, metadata.dims, out);
      const counts = new Map<number, number>();
      for (let k = 0; k < n; k++) counts.set(out[k]!, (counts.get(out[k]!) ?? 0) + 1);
      const scale = n > 0 ? 1 / Math.sqrt(n) : 0;
      const keys = [...counts.keys()];
      return { buckets: Int32Array.from(keys), values: Float32Array.from(keys, (b) => counts.get(b)! * scale) };
    });
    const width = Math.max(1, ...perText.map((x) => x.buckets.length));
    const buckets = new BigInt64Array(texts.length * width);
    const values = new Float32Array(texts.length * width);
    perText.forEach((x, i) => {
      x.buckets.forEach((b, k) => (buckets[i * width + k] = BigInt(b)));
      values.set(x.values, i * width);
    });
    const result = await session.run({
      buckets: new ort.Tensor("int64", buckets, [texts.length, width]),
      values: new ort.Tensor("float32", values, [texts.length, width]),
    });
    const probabilities = result.probabilities;
    if (probabilities === undefined || probabilities.data.length !== texts.length * 3) {
      throw new RasdError("invalid", `${path}: the model gave no probabilities [N, 3] output`);
    }
    return probabilities.data;
  }
  return { path, hash, metadata, run };
}

/**
 * Loads an ONNX stance model from `path` beside the `base` model (for the other trained languages):
 * it serves every language its metadata declares.
 * @example
 * const m = await loadOnnxStanceModel("en.onnx", loadStanceModel());
 * (await m.classifyAll(["ISIS thugs destroyed ancient Palmyra"]))[0].label
 */
export async function loadOnnxStanceModel(path: string, base: StanceModel): Promise<OnnxStanceModel> {
  const opened = await openOnnx(path);
  return routed(new Map(opened.metadata.languages.map((l) => [l, opened])), base);
}

/**
 * ONNX models named per language (the service's `RASD_STANCE_ONNX`, e.g. `{ en: "en.onnx" }`)
 * beside the `base` model: a text detected in a named language goes to that language's file,
 * which must declare the language in its `rasd.languages`; the other trained language goes to
 * `base`; every other language is `unknown`. A file named for two languages is opened once.
 * @example
 * const m = await loadOnnxStanceModels({ en: "en.onnx" }, loadStanceModel());
 */
export async function loadOnnxStanceModels(
  files: Readonly<Record<string, string>>,
  base: StanceModel,
): Promise<OnnxStanceModel> {
  const entries = Object.entries(files).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) throw new RasdError("usage", "no ONNX model named for any language");
  const byPath = new Map<string, OpenedOnnx>();
  const served = new Map<string, OpenedOnnx>();
  for (const [lang, path] of entries) {
    if (!isTrainedLanguage(lang)) {
      throw new RasdError("usage", `ONNX model for "${lang}": only ar and en can be served (the trained languages)`);
    }
    let opened = byPath.get(path);
    if (opened === undefined) {
      opened = await openOnnx(path);
      byPath.set(path, opened);
    }
    if (!opened.metadata.languages.includes(lang)) {
      throw new RasdError(
        "invalid",
        `${path}: named for "${lang}", but its rasd.languages are ${opened.metadata.languages.join(",")}`,
      );
    }
    served.set(lang, opened);
  }
  return routed(served, base);
}

/** Texts per language to the ONNX model serving it, the rest to `base`. */
function routed(served: ReadonlyMap<string, OpenedOnnx>, base: StanceModel): OnnxStanceModel {
  const parts = new Map<OpenedOnnx, string[]>();
  for (const [lang, opened] of served) parts.set(opened, [...(parts.get(opened) ?? []), lang]);
  const version = [...parts].map(([o, langs]) => `onnx@${o.hash}(${langs.join(",")})`).join("+");
  const first = [...served.values()][0]!;
  return {
    version: `${version}+${base.version}`,
    metadata: first.metadata,
    files: Object.fromEntries([...served].map(([lang, o]) => [lang, o.path])),
    base,
    async classifyAll(texts) {
      const results: StanceResult[] = new Array<StanceResult>(texts.length);
      const queues = new Map<OpenedOnnx, number[]>();
      const langs = texts.map((t) => detectLanguage(t));
      texts.forEach((t, i) => {
        const opened = served.get(langs[i]!);
        if (opened === undefined) results[i] = base.classify(t);
        else {
          const queue = queues.get(opened);
          if (queue === undefined) queues.set(opened, [i]);
          else queue.push(i);
        }
      });
      for (const [opened, mine] of queues) {
        for (let from = 0; from < mine.length; from += BATCH) {
          const idx = mine.slice(from, from + BATCH);
          const p = await opened.run(idx.map((i) => texts[i]!));
          idx.forEach((i, j) => {
            const scores = { pro: p[j * 3]!, anti: p[j * 3 + 1]!, neutral: p[j * 3 + 2]! };
            let best = 0;
            for (let c = 1; c < 3; c++) if (p[j * 3 + c]! > p[j * 3 + best]!) best = c;
            const label = STANCE_LABELS[best]!;
            const behaviour = label === "pro" ? behaviourOf(texts[i]!) : undefined;
            results[i] = {
              label,
              score: p[j * 3 + best]!,
              scores,
              lang: langs[i]!,
              ...(behaviour !== undefined ? { behaviour } : {}),
            };
          });
        }
      }
      return results;
    },
  };
}

/** A classifier for many texts at once: the shipped model, another model file, or an ONNX model with it. */
export interface StanceClassifier {
  readonly version: string;
  /** The rasd model file in use (for an ONNX model: the one serving the other trained language). */
  readonly base: StanceModel;
  /** The ONNX model's languages, when one is in use. */
  readonly onnxLanguages?: readonly string[];
  classifyAll(texts: readonly string[]): Promise<StanceResult[]>;
}

/**
 * What `--model` names: a rasd model file (default the shipped one), or `FILE.onnx` served beside
 * the shipped model (`loadBase` gives it).
 */
export async function stanceClassifierFor(
  model: string | undefined,
  loadBase: (path?: string) => StanceModel,
): Promise<StanceClassifier> {
  if (model !== undefined && model.toLowerCase().endsWith(".onnx")) {
    const onnx = await loadOnnxStanceModel(model, loadBase());
    return {
      version: onnx.version,
      base: onnx.base,
      onnxLanguages: Object.keys(onnx.files),
      classifyAll: (texts) => onnx.classifyAll(texts),
    };
  }
  const base = loadBase(model);
  return { version: base.version, base, classifyAll: async (texts) => texts.map((t) => base.classify(t)) };
}

/**
 * The general model of a rasd model file as an ONNX model for `languages` (weights and bias
 * divided by the temperature, so its probabilities are the rasd model's before the isotonic maps;
 * the Arabic specialist is not carried, so use it for English). The project's own small ONNX
 * text classifier: `rasd eval --model` on it gives the rasd model's English labels.
 * @example writeFileSync("en.onnx", onnxFromStanceModel(loadStanceModel(), ["en"]))
 */
export function onnxFromStanceModel(model: StanceModel, languages: readonly string[]): Uint8Array {
  const t = model.weights.temperature;
  const weights = Float32Array.from(model.weights.weights, (w) => w / t);
  const bias = Array.from(model.weights.bias, (b) => b / t);
  return writeOnnxStanceModel(weights, bias, {
    dims: model.weights.dims,
    languages,
    producer: `rasd from ${model.version}`,
  });
}
