/**
 * npm run bench -- url
 *
 * Throughput of the URL kernel on one core, on the 4,781 real links of
 * ../shared/testdata/urls/abused-hosts/isisfanboy_expanded_urls.csv:
 *   case "url-canonicalize"  canonicalizeUrl on each link            urls_per_s_per_core
 *   case "url-extract"       extractUrls on an Arabic sentence
 *                            wrapping each link (one link per text)  texts_per_s_per_core
 * The kernel is synchronous and pure, so one thread measures one core; a worker pool
 * scales it by the number of cores. Each figure is the median of RUNS (default 5) runs.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { canonicalizeUrl, extractUrls } from "../src/kernels/url/index.js";
import { TESTDATA, readAbusedHostUrls } from "../test/support/shared.js";
import { emit, medianSeconds, note } from "./_util.js";

const CSV = join(TESTDATA, "urls", "abused-hosts", "isisfanboy_expanded_urls.csv");

const readUrls = readAbusedHostUrls;

/** Runs the URL benchmarks and prints one JSON line per figure. */
export async function runUrlBench(): Promise<void> {
  if (!existsSync(CSV)) {
    note(`SKIPPED: ${CSV} is absent (the shared test data)`);
    return;
  }
  const runs = Number(process.env.RUNS ?? 5);
  const urls = readUrls();
  const texts = urls.map((u) => `انشروا الرابط:${u}، بارك الله فيكم`);
  const repeat = 10;
  note(`${urls.length} URLs x ${repeat} per run, one thread, median of ${runs} runs`);

  let sink = 0;
  for (const u of urls) sink += canonicalizeUrl(u).canonical.length; // warm-up
  const canonSeconds = await medianSeconds(runs, () => {
    for (let r = 0; r < repeat; r++) for (const u of urls) sink += canonicalizeUrl(u).canonical.length;
  });
  emit({
    bench: "index",
    case: "url-canonicalize",
    impl: "rasd",
    metric: "urls_per_s_per_core",
    value: (urls.length * repeat) / canonSeconds,
  });

  for (const t of texts) sink += extractUrls(t).length; // warm-up
  const extractSeconds = await medianSeconds(runs, () => {
    for (let r = 0; r < repeat; r++) for (const t of texts) sink += extractUrls(t).length;
  });
  emit({
    bench: "index",
    case: "url-extract",
    impl: "rasd",
    metric: "texts_per_s_per_core",
    value: (texts.length * repeat) / extractSeconds,
  });
  if (sink === 0) note("nothing was canonicalised");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runUrlBench();
}
