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
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
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
import { answer, loopbackResolver, startLinkHost, type LinkHost } from "../support/link-hosts.js";

declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number; getAttribute(name: string): string | null };
};

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "test-artifacts", "web");
const required = process.env.RASD_REQUIRE_BROWSER === "1";
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && required)
  throw new Error(`RASD_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing (apt-get install chromium)`);

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
  "links screen in chromium",
  { skip: haveBrowser ? false : `${CHROMIUM} is not installed`, timeout: 600_000 },
  () => {
    let s: Services;
    let app: FastifyInstance;
    let base: string;
    let browser: Browser;
    let dir: string;
    let password: string;
    let files: LinkHost;
    let gone = false;

    before(async () => {
      ensureBundle();
      mkdirSync(ARTIFACTS, { recursive: true });
      files = await startLinkHost("files.test", (req, res) => answer(gone ? 410 : 200)(req, res));
      dir = mkdtempSync(join(tmpdir(), "rasd-links-e2e-"));
      const config = loadConfig(
        { data: dir, db: `sqlite:${join(dir, "rasd.db")}` },
        { RASD_SQLITE_SYNC: "OFF", RASD_LINK_ALLOW_PRIVATE: "1" },
      );
      s = await openServices(config, { defaultMetrics: false, linkResolve: loopbackResolver(["files.test"]) });
      const keys = (await loadDemo(s))!;
      password = keys["password of every demo-<role>"]!;
      const org = (await s.store.getOrgByName("Example Platform"))!;
      const bank = await s.banks.createBank({ orgId: org.id, name: "release-links", tlp: "GREEN" });
      await s.banks.addSignals(bank.id, [
        { line: 1, raw: { type: "url", value: `http://files.test:${files.port}/release.mp4` } },
      ]);
      app = await buildApp({ access: s.access, routes: allRoutes(s), rateLimit: 1_000_000 });
      base = await app.listen({ host: "127.0.0.1", port: 0 });
      await startWorkers(s);
      await s.links.liveness.enrol();
      const link = (await s.stores.links.getByUrl(`files.test:${files.port}/release.mp4`))!;
      await s.links.liveness.checkNow(link.id).catch(() => undefined);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu"],
      });
    });

    after(async () => {
      await browser?.close();
      await app?.close();
      if (s) await closeServices(s);
      await files?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const newPage = async (width = 1280, height = 900): Promise<Page> => {
      const context = await browser.newContext({ viewport: { width, height } });
      context.setDefaultTimeout(90_000);
      return context.newPage();
    };

    const signIn = async (page: Page) => {
      await page.goto(`${base}/`);
      await page.getByLabel("Organisation").fill("Example Platform");
      await page.getByLabel("Person").fill("demo-admin");
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
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
      await page.screenshot({ path: join(ARTIFACTS, "links-en.png"), fullPage: true });
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
      await page.screenshot({ path: join(ARTIFACTS, "links-ar-390.png"), fullPage: true });
    });
  },
);
