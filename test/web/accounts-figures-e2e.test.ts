/**
 * The dashboard's account and link figures in chromium (issue 19): a suspended account is
 * banked, a platform's item comes from its return under a variant handle, and the dashboard
 * shows accounts suspended, the return and the time since suspension, with the uPlot charts of
 * accounts per period and of the share of links offline with its band, in English (1280 px) and
 * in Arabic (right to left, 390 px, nothing scrolling sideways), with no serious or critical
 * accessibility violation. The banks form sets a bank's account match threshold.
 *
 * Without /usr/bin/chromium the test is skipped, saying so — unless RASD_REQUIRE_BROWSER=1.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { haveAxe, seriousViolations } from "../support/axe.js";
import { assertNoSidewaysScroll } from "../support/browser.js";
import { screenshot } from "../support/screenshots.js";
import { CHROMIUM, haveBrowser, startWebApp, type WebApp } from "../support/web-app.js";

if (!haveBrowser) process.stderr.write(`SKIP test/web/accounts-figures-e2e.test.ts: ${CHROMIUM} is not installed\n`);

const PLATFORM = "Example Platform";
const SAWAB = "Sawab Center";
const DAY = 86_400_000;

describe(
  "dashboard: account and link figures in chromium",
  { skip: haveBrowser ? false : `${CHROMIUM} is not installed`, timeout: 900_000 },
  () => {
    let w: WebApp;
    let bankId = 0;
    const pageErrors: string[] = [];

    const signedIn = (org: string, person: string, lang: "en" | "ar", axe = false, width = 1280): Promise<Page> =>
      w.sessionPage(org, person, { lang, axe, width, errors: pageErrors });

    before(async () => {
      w = await startWebApp();
      const curator = w.keys[`${SAWAB} curator`]!;
      const bank = await w.api(curator, "POST", "/v1/banks", { name: "suspended-accounts", tlp: "GREEN" });
      assert.equal(bank.status, 201, JSON.stringify(bank.body));
      bankId = (bank.body as { id: number }).id;
      const account = {
        platform: "twitter",
        handle: "GunsandCoffee70",
        name: "GunsandCoffee",
        suspended: new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10),
      };
      const added = await w.api(curator, "POST", `/v1/banks/${bankId}/signals`, {
        signals: [{ type: "account", value: JSON.stringify(account) }],
      });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      const submitter = w.keys[`${PLATFORM} submitter`]!;
      const r = await fetch(`${w.base}/v1/content`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${submitter}`,
          "content-type": "application/json",
          "idempotency-key": "e2e-returning-account",
        },
        body: JSON.stringify({ text: "back again", author: { platform: "twitter", handle: "_GunsandCoffee_2" } }),
      });
      const body = await r.text();
      assert.equal(r.status, 202, body);
      const id = (JSON.parse(body) as { id: number }).id;
      let status = "";
      for (let i = 0; i < 600 && status !== "done"; i++) {
        status = ((await w.api(submitter, "GET", `/v1/content/${id}`, undefined)).body as { status: string }).status;
        if (status !== "done") await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(status, "done");
    });
    after(async () => {
      await w?.close();
      assert.deepEqual(pageErrors, []);
    });

    it("shows accounts suspended, the return and how fast, with both charts (English)", async () => {
      const page = await signedIn(PLATFORM, "demo-admin", "en", haveAxe());
      await page.goto(`${w.base}/#/dashboard`);
      const figures = page.locator("#accounts [data-testid=account-figures]");
      await figures.waitFor();
      const text = await figures.innerText();
      assert.match(text, /Accounts suspended \(banked\)\s+1\b/);
      assert.match(text, /Returning accounts found\s+1\b/);
      // Suspended two days ago (midnight UTC): between two and three days.
      assert.match(text, /Time from suspension to return[^\n]*\n\s*[23] d \d+ h \(—/);
      await page.locator("#accounts .uplot-box canvas").first().waitFor();
      assert.match(
        (await page.locator("#accounts .uplot-box").getAttribute("aria-label")) ?? "",
        /1 suspended, 1 returns/,
      );
      assert.match(await page.locator("#accounts").innerText(), /Sawab Center/); // by reporting member
      await page.locator("#links-figures [data-testid=link-figures]").waitFor();
      await page.locator("#links-figures .uplot-box canvas").first().waitFor();
      assert.match(
        (await page.locator("#links-figures .uplot-box").getAttribute("aria-label")) ?? "",
        /95% interval as a band/,
      );
      if (haveAxe()) {
        const serious = await seriousViolations(page);
        assert.equal(serious, "", serious);
      }
      await screenshot(page, "dashboard-accounts", "en", 1280);
      await page.context().close();
    });

    it("the same in Arabic, right to left, on a phone without sideways scrolling", async () => {
      const page = await signedIn(PLATFORM, "demo-admin", "ar", haveAxe(), 390);
      await page.goto(`${w.base}/#/dashboard`);
      await page.locator("#accounts [data-testid=account-figures]").waitFor();
      assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
      assert.match(await page.locator("#accounts-h").innerText(), /الحسابات والتحايل على الحظر/);
      assert.match(
        await page.locator("#accounts [data-testid=account-figures]").innerText(),
        /الحسابات العائدة المكتشفة/,
      );
      assert.match(await page.locator("#links-figures-h").innerText(), /الروابط التي تبقى محذوفة/);
      await page.locator("#accounts .uplot-box canvas").first().waitFor();
      await page.locator("#links-figures .uplot-box canvas").first().waitFor();
      await assertNoSidewaysScroll(page, "dashboard (ar, 390 px)");
      if (haveAxe()) {
        const serious = await seriousViolations(page);
        assert.equal(serious, "", serious);
      }
      await screenshot(page, "dashboard-accounts", "ar", 390);
      await page.context().close();
    });

    it("the banks form sets a bank's account match threshold", async () => {
      const page = await signedIn(SAWAB, "demo-admin", "en");
      await page.goto(`${w.base}/#/admin`);
      await page.getByRole("link", { name: "Banks and sharing" }).click();
      await page.getByRole("button", { name: "Settings of suspended-accounts" }).click();
      const field = page.locator("#bank-form").getByLabel("Account match score at least");
      assert.equal(await field.inputValue(), "0.8");
      await field.fill("0.9");
      await page.getByRole("button", { name: "Save settings" }).click();
      await page.getByText("The settings of suspended-accounts were saved.").waitFor();
      const row = page.locator("tr", { hasText: "suspended-accounts" });
      await row.filter({ hasText: "account ≥ 0.9" }).waitFor();
      const bank = await w.api(w.keys[`${SAWAB} curator`]!, "GET", `/v1/banks/${bankId}`);
      assert.equal((bank.body as { account_min_score: number }).account_min_score, 0.9);
      await page.context().close();
    });
  },
);
