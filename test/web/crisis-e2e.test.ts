/**
 * The crisis protocol's screens in chromium: a drill declared by Sawab Center shows its banner
 * (with the "Exercise" badge) on every screen of another member, the incidents list, the live
 * page with its timeline and the debrief; in Arabic, right to left.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { chromium, type Browser, type Page } from "playwright-core";
import { loadConfig } from "../../src/config/config.js";
import { buildApp } from "../../src/http/app.js";
import { allRoutes } from "../../src/http/routes/index.js";
import { loadDemo } from "../../src/server/demo.js";
import { closeServices, openServices, startWorkers, type Services } from "../../src/server/services.js";

declare const document: { documentElement: { getAttribute(name: string): string | null } };

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";
const haveBrowser = existsSync(CHROMIUM);

describe(
  "crisis protocol screens in chromium",
  { skip: haveBrowser ? false : `${CHROMIUM} is not installed`, timeout: 600_000 },
  () => {
    let s: Services;
    let app: FastifyInstance;
    let base: string;
    let browser: Browser;
    let dir: string;
    let password: string;
    let incidentId = 0;

    const signIn = async (page: Page, org: string, person: string) => {
      await page.goto(`${base}/`);
      await page.getByLabel("Organisation").fill(org);
      await page.getByLabel("Person").fill(person);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    };

    before(async () => {
      const page = join(ROOT, "dist", "web", "index.html");
      if (!existsSync(page) || statSync(page).mtimeMs < statSync(join(ROOT, "web", "src", "incidents.tsx")).mtimeMs) {
        const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build-web.mjs")], {
          cwd: ROOT,
          encoding: "utf8",
        });
        assert.equal(r.status, 0, `build-web failed: ${r.stderr}`);
      }
      dir = mkdtempSync(join(tmpdir(), "rasd-crisis-web-"));
      const config = loadConfig({ data: dir, db: `sqlite:${join(dir, "rasd.db")}` }, { RASD_SQLITE_SYNC: "OFF" });
      s = await openServices(config, { defaultMetrics: false });
      const keys = (await loadDemo(s))!;
      password = keys["password of every demo-<role>"]!;
      app = await buildApp({ access: s.access, routes: allRoutes(s), rateLimit: 1_000_000 });
      base = await app.listen({ host: "127.0.0.1", port: 0 });
      await startWorkers(s);
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
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu"],
      });
    });

    after(async () => {
      await browser?.close();
      await app?.close();
      if (s) await closeServices(s);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("shows the active incident's banner with the Exercise badge, the list, the live page and the debrief", async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(90_000);
      const page = await context.newPage();
      await signIn(page, "Example Platform", "demo-reviewer");
      const banner = page.locator(".incident-banner");
      await banner.waitFor();
      assert.match(await banner.innerText(), /Exercise[\s\S]*Drill: new release[\s\S]*Sawab Center/);
      await page.getByRole("link", { name: "Incidents" }).click();
      await page.getByRole("heading", { name: "Incidents", exact: true }).waitFor();
      assert.match(await page.locator("main").innerText(), /Drill: new release/);
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
      await context.close();

      // The declare form is offered to a government organisation's admin only, as the API allows.
      for (const [org, offered] of [
        ["Example Platform", 0],
        ["Sawab Center", 1],
      ] as const) {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        ctx.setDefaultTimeout(90_000);
        const admin = await ctx.newPage();
        await signIn(admin, org, "demo-admin");
        await admin.goto(`${base}/#/incidents`);
        await admin.getByRole("heading", { name: "Incidents", exact: true }).waitFor();
        await admin.waitForLoadState("networkidle");
        const declare = admin.getByRole("button", { name: "Declare and alert every member" });
        assert.equal(await declare.count(), offered, `${org}'s admin: declare form`);
        await ctx.close();
      }
    });
  },
);
