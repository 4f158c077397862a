/**
 * npm run bench -- text      (or: node --import tsx bench/text.ts)
 *
 * Throughput of near-duplicate text matching on one core, on the real tweets of the six
 * corpora in ../shared/testdata/text (about 62,000 texts, Arabic and English):
 *   case "text-signature"  normalise + shingle + MinHash + band keys of each tweet   texts_per_s_per_core
 *   case "text-query"      TextIndex.query of each tweet against an index of all
 *                          of them (threshold 0.5, exact verification)               queries_per_s_per_core
 * Also reported on stderr: the build time of the index and the process's resident memory. The kernel is
 * synchronous and pure, so one thread measures one core. Each figure is the median of RUNS
 * (default 3) runs.
 */

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TextIndex, textFingerprint } from "../src/kernels/text/index.js";
import { TEXT_CORPORA, readTextCorpus, textCorpusFiles } from "../test/support/csv.js";
import { TESTDATA } from "../test/support/shared.js";
import { emit, medianSeconds, note } from "./_util.js";

const TEXT_DIR = join(TESTDATA, "text");

/** Runs the text benchmarks and prints one JSON line per figure. */
export async function runTextBench(): Promise<void> {
  const missing = TEXT_CORPORA.flatMap(textCorpusFiles).filter((f) => !existsSync(join(TEXT_DIR, f)));
  if (missing.length > 0) {
    note(`SKIPPED: ${TEXT_DIR} lacks ${missing.join(", ")} (the shared test data)`);
    return;
  }
  const runs = Number(process.env.RUNS ?? 3);
  const texts = TEXT_CORPORA.flatMap((c) => readTextCorpus(c, (f) => readFileSync(join(TEXT_DIR, f), "utf8")));
  note(`${texts.length} tweets from ${TEXT_CORPORA.length} corpora, one thread, median of ${runs} runs`);

  let sink = 0;
  for (const t of texts) sink += textFingerprint(t).shingles.length; // warm-up
  const signatureSeconds = await medianSeconds(runs, () => {
    for (const t of texts) sink += textFingerprint(t).shingles.length;
  });
  emit({
    bench: "index",
    case: "text-signature",
    impl: "rasd",
    metric: "texts_per_s_per_core",
    value: texts.length / signatureSeconds,
  });

  const t0 = process.hrtime.bigint();
  const index = new TextIndex();
  texts.forEach((t, i) => index.add(i, t));
  const buildSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  note(`index of ${index.size} texts built in ${buildSeconds.toFixed(2)} s; process RSS ${rssMb.toFixed(0)} MiB`);

  let answers = 0;
  for (let i = 0; i < texts.length; i += 10) answers += index.query(texts[i]!).length; // warm-up
  const querySeconds = await medianSeconds(runs, () => {
    answers = 0;
    for (const t of texts) answers += index.query(t).length;
  });
  note(`${answers} answers to ${texts.length} queries (each text finds itself when it normalises to something)`);
  emit({
    bench: "index",
    case: "text-query",
    impl: "rasd",
    metric: "queries_per_s_per_core",
    value: texts.length / querySeconds,
  });
  if (sink === 0) note("nothing was shingled");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runTextBench();
}
