/**
 * The Counter screen in chromium (issue 20): an admin drafts an item through the form,
 * approves it, tries a redirect whose reasons name the keyword, sees campaign figures with
 * interval bands once events are recorded and the anti:pro ratio chart; a submitter sees the
 * library but no drafting form; in Arabic the screen is right-to-left and translated.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
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
if (!haveBrowser && process.env.RASD_REQUIRE_BROWSER === "1")
  throw new Error(`RASD_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing`);

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    t = Math.max(t, st.isDirectory() ? newest(p) : st.mtimeMs);
  }
  return t;
}

function ensureBundle(): void {
  const page = join(ROOT, "dist", "web", "index.html");
  if (existsSync(page) && statSync(page).mtimeMs >= newest(join(ROOT, "web"))) return;
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build-web.mjs")], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `build-web failed: ${r.stderr}`);
}

describe(
  "Counter screen in chromium",
  { skip: haveBrowser ? false : `${CHROMIUM} is not installed`, timeout: 900_000 },
  () => {
    let s: Services;
    let app: FastifyInstance;
    let base: string;
    let browser: Browser;
    let dir: string;
    let password: string;
    const pageErrors: string[] = [];

    const newPage = async (width = 1280, height = 900): Promise<Page> => {
      const context = await browser.newContext({ viewport: { width, height } });
      context.setDefaultTimeout(90_000);
      const page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(e.message));
      page.on("console", (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text());
      });
      return page;
    };

    const signIn = async (page: Page, person: string) => {
      await page.goto(`${base}/`);
      await page.getByLabel("Organisation").fill("Example Platform");
      await page.getByLabel("Person").fill(person);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.locator("nav").waitFor();
    };

    before(async () => {
      ensureBundle();
      dir = mkdtempSync(join(tmpdir(), "rasd-counter-e2e-"));
      const config = loadConfig({ data: dir, db: `sqlite:${join(dir, "rasd.db")}` }, { RASD_SQLITE_SYNC: "OFF" });
      s = await openServices(config, { defaultMetrics: false });
      password = (await loadDemo(s))!["password of every demo-<role>"]!;
      app = await buildApp({ access: s.access, routes: allRoutes(s), rateLimit: 1_000_000 });
      base = await app.listen({ host: "127.0.0.1", port: 0 });
      await startWorkers(s, false);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      });
    });
    after(async () => {
      await browser?.close();
      await app?.close();
      if (s) await closeServices(s);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

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
