/**
 * npm run bench -- language-id      (or: node --import tsx bench/language-id.ts)
 *
 * Language identification on short texts (training/stance/language-id.csv: 129 hand-written
 * texts of 3–10 words in 13 languages and Arabizi), rasd's own detector against the candidates
 * decision 0014 measured: cld3-asm 4.0.0, franc-min 6.2.0, franc-all 7.2.0. Those packages are
 * not dependencies of rasd: each is loaded only if installed, and skipped with a note otherwise.
 * Per implementation: "exact" (language named right; Arabizi also right as und), "gate" (trained
 * language ar/en vs any other decided right — what `unknown` stance needs), "false_in" (other
 * languages let into the classifier), and "us_per_text" (after a warm-up pass).
 */

import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "csv-parse/sync";
import { detectLanguage, isTrainedLanguage } from "../src/kernels/stance/index.js";
import { REPO_ROOT } from "../test/support/shared.js";
import { emit, note } from "./_util.js";

const ISO3: Record<string, string> = {
  arb: "ar",
  ara: "ar",
  arz: "ar",
  ary: "ar",
  apc: "ar",
  eng: "en",
  fra: "fr",
  tur: "tr",
  ind: "id",
  urd: "ur",
  pes: "fa",
  fas: "fa",
  prs: "fa",
  rus: "ru",
  deu: "de",
  som: "so",
  spa: "es",
  zlm: "ms",
  msa: "ms",
};

type Detector = (text: string) => string;

async function optional(
  name: string,
  make: (module: Record<string, unknown>) => Promise<Detector>,
): Promise<Detector | undefined> {
  try {
    return await make((await import(name)) as Record<string, unknown>);
  } catch (error) {
    note(`${name}: not installed here, skipped (${(error as Error).message.split("\n")[0]})`);
    return undefined;
  }
}

export async function runLanguageIdBench(): Promise<void> {
  const rows = parse(readFileSync(join(REPO_ROOT, "training/stance/language-id.csv")), { columns: true }) as {
    lang: string;
    text: string;
  }[];
  const franc = (m: Record<string, unknown>): Promise<Detector> => {
    const f = m.franc as (t: string, o: { minLength: number }) => string;
    return Promise.resolve((t) => ISO3[f(t, { minLength: 1 })] ?? f(t, { minLength: 1 }));
  };
  const detectors: [string, Detector | undefined][] = [
    ["rasd", (t) => detectLanguage(t)],
    [
      "cld3-asm",
      await optional("cld3-asm", async (m) => {
        const factory = await (m.loadModule as () => Promise<{ create: (a: number, b: number) => unknown }>)();
        const id = factory.create(0, 1000) as { findLanguage: (t: string) => { language: string } };
        return (t) => id.findLanguage(t).language.replace(/-Latn$/, "");
      }),
    ],
    ["franc-min", await optional("franc-min", franc)],
    ["franc-all", await optional("franc-all", franc)],
  ];
  note(
    `${rows.length} short texts; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
  for (const [impl, detect] of detectors) {
    if (!detect) continue;
    for (const r of rows) detect(r.text); // warm-up
    const t0 = process.hrtime.bigint();
    const got = rows.map((r) => detect(r.text));
    const us = Number(process.hrtime.bigint() - t0) / 1e3 / rows.length;
    let exact = 0;
    let gate = 0;
    let falseIn = 0;
    rows.forEach((r, i) => {
      const g = got[i]!;
      const truth = r.lang === "arabizi" ? "ar-Latn" : r.lang;
      if (g === truth || (truth === "ar-Latn" && g === "und")) exact++;
      const gIn = isTrainedLanguage(g);
      const tIn = isTrainedLanguage(truth);
      if (gIn === tIn && (!gIn || g === truth)) gate++;
      else if (gIn) falseIn++;
    });
    for (const [metric, value] of [
      ["exact", exact],
      ["gate", gate],
      ["false_in", falseIn],
      ["us_per_text", us],
    ] as const) {
      emit({ bench: "language-id", case: "short-texts", impl, metric, value, n: rows.length });
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runLanguageIdBench();
}
