/**
 * Writes the project's own small ONNX text classifier: the general model of a rasd stance model
 * file (default the shipped one) as ONNX for the languages given (default en). For `rasd eval
 * --model FILE.onnx` (decision 0019).
 *
 *   node --import tsx scripts/stance-onnx.ts OUT.onnx [LANGUAGES] [MODEL.bin]
 *   node --import tsx scripts/stance-onnx.ts /tmp/en.onnx en
 */

import { writeFileSync } from "node:fs";
import { loadStanceModel } from "../src/signals/stance/model.js";
import { onnxFromStanceModel } from "../src/signals/stance/onnx.js";

const [out, languages = "en", model] = process.argv.slice(2);
if (out === undefined) {
  process.stderr.write("usage: scripts/stance-onnx.ts OUT.onnx [LANGUAGES] [MODEL.bin]\n");
  process.exit(2);
}
const bytes = onnxFromStanceModel(loadStanceModel(model), languages.split(","));
writeFileSync(out, bytes);
process.stderr.write(`wrote ${out} (${bytes.length} bytes)\n`);
