/**
 * The headline measurement, end to end: a synthetic stream with a known true share of pro-
 * and anti-ISIS texts (drawn from the held-out split the shipped model was never trained
 * on) goes through the API and the pipeline's classifier, and the estimated shares and
 * anti:pro ratio must cover the truth with their 95% intervals — where raw classify-and-
 * count need not. Skips visibly without ../shared.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { seededRandom } from "../../src/kernels/quantify/index.js";
import { hasStanceCorpora, loadStanceCorpus, type StanceItem } from "../../src/signals/stance/corpus.js";
import { SHARED } from "../support/shared.js";
import { json, startTestService, type TestService } from "../support/service.js";

const skip = hasStanceCorpora(SHARED) ? false : `SKIPPED: needs the text corpora under ${SHARED}/testdata/text`;

interface Estimate {
  estimate: number;
  low: number;
  high: number;
}

/** `n` texts with exactly the given shares of pro and anti, drawn with replacement. */
function stream(pool: readonly StanceItem[], n: number, pro: number, anti: number, seed: number): StanceItem[] {
  const random = seededRandom(seed);
  const by = (label: string) => pool.filter((x) => x.label === label);
  const draw = (from: StanceItem[], k: number) =>
    Array.from({ length: k }, () => from[Math.floor(random() * from.length)]!);
  const items = [
    ...draw(by("pro"), Math.round(n * pro)),
    ...draw(by("anti"), Math.round(n * anti)),
    ...draw(by("neutral"), n - Math.round(n * pro) - Math.round(n * anti)),
  ];
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

describe("prevalence of a synthetic stream with known truth, through the API", { skip }, () => {
  let t: TestService;
  let pool: StanceItem[];

  before(async () => {
    t = await startTestService();
    pool = loadStanceCorpus(SHARED, { split: "test" }).filter((x) => x.text.trim().length > 0);
  });

  after(async () => {
    await t?.close();
  });

  for (const [name, truePro, trueAnti, seed] of [
    ["a 2016-like space: 6% pro, 36% anti", 0.06, 0.36, 11],
    ["pro content dominant: 20% pro, 5% anti", 0.2, 0.05, 12],
  ] as const) {
    test(name, async () => {
      const items = stream(pool, 2000, truePro, trueAnti, seed);
      const platform = `stream-${seed}`;
      for (let i = 0; i < items.length; i += 500) {
        const r = await t.call(t.keys.a.submitter, {
          method: "POST",
          url: "/v1/content/batch",
          payload: {
            items: items
              .slice(i, i + 500)
              .map((x, k) => ({ idempotency_key: `${platform}-${i + k}`, text: x.text, platform })),
          },
        });
        assert.equal(r.statusCode, 202, r.body.slice(0, 500));
        assert.equal(json<{ accepted: number }>(r).accepted, Math.min(500, items.length - i));
      }
      await t.drain(120_000);
      const r = await t.call(t.keys.a.reader, {
        method: "GET",
        url: `/v1/measure/stance?from=2000-01-01T00:00:00Z&interval=month&platform=${platform}`,
      });
      assert.equal(r.statusCode, 200, r.body.slice(0, 500));
      const m = json<{
        overall: {
          items: number;
          observed: { pro: number; anti: number };
          pro: Estimate;
          anti: Estimate;
          ratio: { estimate: number | null; low: number | null; high: number | null };
        };
      }>(r);
      const o = m.overall;
      const line = (k: string, e: Estimate, truth: number, raw: number) =>
        `${k}: truth ${truth.toFixed(3)}, estimate ${e.estimate.toFixed(3)} [${e.low.toFixed(3)}, ${e.high.toFixed(3)}], raw count ${raw.toFixed(3)}`;
      const report = `${line("pro", o.pro, truePro, o.observed.pro)}; ${line("anti", o.anti, trueAnti, o.observed.anti)}; ratio ${JSON.stringify(o.ratio)} (truth ${(trueAnti / truePro).toFixed(2)})`;
      process.stderr.write(`# ${name}: ${report}\n`);
      assert.equal(o.items, items.length);
      assert.ok(o.pro.low <= truePro && truePro <= o.pro.high, report);
      assert.ok(o.anti.low <= trueAnti && trueAnti <= o.anti.high, report);
      const ratio = trueAnti / truePro;
      assert.ok(
        o.ratio.low !== null && o.ratio.low <= ratio && (o.ratio.high === null || ratio <= o.ratio.high),
        report,
      );
    });
  }
});
