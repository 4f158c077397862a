/**
 * npm run bench -- classify      (or: node --import tsx bench/classify.ts)
 *
 * Throughput of the stance classifier (models/stance-v2.bin) on one core, on real tweets of
 * ../shared/testdata/text (the held-out and train items of the stance corpus):
 *   case "arabic-tweets"   label only (language, features + dot product), Arabic texts  texts_per_s
 *   case "english-tweets"  label only, English texts                             texts_per_s
 *   case "classify-full"   classify(): label, calibrated scores, language and
 *                          behaviour, all texts                                  texts_per_s
 * The kernel is synchronous and pure, so one thread measures one core. Each figure is the
 * median of RUNS (default 3) runs.
 */

import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { hasStanceCorpora, loadStanceCorpus } from "../src/signals/stance/corpus.js";
import { loadStanceModel } from "../src/signals/stance/model.js";
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
  let sink = 0;
  for (const [name, texts] of [
    ["arabic-tweets", arabic],
    ["english-tweets", english],
  ] as const) {
    for (const t of texts) sink += model.label(t).length; // warm-up
    const seconds = await medianSeconds(runs, () => {
      for (const t of texts) sink += model.label(t).length;
    });
    emit({ bench: "classify", case: name, impl: "rasd", metric: "texts_per_s", value: texts.length / seconds });
  }
  for (const t of all) sink += model.classify(t).score; // warm-up
  const fullSeconds = await medianSeconds(runs, () => {
    for (const t of all) sink += model.classify(t).score;
  });
  emit({
    bench: "classify",
    case: "classify-full",
    impl: "rasd",
    metric: "texts_per_s",
    value: all.length / fullSeconds,
  });
  if (sink === 0) note("nothing was classified");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runClassifyBench();
}
