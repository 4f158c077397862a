/** `rasd eval FILE.csv`: the stance classifier's figures on labelled texts, with its calibration. */

import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import {
  brierScore,
  confusionOf,
  expectedCalibrationError,
  isStanceLabel,
  isTrainedLanguage,
  labelIndex,
  metricsFromConfusion,
  reliability,
  STANCE_LABELS,
  type ReliabilityBin,
  type StanceLabel,
} from "../../kernels/stance/index.js";
import type { StanceResult } from "../../kernels/stance/index.js";
import { loadStanceModel } from "../../signals/stance/model.js";
import { stanceClassifierFor } from "../../signals/stance/onnx.js";
import { readCsvInput } from "../csv-input.js";
import { formatFigures } from "./train.js";
import { binBeyond5 } from "../../signals/stance/training.js";

/** Reliability of each class's probability: mean predicted vs observed per bin, and ECE. */
export interface ClassCalibration {
  readonly ece: number;
  readonly bins: readonly ReliabilityBin[];
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** The figures of `rasd eval` for the rows `idx` (texts the model gave a stance). */
function figuresOf(results: readonly StanceResult[], truth: readonly number[], idx: readonly number[]) {
  const t = idx.map((i) => truth[i]!);
  const predicted = idx.map((i) => labelIndex(results[i]!.label as StanceLabel));
  const probs = idx.map((i) => {
    const s = results[i]!.scores;
    return [s.pro, s.anti, s.neutral];
  });
  const m = metricsFromConfusion(confusionOf(t, predicted));
  const calibration = Object.fromEntries(
    STANCE_LABELS.map((label, c) => [
      label,
      reliability(
        probs.map((p) => p[c]!),
        t.map((x) => x === c),
      ) as ClassCalibration,
    ]),
  ) as Record<StanceLabel, ClassCalibration>;
  return {
    ...m,
    ece: expectedCalibrationError(
      idx.map((i) => results[i]!.score),
      predicted.map((p, j) => p === t[j]),
    ),
    brier: brierScore(probs, t),
    calibration,
  };
}

function formatCalibration(title: string, calibration: Record<StanceLabel, ClassCalibration>): string {
  const lines = [
    `  calibration (${title}; per class: bin, items, mean predicted → observed; "off > 5 pts": the observed share's 95% interval lies wholly more than 5 points away):`,
  ];
  for (const label of STANCE_LABELS) {
    const c = calibration[label];
    const bins = c.bins
      .map(
        (b) =>
          `[${b.lo.toFixed(1)},${b.hi.toFixed(1)}) n=${b.n} ${pct(b.predicted)}→${pct(b.observed)}${binBeyond5(b) ? " (off > 5 pts)" : ""}`,
      )
      .join("; ");
    lines.push(`    ${label.padEnd(8)} ECE ${c.ece.toFixed(4)}  ${bins}`);
  }
  return lines.join("\n");
}

export function evalCommand(): Command {
  return new Command("eval")
    .description(
      "evaluate the stance classifier on labelled texts: CSV with columns id,label,text where\n" +
        "label is pro, anti or neutral. Prints the model's cross-validated figures (from its\n" +
        "header), then on the file: accuracy, macro-F1, per-class precision and recall,\n" +
        "calibration (per class: reliability bins, mean predicted vs observed, and ECE; the\n" +
        "top label's ECE, Brier score) and the confusion matrix, overall and per language.\n" +
        "Texts in a language the model was not trained for get `unknown` and are counted apart.\n" +
        "With --json, one JSON object instead",
    )
    .argument("<file>", 'a CSV file, or "-" for standard input')
    .option(
      "--model <file>",
      "a model file (default: the shipped models/stance-v2.bin), or an ONNX text classifier\n" +
        "FILE.onnx for the languages its metadata names (the shipped model serves the others)",
    )
    .option("--json", "print the figures as JSON")
    .addHelpText(
      "after",
      "\nExample:\n  rasd eval training/stance/english-check.csv\n\n" +
        "Exit status: 0 on success, 2 on a missing column, a bad label or a file that is not UTF-8 CSV.",
    )
    .action(async (file: string, options: { model?: string; json?: boolean }) => {
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
      const classifier = await stanceClassifierFor(options.model, loadStanceModel);
      const model = classifier.base;
      const results = await classifier.classifyAll(records.map((r) => r.text ?? ""));
      const truth = records.map((r) => labelIndex((r.label ?? "").trim() as StanceLabel));
      const known = results.flatMap((r, i) => (r.label !== "unknown" ? [i] : []));
      const unknownByTruth = Object.fromEntries(STANCE_LABELS.map((l) => [l, 0])) as Record<StanceLabel, number>;
      const unknownByLang: Record<string, number> = {};
      results.forEach((r, i) => {
        if (r.label !== "unknown") return;
        unknownByTruth[STANCE_LABELS[truth[i]!]!]++;
        unknownByLang[r.lang] = (unknownByLang[r.lang] ?? 0) + 1;
      });
      const all = figuresOf(results, truth, known);
      const perLanguage = Object.fromEntries(
        [...new Set(known.map((i) => results[i]!.lang))].sort().map((lang) => {
          const idx = known.filter((i) => results[i]!.lang === lang);
          return [lang, figuresOf(results, truth, idx)];
        }),
      );
      const v = model.validation;
      const crossValidated = {
        method: v.method,
        accuracy: v.accuracy,
        alfifiBinaryAccuracy: v.alfifiBinaryAccuracy,
        perLanguage: Object.fromEntries(
          Object.entries(v.perLanguage).flatMap(([l, f]) => (isTrainedLanguage(l) ? [[l, f!.accuracy]] : [])),
        ),
      };
      const unknown = { n: results.length - known.length, byTruth: unknownByTruth, byLanguage: unknownByLang };
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ model: classifier.version, crossValidated, ...all, unknown, perLanguage }, null, 2)}\n`,
        );
        return;
      }
      const lines = [
        `model ${classifier.version}`,
        `cross-validated${classifier.onnxLanguages !== undefined ? ` (the rasd model ${model.version} only)` : ""} (${v.method}): accuracy ${pct(v.accuracy)}; alfifi pro vs not ${pct(v.alfifiBinaryAccuracy)}; ` +
          Object.entries(crossValidated.perLanguage)
            .map(([l, a]) => `${l} ${pct(a)}`)
            .join(", "),
        `${file}: ${results.length} texts, ${unknown.n} unknown (a language the model was not trained for: ` +
          `${JSON.stringify(unknownByLang)}; true labels ${JSON.stringify(unknownByTruth)})`,
        formatFigures("all", all),
        formatCalibration("all", all.calibration),
      ];
      for (const [lang, f] of Object.entries(perLanguage)) {
        lines.push(formatFigures(lang, f));
        lines.push(formatCalibration(lang, f.calibration));
      }
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
