/**
 * The declare form with more files than a declaration takes (issue 20, decision 0041), in
 * chromium: Sawab Center's admin chooses 11 files; the form says how many were chosen and the
 * limit, beside the file field, and does not send; in Arabic the same, right to left. Axe
 * checks and screenshots as the other e2e files.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { MAX_DECLARE_FILES } from "../../src/core/incidents.js";
import { haveAxe, seriousViolations } from "../support/axe.js";
import { screenshot } from "../support/screenshots.js";
import { CHROMIUM, haveBrowser, startWebApp, type WebApp } from "../support/web-app.js";

if (!haveBrowser) process.stderr.write(`SKIP test/web/linkgaps-e2e.test.ts: ${CHROMIUM} is not installed\n`);

const SAWAB = "Sawab Center";

describe(
  "incidents: the declare form refuses more files than a declaration takes",
  { skip: haveBrowser ? false : `${CHROMIUM} is not installed`, timeout: 600_000 },
  () => {
    let w: WebApp;
    const pageErrors: string[] = [];
    const files = Array.from({ length: MAX_DECLARE_FILES + 1 }, (_, i) => ({
      name: `still-${i}.png`,
      mimeType: "image/png",
      buffer: Buffer.from(`not read ${i}`),
    }));

    before(async () => {
      w = await startWebApp();
    });
    after(async () => {
      await w?.close();
      assert.deepEqual(pageErrors, []);
    });

    const choose = async (lang: "en" | "ar", width: number): Promise<Page> => {
      const page = await w.sessionPage(SAWAB, "demo-admin", { lang, axe: haveAxe(), width, errors: pageErrors });
      await page.goto(`${w.base}/#/incidents`);
      const input = page.locator("input[type=file]");
      await input.waitFor();
      await input.setInputFiles(files);
      await page.locator("#declare-files-error").waitFor();
      return page;
    };

    it("in English: says how many files were chosen and the limit; the declare button is disabled", async () => {
      const before = (await w.s.incidents.list()).length;
      const page = await choose("en", 1280);
      assert.equal(
        await page.locator("#declare-files-error").innerText(),
        `${MAX_DECLARE_FILES + 1} files chosen: a declaration takes at most ${MAX_DECLARE_FILES}. ` +
          `Declare with the first ${MAX_DECLARE_FILES}, then add the rest to the incident as artefacts.`,
      );
      assert.equal(await page.locator("input[type=file]").getAttribute("aria-invalid"), "true");
      const declare = page.getByRole("button", { name: "Declare and alert every member" });
      assert.equal(await declare.isDisabled(), true);
      if (haveAxe()) {
        const serious = await seriousViolations(page);
        assert.equal(serious, "", serious);
      }
      await screenshot(page, "incident-declare-too-many-files", "en", 1280);
      // Back to ten: the message goes and the form may be sent.
      await page.locator("input[type=file]").setInputFiles(files.slice(0, MAX_DECLARE_FILES));
      await page.locator("#declare-files-error").waitFor({ state: "detached" });
      assert.equal(await declare.isDisabled(), false);
      assert.equal((await w.s.incidents.list()).length, before);
      await page.context().close();
    });

    it("in Arabic, right to left, on a phone: the same message translated", async () => {
      const page = await choose("ar", 390);
      assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
      assert.match(await page.locator("#declare-files-error").innerText(), /والحد الأقصى للإعلان/);
      if (haveAxe()) {
        const serious = await seriousViolations(page);
        assert.equal(serious, "", serious);
      }
      await screenshot(page, "incident-declare-too-many-files", "ar", 390);
      await page.context().close();
    });
  },
);
