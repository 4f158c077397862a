/**
 * `rasd train`: trains the stance classifier from the shared corpora, prints the
 * cross-validated and held-out figures, and writes the model file (plus its header as JSON).
 */

import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "../commander.js";
import { positiveInt } from "../arguments.js";
import { RasdError } from "../../core/errors.js";
import { DEFAULT_STANCE_MODEL_PATH } from "../../signals/stance/model.js";
import { hasStanceCorpora, readLabelsCsv, type ExtraLabel } from "../../signals/stance/corpus.js";
import {
  trainStancePipeline,
  type CalibrationReport,
  type StanceFigures,
  type StanceModelHeader,
} from "../../signals/stance/training.js";
import { ProgressBar } from "../progress.js";
import { STANCE_LABELS } from "../../kernels/stance/index.js";

const DEFAULT_SHARED = fileURLToPath(new URL("../../../../shared", import.meta.url));

function pct(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

/** A few lines of figures: accuracy, macro-F1, per-class precision/recall, calibration, confusion. */
export function formatFigures(title: string, f: StanceFigures): string {
  const lines = [
    `${title}: n=${f.n} accuracy ${pct(f.accuracy)} macro-F1 ${f.macroF1.toFixed(4)} ECE ${f.ece.toFixed(4)} Brier ${f.brier.toFixed(4)}`,
  ];
  for (const label of STANCE_LABELS) {
    const c = f.perClass[label]!;
    lines.push(
      `  ${label.padEnd(8)} precision ${pct(c.precision).padStart(7)} recall ${pct(c.recall).padStart(7)} support ${c.support}`,
    );
  }
  lines.push(`  confusion (rows true, columns predicted: ${STANCE_LABELS.join(", ")}): ${JSON.stringify(f.confusion)}`);
  return lines.join("\n");
}

/** Per scope and class: ECE and the largest gap of a well-filled bin, temperature only → with the isotonic maps. */
export function formatCalibrationReport(title: string, before: CalibrationReport, after: CalibrationReport): string {
  const lines = [
    `calibration, ${title} (per class: ECE / largest gap of a bin of 30+ items / bins shown off by > 5 points, temperature only → isotonic):`,
  ];
  for (const [scope, classes] of Object.entries(after)) {
    const parts = Object.entries(classes).map(([label, c]) => {
      const b = before[scope]?.[label];
      const was = b !== undefined ? `${b.ece.toFixed(3)}/${pct(b.maxGap)}/${b.beyond5 ?? "?"} → ` : "";
      return `${label} ${was}${c.ece.toFixed(3)}/${pct(c.maxGap)}/${c.beyond5 ?? "?"}`;
    });
    lines.push(`  ${scope.padEnd(4)} ${parts.join("; ")}`);
  }
  return lines.join("\n");
}

/** The report `rasd train` prints. */
function formatTrainingReport(h: StanceModelHeader): string {
  const v = h.validation;
  const out = [
    `model ${h.version}: ${h.dims} buckets, temperature ${h.temperature.toFixed(4)}`,
    `alfifi pro vs not (${v.method}): accuracy ${pct(v.alfifiBinaryAccuracy)}; held out: ${pct(h.heldOut.alfifiBinaryAccuracy)}`,
    formatFigures(`cross-validated, all`, v),
    `  ECE before temperature scaling ${v.eceUncalibrated.toFixed(4)}`,
  ];
  for (const [lang, f] of Object.entries(v.perLanguage)) out.push(formatFigures(`cross-validated, ${lang}`, f!));
  out.push(formatCalibrationReport("cross-validated", h.calibration.cvTemperatureOnly, h.calibration.cv));
  out.push(formatFigures("held-out test split, all", h.heldOut));
  for (const [lang, f] of Object.entries(h.heldOut.perLanguage)) out.push(formatFigures(`held-out, ${lang}`, f!));
  out.push(formatCalibrationReport("held out", h.calibration.heldOutTemperatureOnly, h.calibration.heldOut));
  return `${out.join("\n")}\n`;
}

export function trainCommand(): Command {
  return new Command("train")
    .description(
      "train the stance classifier (pro / anti / neutral toward ISIS) from the shared corpora,\n" +
        "print its cross-validated and held-out figures, and write the model file",
    )
    .option("--shared <dir>", "the shared data folder holding testdata/text", process.env.RASD_SHARED ?? DEFAULT_SHARED)
    .option("--out <file>", "the model file to write (its header also goes to FILE.json)", DEFAULT_STANCE_MODEL_PATH)
    .option("--folds <n>", "cross-validation folds", positiveInt, 10)
    .option("--limit <n>", "use only the first N texts of each corpus (quick runs)", positiveInt)
    .option("--platt", "calibrate the pro score per language (Platt) after the temperature; see decision 0014")
    .option(
      "--with-labels <file>",
      "extra labels for training: CSV text,stance,language (stance pro, anti or neutral;\n" +
        "rows with stance cant_tell or empty are skipped), e.g. the labelling queue's export",
    )
    .option("--no-progress", "never draw a progress bar (drawn on a terminal only)")
    .addHelpText(
      "after",
      "\nThe texts are read from --shared at training time (see training/stance/README.md);\n" +
        "training twice on the same data gives byte-identical files.\n\nExamples:\n" +
        "  rasd train\n  rasd train --shared ../shared --out /tmp/stance.bin --folds 5\n" +
        "  rasd train --with-labels labels.csv --out /tmp/stance.bin\n\n" +
        "The labels file (docs/stance.md): a header row text,stance,language, UTF-8, e.g.\n" +
        '  text,stance,language\n  "ISIS thugs destroyed ancient Palmyra",anti,en',
    )
    .action(
      (options: {
        shared: string;
        out: string;
        folds: number;
        limit?: number;
        progress: boolean;
        withLabels?: string;
        platt?: boolean;
      }) => {
        const shared = resolve(options.shared);
        if (!hasStanceCorpora(shared)) {
          throw new RasdError("usage", `--shared: ${shared} has no testdata/text/alfifi-isis-arabic/train.csv`);
        }
        if (options.folds < 2) throw new RasdError("usage", "--folds: at least 2");
        const extraLabels: ExtraLabel[] | undefined =
          options.withLabels !== undefined ? readLabelsCsv(options.withLabels) : undefined;
        let bar: ProgressBar | undefined;
        const { bytes, header } = trainStancePipeline({
          sharedDir: shared,
          folds: options.folds,
          ...(options.limit !== undefined ? { limitPerSource: options.limit } : {}),
          ...(extraLabels !== undefined ? { extraLabels } : {}),
          ...(options.platt === true ? { platt: true } : {}),
          onProgress: (_step, _done, total) => {
            bar ??= new ProgressBar(total, "training (epochs)", options.progress && process.stderr.isTTY === true);
            bar.tick(true);
          },
        });
        bar?.finish();
        writeFileSync(options.out, bytes);
        writeFileSync(options.out.replace(/\.bin$/, "") + ".json", `${JSON.stringify(header, null, 2)}\n`);
        process.stdout.write(formatTrainingReport(header));
        process.stderr.write(`wrote ${options.out} (${bytes.length} bytes)\n`);
      },
    );
}
