/**
 * Opinions from elsewhere on a signal's detail (issue 17, decision 0042), in chromium: a
 * signal holding an opinion fetched from a linked rasd (named by the remote's policy) and one
 * read from an imported file (no organisation) shows them under their own heading, apart from
 * this instance's members' opinions, in English and in Arabic, with axe checks and screenshots.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { haveAxe, seriousViolations } from "../support/axe.js";
import { screenshot } from "../support/screenshots.js";
import { CHROMIUM, haveBrowser, startWebApp, type WebApp } from "../support/web-app.js";

if (!haveBrowser) process.stderr.write(`SKIP test/web/opinions-e2e.test.ts: ${CHROMIUM} is not installed\n`);

const SAWAB = "Sawab Center";

describe(
  "signal detail: opinions from elsewhere",
  { skip: haveBrowser ? false : `${CHROMIUM} is not installed`, timeout: 600_000 },
  () => {
    let w: WebApp;
    let signalId = 0;
    const pageErrors: string[] = [];

    before(async () => {
      w = await startWebApp();
      const curator = w.keys[`${SAWAB} curator`]!;
      const banks = (await w.api(curator, "GET", "/v1/banks")).body as { banks: { id: number }[] };
      for (const b of banks.banks) {
        const list = (await w.api(curator, "GET", `/v1/banks/${b.id}/signals?limit=1`)).body as {
          signals?: { id: number }[];
        };
        if (list.signals?.[0]) {
          signalId = list.signals[0].id;
          break;
        }
      }
      assert.ok(signalId > 0, "the demo has a signal");
      await w.s.banks.store.putForeignOpinions(signalId, "exchange partner-rasd", {
        upsert: [
          { originKey: "op-1", orgName: "Partner Platform", kind: "false-positive", note: "a news clip", updatedAt: 1 },
        ],
      });
      await w.s.banks.store.putForeignOpinions(signalId, "import", {
        upsert: [{ originKey: "op-2", orgName: null, kind: "confirm", note: "", updatedAt: 1 }],
      });
    });
    after(async () => {
      await w?.close();
      assert.deepEqual(pageErrors, []);
    });

    for (const [lang, width, heading, unnamed] of [
      ["en", 1280, "Opinions from elsewhere", "a remote member"],
      ["ar", 390, "آراء من خارج هذا النظام", "عضو في نظام آخر"],
    ] as const)
      it(`${lang} at ${width} px: listed under their own heading, with where they came from`, async () => {
        const page = await w.sessionPage(SAWAB, "demo-curator", { lang, axe: haveAxe(), width, errors: pageErrors });
        await page.goto(`${w.base}/#/banks/signal/${signalId}`);
        const list = page.locator("#signal ul.foreign-opinions");
        await list.waitFor();
        assert.ok((await page.locator("#signal h3").allInnerTexts()).includes(heading));
        const items = await list.locator("li").allInnerTexts();
        assert.equal(items.length, 2, items.join(" | "));
        assert.ok(
          items.some((i) => i.includes("Partner Platform") && i.includes("(exchange partner-rasd)")),
          items.join(" | "),
        );
        assert.ok(
          items.some((i) => i.startsWith(unnamed) && i.includes("(import)")),
          items.join(" | "),
        );
        // Not counted among this instance's members' opinions.
        const own = await page.locator("#signal ul.opinions:not(.foreign-opinions) li").allInnerTexts();
        assert.ok(!own.some((i) => i.includes("Partner Platform")), own.join(" | "));
        if (haveAxe()) assert.equal(await seriousViolations(page), "", "axe: serious or critical violations");
        await screenshot(page, "signal-foreign-opinions", lang, width);
        await page.context().close();
      });
  },
);
