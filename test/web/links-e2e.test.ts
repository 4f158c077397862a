/**
 * The Links screen in chromium (playwright-core): a real service with the --demo data and a
 * "host" on loopback (through the test-only allow-list) serving a banked file. The liveness
 * checker finds it online; the screen lists it, shows its history with the hops of the chain
 * and the figures' chart; an admin lists a domain; the file goes 410 and a check records it;
 * in Arabic the screen is right-to-left without sideways scrolling at 390 px.
 *
 * Without /usr/bin/chromium the test is skipped, saying so — unless RASD_REQUIRE_BROWSER=1.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { Services } from "../../src/server/services.js";
import { answer, loopbackResolver, startLinkHost, type LinkHost } from "../support/link-hosts.js";
import { screenshot } from "../support/screenshots.js";
import { CHROMIUM, haveBrowser, startWebApp, type WebApp } from "../support/web-app.js";

declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number; getAttribute(name: string): string | null };
};

describe(
  "links screen in chromium",
  { skip: haveBrowser ? false : `${CHROMIUM} is not installed`, timeout: 600_000 },
  () => {
    let w: WebApp;
    let s: Services;
    let files: LinkHost;
    let gone = false;

    before(async () => {
      files = await startLinkHost("files.test", (req, res) => answer(gone ? 410 : 200)(req, res));
      w = await startWebApp({
        env: { RASD_LINK_ALLOW_PRIVATE: "1" },
        services: { linkResolve: loopbackResolver(["files.test"]) },
      });
      s = w.s;
      const org = (await s.store.getOrgByName("Example Platform"))!;
      const bank = await s.banks.createBank({ orgId: org.id, name: "release-links", tlp: "GREEN" });
      await s.banks.addSignals(bank.id, [
        { line: 1, raw: { type: "url", value: `http://files.test:${files.port}/release.mp4` } },
      ]);
      await s.links.liveness.enrol();
      const link = (await s.stores.links.getByUrl(`files.test:${files.port}/release.mp4`))!;
      await s.links.liveness.checkNow(link.id).catch(() => undefined);
    });

    after(async () => {
      await w?.close();
      await files?.close();
    });

    const newPage = (width = 1280, height = 900): Promise<Page> => w.newPage({ viewport: { width, height } });

    const signIn = async (page: Page) => {
      await w.signIn(page, "demo-admin");
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    };

    it("lists banked links, shows a link's history with its hops, and the figures", async () => {
      const page = await newPage();
      await signIn(page);
      await page.getByRole("link", { name: "Links" }).click();
      await page.getByRole("heading", { name: "Links", exact: true }).waitFor();
      const row = page.locator("#link-list tbody tr", { hasText: "release.mp4" });
      await row.waitFor();
      assert.match(await row.innerText(), /Online/);
      await row.getByRole("button").click();
      await page.locator(".link-detail table caption").waitFor();
      assert.match(
        await page.locator(".link-detail .hops").first().innerText(),
        /HEAD 200 http:\/\/files\.test:\d+\/release\.mp4/,
      );
      await page.locator("#link-figures .uplot-box canvas").waitFor();
      // An admin lists the organisation's domain.
      await page.getByLabel("Domain", { exact: true }).fill("files.test");
      await page.getByRole("button", { name: "Add", exact: true }).click();
      await page.locator(".domains li", { hasText: "files.test" }).waitFor();
      await screenshot(page, "links-history", "en", 1280);
    });

    it("records the takedown; in Arabic the screen is right-to-left without sideways scrolling", async () => {
      gone = true;
      const link = (await s.stores.links.getByUrl(`files.test:${files.port}/release.mp4`))!;
      await s.links.liveness.checkNow(link.id);
      const page = await newPage(390, 844);
      await signIn(page);
      await page.getByRole("banner").getByLabel("Language", { exact: true }).selectOption("ar");
      await page.getByRole("link", { name: "الروابط" }).click();
      await page.getByRole("heading", { name: "الروابط", exact: true }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.getAttribute("dir")), "rtl");
      const row = page.locator("#link-list tbody tr", { hasText: "release.mp4" });
      await row.waitFor();
      assert.match(await row.innerText(), /محذوف/);
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      assert.ok(scroll <= client + 1, `the links screen scrolls sideways (${scroll} > ${client})`);
      await screenshot(page, "links-takedown", "ar", 390);
    });
  },
);
