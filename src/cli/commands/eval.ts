/** `rasd eval FILE.csv`: the stance classifier's figures on labelled texts. */

import { Command } from "commander";
import { RasdError } from "../../core/errors.js";
import {
  brierScore,
  confusionOf,
  expectedCalibrationError,
  isStanceLabel,
  labelIndex,
  metricsFromConfusion,
  STANCE_LABELS,
  STANCE_LANGUAGES,
} from "../../kernels/stance/index.js";
import { loadStanceModel } from "../../signals/stance/model.js";
import { readCsvInput } from "../csv-input.js";
import { formatFigures } from "./train.js";

export function evalCommand(): Command {
  return new Command("eval")
    .description(
      "evaluate the stance classifier on labelled texts: CSV with columns id,label,text where\n" +
        "label is pro, anti or neutral. Prints accuracy, macro-F1, per-class precision and\n" +
        "recall, calibration (expected calibration error, Brier score) and the confusion matrix,\n" +
        "overall and per language; with --json, one JSON object instead",
    )
    .argument("<file>", 'a CSV file, or "-" for standard input')
    .option("--model <file>", "a model file (default: the shipped models/stance-v1.bin)")
    .option("--json", "print the figures as JSON")
    .addHelpText(
      "after",
      "\nExample:\n  rasd eval labelled.csv\n\nExit status: 0 on success, 2 on a missing column, a bad label or a file that is not UTF-8 CSV.",
    )
    .action((file: string, options: { model?: string; json?: boolean }) => {
      const records = readCsvInput(file, ["id", "label", "text"]);
      records.forEach((r, i) => {
        const label = (r.label ?? "").trim();
        if (!isStanceLabel(label)) {
          throw new RasdError(
            "invalid",
            `${file}: row ${i + 1} (id ${r.id}): bad label "${r.label}" (expected one of ${STANCE_LABELS.join(", ")})`,
          );
        }
      });
      if (records.length === 0) throw new RasdError("invalid", `${file}: no rows to evaluate`);
      const model = loadStanceModel(options.model);
      const results = records.map((r) => model.classify(r.text ?? ""));
      const truth = records.map((r) => labelIndex((r.label ?? "").trim() as (typeof STANCE_LABELS)[number]));
      const figuresOf = (idx: number[]) => {
        const t = idx.map((i) => truth[i]!);
        const predicted = idx.map((i) => labelIndex(results[i]!.label));
        const probs = idx.map((i) => {
          const s = results[i]!.scores;
          return [s.pro, s.anti, s.neutral];
        });
        const m = metricsFromConfusion(confusionOf(t, predicted));
        return {
          ...m,
          ece: expectedCalibrationError(
            idx.map((i) => results[i]!.score),
            predicted.map((p, j) => p === t[j]),
          ),
          brier: brierScore(probs, t),
        };
      };
      const all = figuresOf(records.map((_, i) => i));
      const perLanguage = Object.fromEntries(
        STANCE_LANGUAGES.flatMap((lang) => {
          const idx = results.flatMap((r, i) => (r.lang === lang ? [i] : []));
          return idx.length > 0 ? [[lang, figuresOf(idx)]] : [];
        }),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ model: model.version, ...all, perLanguage }, null, 2)}\n`);
        return;
      }
      const lines = [`model ${model.version}, ${file}`, formatFigures("all", all)];
      for (const [lang, f] of Object.entries(perLanguage)) lines.push(formatFigures(lang, f));
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
