/**
 * The crisis protocol's screens in chromium: a drill declared by Sawab Center shows its banner
 * (with the "Exercise" badge) on every screen of another member, the incidents list, the live
 * page with its timeline and the debrief; in Arabic, right to left.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { Services } from "../../src/server/services.js";
import { CHROMIUM, haveBrowser, startWebApp, type WebApp } from "../support/web-app.js";

declare const document: { documentElement: { getAttribute(name: string): string | null } };

describe(
  "crisis protocol screens in chromium",
  { skip: haveBrowser ? false : `${CHROMIUM} is not installed`, timeout: 600_000 },
  () => {
    let w: WebApp;
    let s: Services;
    let base: string;
    let incidentId = 0;

    const signIn = async (page: Page, org: string, person: string) => {
      await w.signIn(page, person, org);
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    };

    before(async () => {
      w = await startWebApp();
      s = w.s;
      base = w.base;
      const sawab = (await s.store.getOrgByName("Sawab Center"))!;
      const incident = await s.incidents.declare(
        { orgId: sawab.id, personId: null, role: "admin", actor: "test", source: "test" },
        {
          tier: 2,
          title: "Drill: new release",
          description: "An exercise",
          drill: true,
          signals: [{ type: "pdq", value: "f".repeat(64) }],
        },
      );
      incidentId = incident.id;
    });

    after(() => w?.close());

    it("shows the active incident's banner with the Exercise badge, the list, the live page and the debrief", async () => {
      const page = await w.newPage();
      await signIn(page, "Example Platform", "demo-reviewer");
      const banner = page.locator(".incident-banner");
      await banner.waitFor();
      assert.match(await banner.innerText(), /Exercise[\s\S]*Drill: new release[\s\S]*Sawab Center/);
      await page.getByRole("link", { name: "Incidents" }).click();
      await page.getByRole("heading", { name: "Incidents", exact: true }).waitFor();
      await page.locator("main table").getByText("Drill: new release").waitFor();
      // A reviewer of a platform may not declare.
      assert.equal(await page.getByRole("button", { name: "Declare and alert every member" }).count(), 0);
      await page.goto(`${base}/#/incidents/${incidentId}`);
      await page.getByRole("heading", { name: /Drill: new release/ }).waitFor();
      assert.match(await page.locator(".timeline").innerText(), /Declared by Sawab Center[\s\S]*First hash shared/);
      await page.goto(`${base}/#/incidents/${incidentId}/debrief`);
      await page.getByRole("heading", { name: /Debrief: Drill: new release/ }).waitFor();
      assert.match(await page.locator("main").innerText(), /First hash shared/);
      // In Arabic: right to left, the banner and badge translated.
      await page.getByRole("banner").getByLabel("Language", { exact: true }).selectOption("ar");
      await page.getByRole("heading", { name: /التقرير الختامي/ }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.getAttribute("dir")), "rtl");
      assert.match(await banner.innerText(), /تمرين/);
      await page.context().close();

      // The declare form is offered to a government organisation's admin only, as the API allows.
      for (const [org, offered] of [
        ["Example Platform", 0],
        ["Sawab Center", 1],
      ] as const) {
        const admin = await w.newPage();
        await signIn(admin, org, "demo-admin");
        await admin.goto(`${base}/#/incidents`);
        await admin.getByRole("heading", { name: "Incidents", exact: true }).waitFor();
        await admin.waitForLoadState("networkidle");
        const declare = admin.getByRole("button", { name: "Declare and alert every member" });
        assert.equal(await declare.count(), offered, `${org}'s admin: declare form`);
        await admin.context().close();
      }
    });
  },
);
