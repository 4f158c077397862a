/**
 * The Counter screen in chromium (issue 20): an admin drafts an item through the form,
 * approves it, tries a redirect whose reasons name the keyword, sees campaign figures with
 * interval bands once events are recorded and the anti:pro ratio chart; a submitter sees the
 * library but no drafting form; in Arabic the screen is right-to-left and translated.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { Services } from "../../src/server/services.js";
import { CHROMIUM, haveBrowser, startWebApp, type WebApp } from "../support/web-app.js";

declare const document: { documentElement: { getAttribute(name: string): string | null } };

describe(
  "Counter screen in chromium",
  { skip: haveBrowser ? false : `${CHROMIUM} is not installed`, timeout: 900_000 },
  () => {
    let w: WebApp;
    let s: Services;
    let base: string;
    const pageErrors: string[] = [];

    const newPage = async (width = 1280, height = 900): Promise<Page> => {
      const page = await w.newPage({ viewport: { width, height } });
      page.on("pageerror", (e) => pageErrors.push(e.message));
      page.on("console", (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text());
      });
      return page;
    };

    const signIn = (page: Page, person: string) => w.signIn(page, person);

    before(async () => {
      w = await startWebApp({ workers: false });
      s = w.s;
      base = w.base;
    });
    after(() => w?.close());

    it("drafts, approves, tries a redirect, and shows figures with interval bands and the ratio chart", async () => {
      const page = await newPage();
      await signIn(page, "demo-admin");
      await page.getByRole("link", { name: "Counter-messaging" }).click();
      await page.getByRole("heading", { name: "Counter-messaging", level: 1 }).waitFor();
      await page.getByLabel("Title", { exact: true }).fill("Returnees speak");
      await page.getByLabel("Link to the content").fill("https://example.org/returnees");
      await page.getByLabel("Kind").selectOption("video");
      await page.getByLabel("Caliphate as utopia").check();
      await page.locator("#library").getByLabel("Language").selectOption("en");
      await page.getByLabel("Sharing (TLP)").selectOption("CLEAR");
      await page.getByRole("button", { name: "Save draft" }).click();
      const row = page.locator("[data-testid=counter-items] tbody tr", { hasText: "Returnees speak" });
      await row.locator("[data-testid=status]", { hasText: "Draft" }).waitFor();
      await row.getByRole("button", { name: "Approve" }).click();
      await row.locator("[data-testid=status]", { hasText: "Approved" }).waitFor();

      const org = (await s.store.listOrgs()).find((o) => o.name === "Example Platform")!;
      await s.counter.library.addKeywords({ orgId: org.id, personId: 0, role: "admin" }, "caliphate-utopia", [
        "hijra to the caliphate",
      ]);
      await page.getByLabel("Search query or post text").fill("how to make hijra to the caliphate");
      await page.locator("#tester").getByLabel("Language").selectOption("en");
      await page.getByRole("button", { name: "Find counter-content" }).click();
      const answer = page.locator("[data-testid=redirect-answer]");
      await answer.waitFor();
      assert.match(await answer.innerText(), /Keyword: Caliphate as utopia \(weight 0\.6\) hijra to the caliphate/);
      assert.match(await answer.innerText(), /Returnees speak/);

      // Events for the item, recorded through the service, then the figures with their bands.
      const served = await s.counter.redirect.redirect(
        { orgId: org.id, personId: 0, role: "admin", keyId: 0, personName: "e2e", orgName: org.name },
        { query: "hijra to the caliphate", lang: "en" },
      );
      const token = served.items[0]!.token;
      await s.counter.events.record({ orgId: org.id, personId: 0, role: "admin" }, [
        { id: "e2e-1", kind: "impression", token },
        { id: "e2e-2", kind: "click", token },
        { id: "e2e-3", kind: "watch", token, watchSeconds: 30 },
      ]);
      await page.reload();
      await page.getByLabel("Per").selectOption("narrative");
      const figures = page.locator("[data-testid=counter-figures][data-by=narrative]");
      await figures.waitFor();
      assert.match(await figures.innerText(), /Caliphate as utopia/);
      assert.match(await figures.innerText(), /100%/);
      assert.ok((await figures.locator("svg.band").count()) >= 2, "interval bands drawn");
      await page.locator("#counter-ratio .uplot-box canvas").waitFor();
      assert.deepEqual(pageErrors, []);
    });

    it("a submitter sees the library but cannot draft; in Arabic the screen is right-to-left", async () => {
      const page = await newPage(390, 844);
      await signIn(page, "demo-submitter");
      await page.goto(`${base}/#/counter`);
      await page.getByRole("heading", { name: "Counter-messaging", level: 1 }).waitFor();
      await page.locator("[data-testid=counter-items]").waitFor();
      assert.equal(await page.getByRole("button", { name: "Save draft" }).count(), 0);
      await page.locator("header").getByLabel("Language").selectOption("ar");
      await page.getByRole("heading", { name: "الرسائل المضادة", level: 1 }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.getAttribute("dir")), "rtl");
      assert.match(await page.locator("[data-testid=counter-items]").innerText(), /معتمد/);
      assert.deepEqual(pageErrors, []);
    });
  },
);
