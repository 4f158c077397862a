/**
 * The declare form with more files than a declaration takes (issue 20, decision 0041), in
 * chromium: Sawab Center's admin chooses 11 files; the form says how many were chosen and the
 * limit, beside the file field, and does not send; in Arabic the same, right to left. Axe
 * checks and screenshots as the other e2e files. And the review view of an item whose links
 * could not be followed (its "links" job used up its attempts): it says so, with the error.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { MAX_DECLARE_FILES } from "../../src/core/incidents.js";
import type { LinkExpander } from "../../src/services/links/expander.js";
import { haveAxe, seriousViolations } from "../support/axe.js";
import { screenshot } from "../support/screenshots.js";
import { CHROMIUM, haveBrowser, startWebApp, type WebApp } from "../support/web-app.js";

if (!haveBrowser) process.stderr.write(`SKIP test/web/linkgaps-e2e.test.ts: ${CHROMIUM} is not installed\n`);

// A browser global, for the script addInitScript runs in the page.
declare const sessionStorage: { setItem(k: string, v: string): void };

const SAWAB = "Sawab Center";
const PLATFORM = "Example Platform";

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

    it("the review view says when an item's links could not be followed, and why (en, ar)", async () => {
      // Link following fails every time, retried at once (the backoff is not under test).
      const expander = (w.s.links as unknown as { expander: LinkExpander }).expander;
      expander.expandItem = () => Promise.reject(new Error("connection reset by bit.ly"));
      const retryOrBury = w.s.jobs.retryOrBury.bind(w.s.jobs);
      w.s.jobs.retryOrBury = (job, error) => retryOrBury(job, error, Date.now());
      const admin = w.keys[`${PLATFORM} admin`]!;
      const url = "https://bit.ly/rasd-linkgaps-e2e";
      const rule = await w.api(admin, "POST", "/v1/rules", {
        name: "short links to review",
        conditions: { signal_types: ["url"] },
        actions: [{ type: "review" }],
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      const bank = await w.api(w.keys[`${SAWAB} curator`]!, "POST", "/v1/banks", { name: "short", tlp: "GREEN" });
      assert.equal(bank.status, 201, JSON.stringify(bank.body));
      const added = await w.api(
        w.keys[`${SAWAB} curator`]!,
        "POST",
        `/v1/banks/${(bank.body as { id: number }).id}/signals`,
        {
          signals: [{ type: "url", value: url }],
        },
      );
      assert.equal(added.status, 200, JSON.stringify(added.body));
      await w.s.matcher.sync();
      w.s.pipeline.invalidateRules();
      const r = await fetch(`${w.base}/v1/content`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${w.keys[`${PLATFORM} submitter`]!}`,
          "content-type": "application/json",
          "idempotency-key": "linkgaps-e2e-1",
        },
        body: JSON.stringify({ url }),
      });
      const body = await r.text();
      assert.equal(r.status, 202, body);
      const itemId = (JSON.parse(body) as { id: number }).id;
      let reviewId = 0;
      for (let i = 0; i < 600 && reviewId === 0; i++) {
        const item = await w.api(admin, "GET", `/v1/content/${itemId}`);
        const failed = (item.body as { hashes?: { links_failed?: unknown } }).hashes?.links_failed;
        const list = await w.api(admin, "GET", "/v1/reviews?status=open&limit=500");
        const entry = (list.body as { reviews: { id: number; item_id: number }[] }).reviews.find(
          (x) => x.item_id === itemId,
        );
        if (failed && entry) reviewId = entry.id;
        else await new Promise((done) => setTimeout(done, 100));
      }
      assert.ok(reviewId > 0, "the item is in review with links_failed");
      for (const [lang, width, text] of [
        ["en", 1280, /Its links could not be followed \(5 attempts\): connection reset by bit\.ly/],
        ["ar", 390, /تعذر تتبع روابطه/],
      ] as const) {
        const page = await w.sessionPage(PLATFORM, "demo-admin", { lang, axe: haveAxe(), width, errors: pageErrors });
        // Opened as a kept draft opens an entry (no decision drafted), not by the queue's order.
        await page.addInitScript((id) => {
          sessionStorage.setItem(
            "rasd.draft.review",
            JSON.stringify({
              id,
              draft: { decision: "", entity: [], behaviour: [], reasons: "", addToBank: false, bankId: undefined },
            }),
          );
        }, reviewId);
        await page.goto(`${w.base}/#/review`);
        const note = page.locator("[data-testid=links-failed]");
        await note.waitFor();
        assert.match(await note.innerText(), text);
        if (haveAxe()) {
          const serious = await seriousViolations(page);
          assert.equal(serious, "", serious);
        }
        await screenshot(page, "review-links-failed", lang, width);
        await page.context().close();
      }
    });
  },
);
