/**
 * The review queue's filters in chromium (issue 18, decision 0039): a reviewer of the demo's
 * platform filters the queue by kind and by bank, in English and Arabic at 1280 and 390 px.
 * The heading counts what the filters keep (the API's total with the same filters), each row
 * says why it is queued, the filters are reached by keyboard and remembered after a reload,
 * and clearing them brings the whole queue back; axe finds no serious or critical violation,
 * nothing scrolls sideways at 390 px, and screenshots are written.
 *
 * Without /usr/bin/chromium the test is skipped, saying so — unless RASD_REQUIRE_BROWSER=1.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { haveAxe, seriousViolations } from "../support/axe.js";
import { screenshot } from "../support/screenshots.js";
import { REPO_ROOT } from "../support/shared.js";
import { CHROMIUM, haveBrowser, startWebApp, type WebApp } from "../support/web-app.js";

declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number; dir: string };
  activeElement: { getAttribute(name: string): string | null } | null;
};

if (!haveBrowser) process.stderr.write(`SKIP test/web/reviewq-e2e.test.ts: ${CHROMIUM} is not installed\n`);

const PLATFORM = "Example Platform";

interface Queue {
  total: number;
  reviews: { id: number; reason: string; bank_ids: number[] }[];
}

const reviewStrings = (lang: "en" | "ar") =>
  JSON.parse(readFileSync(`${REPO_ROOT}/web/src/locales/review.${lang}.json`, "utf8")) as {
    reason: Record<string, string>;
    filters: { clear: string };
  };

/** Polls `f` until it holds (the machine may be busy): fails with `what` after a minute. */
async function until(what: string, f: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe(
  "the review queue's filters in chromium",
  { skip: haveBrowser ? false : `${CHROMIUM} is not installed`, timeout: 1_800_000 },
  () => {
    let w: WebApp;
    let all: Queue;
    let bank = 0;
    const pageErrors: string[] = [];

    const api = async (query: string): Promise<Queue> => {
      const r = await w.api(w.keys[`${PLATFORM} reviewer`]!, "GET", `/v1/reviews?${query}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body as Queue;
    };

    const check = async (page: Page, name: string, lang: string, width: number) => {
      await screenshot(page, name, lang, width);
      const serious = await seriousViolations(page);
      assert.equal(
        serious,
        "",
        `${name} (${lang}, ${width} px): axe finds serious or critical violations:\n${serious}`,
      );
      if (width < 600) {
        const { scroll, client } = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
        }));
        assert.ok(scroll <= client + 1, `${name} (${lang}, ${width} px) scrolls sideways (${scroll} > ${client})`);
      }
    };

    /** The queue shows `expected`: the heading counts its total and there are as many rows (one page). */
    const shows = (page: Page, expected: Queue) =>
      until(`the queue shows ${expected.total} entries`, async () => {
        const heading = await page.locator("[data-testid=queue-count]").innerText();
        const rows = await page.locator(".queue-item").count();
        return heading.includes(`(${expected.total})`) && rows === Math.min(100, expected.total);
      });

    before(async () => {
      w = await startWebApp();
      all = await api("limit=500");
      assert.ok(all.total > 2, "the demo queued items for review");
      // The bank that the most entries matched, and not every entry: the filter must narrow.
      const counts = new Map<number, number>();
      for (const r of all.reviews) for (const b of r.bank_ids) counts.set(b, (counts.get(b) ?? 0) + 1);
      bank = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    });
    after(async () => {
      await w?.close();
      assert.deepEqual(pageErrors, []);
    });

    it("has axe-core installed", () => assert.ok(haveAxe()));

    for (const lang of ["en", "ar"] as const)
      for (const width of [1280, 390])
        it(`filters by kind and by bank in ${lang} at ${width} px: true counts, reasons, remembered, axe`, async () => {
          const strings = reviewStrings(lang);
          const page = await w.sessionPage(PLATFORM, "demo-reviewer", {
            lang,
            width,
            digits: "latn",
            axe: true,
            errors: pageErrors,
          });
          await page.goto(`${w.base}/#/review`);
          await shows(page, all);
          assert.equal(await page.evaluate(() => document.documentElement.dir), lang === "ar" ? "rtl" : "ltr");
          // Each row says why it is queued, in the page's language.
          const reasons = await page.locator("[data-testid=queue-reason]").allInnerTexts();
          assert.equal(reasons.length, Math.min(100, all.total));
          for (const text of reasons) assert.ok(Object.values(strings.reason).includes(text), text);

          // By kind, with the keyboard: the kind filter takes focus and a choice.
          const kind = page.locator("[data-testid=queue-filters] select[name=queue-kind]");
          await kind.focus();
          assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name") ?? null), "queue-kind");
          await kind.selectOption("image");
          const images = await api("kind=image");
          await shows(page, images);
          await page.locator("[data-testid=filtered-note]").waitFor();
          await check(page, "reviewq-kind", lang, width);

          // Remembered after a reload.
          await page.reload();
          await shows(page, images);
          assert.equal(await kind.inputValue(), "image");

          // By bank (with kind cleared), then both combined.
          await kind.selectOption("");
          await page.locator("[data-testid=queue-filters] select[name=queue-bank]").selectOption(String(bank));
          const byBank = await api(`bank=${bank}`);
          assert.ok(byBank.total > 0 && byBank.total <= all.total);
          await shows(page, byBank);
          await check(page, "reviewq-bank", lang, width);
          await kind.selectOption("text");
          await shows(page, await api(`bank=${bank}&kind=text`));

          // Clearing brings the whole queue back (and is remembered for the next test).
          await page.getByRole("button", { name: strings.filters.clear }).click();
          await shows(page, all);
          await page.context().close();
        });
  },
);
