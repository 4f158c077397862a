/** `rasd classify FILE.csv`: stance of each text (pro / anti / neutral toward ISIS) as CSV. */

import { Command } from "../commander.js";
import { loadStanceModel } from "../../signals/stance/model.js";
import { stanceClassifierFor } from "../../signals/stance/onnx.js";
import { csvText } from "../../kernels/csv.js";
import { readCsvInput } from "../csv-input.js";

export function classifyCommand(): Command {
  return new Command("classify")
    .description(
      "classify the stance of texts toward ISIS / violent jihadism (Arabic and English).\n" +
        "Reads CSV with columns id,text (UTF-8, header row, quoted fields); prints CSV\n" +
        "id,label,score,lang: label pro, anti or neutral, or unknown for a language the model was\n" +
        "not trained for (score 0); score the calibrated probability of that label; lang ar, en,\n" +
        "another ISO 639-1 code, ar-Latn (Arabizi) or und. With --behaviour, a fifth column: the behaviour\n" +
        "category of pro texts (recruitment, glorification, incitement, instruction,\n" +
        "sectarian_hate) when a lexicon rule finds one.",
    )
    .argument("<file>", 'a CSV file, or "-" for standard input')
    .option(
      "--model <file>",
      "a model file (default: the shipped models/stance-v2.bin), or an ONNX text classifier\n" +
        "FILE.onnx for the languages its metadata names (the shipped model serves the others)",
    )
    .option("--behaviour", "add a behaviour column")
    .addHelpText(
      "after",
      "\nExamples:\n  rasd classify tweets.csv > stance.csv\n  printf 'id,text\\n1,داعش عصابة\\n' | rasd classify -\n\n" +
        "Exit status: 0 on success, 2 on a missing column or a file that is not UTF-8 CSV.",
    )
    .action(async (file: string, options: { model?: string; behaviour?: boolean }) => {
      const records = readCsvInput(file, ["id", "text"]);
      const model = await stanceClassifierFor(options.model, loadStanceModel);
      const results = await model.classifyAll(records.map((r) => r.text ?? ""));
      const out: string[] = [options.behaviour ? "id,label,score,lang,behaviour" : "id,label,score,lang"];
      for (const [i, r] of records.entries()) {
        const result = results[i]!;
        const line = `${csvText(r.id ?? "")},${result.label},${result.score.toFixed(4)},${result.lang}`;
        out.push(options.behaviour ? `${line},${result.behaviour ?? ""}` : line);
        if (out.length >= 4096) {
          process.stdout.write(`${out.join("\n")}\n`);
          out.length = 0;
        }
      }
      if (out.length > 0) process.stdout.write(`${out.join("\n")}\n`);
      if (records.length === 0) process.stderr.write(`rasd: ${file}: no rows\n`);
    });
}
