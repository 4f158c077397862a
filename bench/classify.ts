/**
 * npm run bench -- classify      (or: node --import tsx bench/classify.ts)
 *
 * Throughput of the stance classifier (models/stance-v2.bin) on one core, on real tweets of
 * ../shared/testdata/text (the held-out and train items of the stance corpus):
 *   case "arabic-tweets"   label only (language, features + dot product), Arabic texts  texts_per_s
 *   case "english-tweets"  label only, English texts                             texts_per_s
 *   case "classify-full"   classify(): label, calibrated scores, language and
 *                          behaviour, all texts                                  texts_per_s
 *   case "calibration"     the shipped model on the held-out split (never trained on), per
 *                          language (all, ar, en) and class: metric "ece" and "max_gap" (the
 *                          largest |observed − predicted| of a 0.1 bin holding ≥ 30 items;
 *                          decision 0019's "within 5 points")
 * The kernel is synchronous and pure, so one thread measures one core. Each figure is the
 * median of RUNS (default 3) runs; every line carries the load average, and the speed lines the
 * CPU time per text (process CPU over all runs, so it holds on a loaded machine).
 */

import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { hasStanceCorpora, loadStanceCorpus } from "../src/signals/stance/corpus.js";
import { loadStanceModel } from "../src/signals/stance/model.js";
import { calibrationReport } from "../src/signals/stance/training.js";
import { labelIndex, type StanceLabel } from "../src/kernels/stance/index.js";
import { SHARED } from "../test/support/shared.js";
import { emit, medianSeconds, note } from "./_util.js";

export async function runClassifyBench(): Promise<void> {
  if (!hasStanceCorpora(SHARED)) {
    note(`SKIPPED: ${SHARED}/testdata/text lacks the stance corpora (the shared test data)`);
    return;
  }
  const runs = Number(process.env.RUNS ?? 3);
  const model = loadStanceModel();
  const items = loadStanceCorpus(SHARED, { split: "all" });
  const arabic = items.filter((x) => x.lang === "ar").map((x) => x.text);
  const english = items.filter((x) => x.lang === "en").map((x) => x.text);
  const all = items.map((x) => x.text);
  note(
    `${arabic.length} Arabic, ${english.length} English, ${all.length} texts in all; one thread, median of ${runs} runs; ` +
      `load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")}`,
  );
  const load = (): string =>
    loadavg()
      .map((x) => x.toFixed(1))
      .join(" ");
  let sink = 0;
  const cpuSeconds = (from: NodeJS.CpuUsage): number => {
    const d = process.cpuUsage(from);
    return (d.user + d.system) / 1e6;
  };
  for (const [name, texts] of [
    ["arabic-tweets", arabic],
    ["english-tweets", english],
  ] as const) {
    for (const t of texts) sink += model.label(t).length; // warm-up
    const cpu0 = process.cpuUsage();
    const seconds = await medianSeconds(runs, () => {
      for (const t of texts) sink += model.label(t).length;
    });
    const cpuUs = (1e6 * cpuSeconds(cpu0)) / (runs * texts.length);
    emit({
      bench: "classify",
      case: name,
      impl: "rasd",
      metric: "texts_per_s",
      value: texts.length / seconds,
      load: load(),
    });
    emit({ bench: "classify", case: name, impl: "rasd", metric: "cpu_us_per_text", value: cpuUs, load: load() });
  }
  for (const t of all) sink += model.classify(t).score; // warm-up
  const cpu0 = process.cpuUsage();
  const fullSeconds = await medianSeconds(runs, () => {
    for (const t of all) sink += model.classify(t).score;
  });
  const fullCpuUs = (1e6 * cpuSeconds(cpu0)) / (runs * all.length);
  emit({
    bench: "classify",
    case: "classify-full",
    impl: "rasd",
    metric: "texts_per_s",
    value: all.length / fullSeconds,
    load: load(),
  });
  emit({
    bench: "classify",
    case: "classify-full",
    impl: "rasd",
    metric: "cpu_us_per_text",
    value: fullCpuUs,
    load: load(),
  });

  // Calibration per language and class on the held-out split.
  const test = loadStanceCorpus(SHARED, { split: "test" });
  const results = test.map((x) => model.classify(x.text));
  const known = test.flatMap((_, i) => (results[i]!.label !== "unknown" ? [i] : []));
  const report = calibrationReport(
    known.map((i) => results[i]!.lang),
    known.map((i) => labelIndex(test[i]!.label as StanceLabel)),
    known.map((i) => {
      const s = results[i]!.scores;
      return [s.pro, s.anti, s.neutral];
    }),
  );
  for (const [scope, classes] of Object.entries(report)) {
    for (const [label, c] of Object.entries(classes)) {
      const n = known.filter((i) => scope === "all" || results[i]!.lang === scope).length;
      emit({
        bench: "classify",
        case: "calibration",
        impl: model.version,
        lang: scope,
        label,
        metric: "ece",
        value: c.ece,
        n,
      });
      emit({
        bench: "classify",
        case: "calibration",
        impl: model.version,
        lang: scope,
        label,
        metric: "max_gap",
        value: c.maxGap,
        n,
      });
    }
  }
  if (sink === 0) note("nothing was classified");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runClassifyBench();
}
