/**
 * The web app in chromium for issue 18's analyst, review-wellness, sessions and accessibility
 * parts: every screen in English and Arabic at desktop (1280 px) and phone (390 px) width —
 * axe-core finds no serious or critical WCAG 2.2 A/AA violation, nothing scrolls sideways on
 * a phone, the keyboard reaches every control, and a screenshot of each is written (see
 * test/support/screenshots.ts). Then the features: the dashboard's filters reach the measure
 * APIs and the stance's scope is labelled as asked; figures that cannot be estimated say why;
 * uPlot's values follow the locale's digits; review wellness (counters, preferences saved on
 * the server, a break prompt, the daily limit); the transparency report downloaded; a signal
 * owner's view of its signals' hits.
 *
 * Without /usr/bin/chromium the test is skipped, saying so — unless RASD_REQUIRE_BROWSER=1.
 * Without axe-core (a devDependency) the accessibility checks fail, saying so.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { AXE_PATH, haveAxe, seriousViolations } from "../support/axe.js";
import { screenshot } from "../support/screenshots.js";
import { CHROMIUM, haveBrowser, startWebApp, type WebApp } from "../support/web-app.js";

// Browser globals, for the callbacks that page.evaluate() runs in chromium (not in Node).
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  activeElement: unknown;
  querySelectorAll(selector: string): ArrayLike<{
    getClientRects(): ArrayLike<unknown>;
    closest(s: string): unknown;
    hasAttribute(a: string): boolean;
  }>;
};
declare const localStorage: { setItem(k: string, v: string): void };
declare function getComputedStyle(element: unknown): { filter: string };

if (!haveBrowser) process.stderr.write(`SKIP test/web/webanalyst-e2e.test.ts: ${CHROMIUM} is not installed\n`);

const PLATFORM = "Example Platform";
const SAWAB = "Sawab Center";

describe(
  "web app (analyst, wellness, accessibility) in chromium",
  { skip: haveBrowser ? false : `${CHROMIUM} is not installed`, timeout: 1_800_000 },
  () => {
    let w: WebApp;
    let signalId = 0;
    const pageErrors: string[] = [];

    /** A signed-in page (the session as the app keeps it) in `lang`, with the digits asked. */
    const signedIn = (
      org: string,
      person: string,
      opts: { lang?: "en" | "ar"; width?: number; digits?: "latn" | "arab"; axe?: boolean } = {},
    ): Promise<Page> => w.sessionPage(org, person, { ...opts, errors: pageErrors });

    const noHorizontalScroll = async (page: Page, what: string) => {
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      assert.ok(scroll <= client + 1, `${what}: the page scrolls sideways (${scroll} > ${client})`);
    };

    /** Every visible, enabled control is reached by Tab, in order, without a trap. */
    const keyboardReachesEverything = async (page: Page, what: string) => {
      const selector =
        'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
      await page.evaluate((sel) => {
        const all = document.querySelectorAll(sel);
        for (let i = 0; i < all.length; i++) {
          const el = all[i] as unknown as {
            dataset: Record<string, string>;
            checkVisibility(o: { visibilityProperty: boolean }): boolean;
          };
          // Shown controls only (not those inside a closed disclosure).
          if (el.checkVisibility({ visibilityProperty: true })) el.dataset.kbd = String(i);
        }
      }, selector);
      const wanted = await page.locator("[data-kbd]").count();
      const reached = new Set<string>();
      await page.locator("body").focus();
      const radios = new Set<string>();
      for (let i = 0; i < Math.min(wanted + 20, 400); i++) {
        await page.keyboard.press("Tab");
        const id = await page.evaluate(() => {
          const a = document.activeElement as { dataset?: Record<string, string>; type?: string; name?: string } | null;
          return a?.dataset?.kbd === undefined ? null : `${a.dataset.kbd}|${a.type === "radio" ? a.name : ""}`;
        });
        if (id === null) continue;
        const [n, radio] = id.split("|");
        if (radio) radios.add(radio);
        if (reached.has(n!) && reached.size >= wanted) break;
        reached.add(n!);
      }
      // A radio group is one Tab stop (arrow keys move within it): count the group once.
      const missing = await page.evaluate(
        (got) => {
          const out: string[] = [];
          const all = document.querySelectorAll("[data-kbd]");
          const groups = new Set<string>();
          for (let i = 0; i < all.length; i++) {
            const el = all[i] as unknown as {
              dataset: Record<string, string>;
              type?: string;
              name?: string;
              outerHTML: string;
            };
            if (el.type === "radio") {
              if (groups.has(el.name ?? "")) continue;
              groups.add(el.name ?? "");
            }
            if (!got.includes(el.dataset.kbd!) && !(el.type === "radio" && got.length > 0))
              out.push(el.outerHTML.slice(0, 120));
          }
          return out;
        },
        [...reached],
      );
      assert.deepEqual(missing, [], `${what}: controls the keyboard does not reach`);
    };

    /** axe, a screenshot, and on a phone no sideways scrolling. */
    const check = async (page: Page, name: string) => {
      const lang = (await page.locator("html").getAttribute("lang")) ?? "?";
      const width = page.viewportSize()?.width ?? 0;
      const what = `${name} (${lang}, ${width} px)`;
      await screenshot(page, name);
      const serious = await seriousViolations(page);
      assert.equal(serious, "", `${what}: axe finds serious or critical violations:\n${serious}`);
      if (width < 600) await noHorizontalScroll(page, what);
    };

    before(async () => {
      w = await startWebApp();
      const admin = w.keys[`${SAWAB} curator`]!;
      const banks = (await w.api(admin, "GET", "/v1/banks")).body as { banks: { id: number; org_id: number }[] };
      for (const b of banks.banks) {
        const list = (await w.api(admin, "GET", `/v1/banks/${b.id}/signals?limit=1`)).body as {
          signals?: { id: number }[];
        };
        if (list.signals?.[0]) {
          signalId = list.signals[0].id;
          break;
        }
      }
      assert.ok(signalId > 0, "the demo has a signal");
    });
    after(async () => {
      await w?.close();
    });

    it("has axe-core installed for the accessibility checks", () => {
      assert.ok(haveAxe(), `axe-core is missing (${AXE_PATH}): npm install --save-dev axe-core`);
      assert.match(readFileSync(AXE_PATH, "utf8").slice(0, 200), /axe v\d/);
    });

    for (const lang of ["en", "ar"] as const)
      for (const width of [1280, 390])
        it(`every screen in ${lang} at ${width} px: no serious or critical axe violation, screenshots, keyboard`, async () => {
          // Signing in.
          const out = await w.newPage({ viewport: { width, height: 900 }, bypassCSP: true });
          await out.addInitScript((l) => localStorage.setItem("rasd.locale", l), lang);
          await out.goto(`${w.base}/`);
          await out.locator("form button[type=submit]").first().waitFor();
          await check(out, "signin");
          await keyboardReachesEverything(out, `sign-in (${lang}, ${width})`);
          await out.context().close();

          const page = await signedIn(PLATFORM, "demo-admin", { lang, width, axe: true });
          await page.goto(`${w.base}/#/dashboard`);
          await page.locator("#activity .uplot-box canvas").waitFor();
          await page.locator("#takedown .totals").waitFor();
          await page.locator("#ratio .uplot-box canvas, #ratio .notice").first().waitFor();
          await check(page, "dashboard");
          await keyboardReachesEverything(page, `dashboard (${lang}, ${width})`);

          await page.goto(`${w.base}/#/review`);
          await page.locator(".item-detail h3").first().waitFor();
          await page.locator("[data-testid=claimed]").waitFor();
          await check(page, "review");
          await keyboardReachesEverything(page, `review (${lang}, ${width})`);

          await page.goto(`${w.base}/#/labels`);
          await page.locator("main h1").waitFor();
          await page.locator("main .muted").first().waitFor();
          await check(page, "labels");
          await keyboardReachesEverything(page, `labels (${lang}, ${width})`);

          await page.goto(`${w.base}/#/banks`);
          await page.locator(".results li").first().waitFor();
          await check(page, "banks");
          await keyboardReachesEverything(page, `banks (${lang}, ${width})`);

          await page.goto(`${w.base}/#/banks/signal/${signalId}`);
          await page.locator("#signal .facts").waitFor();
          await check(page, "signal");

          await page.goto(`${w.base}/#/reports`);
          await page.locator("#transparency form").waitFor();
          await page.locator("#signal-hits .notice, #signal-hits .totals").first().waitFor();
          await check(page, "reports");
          await keyboardReachesEverything(page, `reports (${lang}, ${width})`);

          // The screens of issues 19 and 20: links, counter-messaging, incidents.
          for (const screen of ["links", "counter", "incidents"]) {
            await page.goto(`${w.base}/#/${screen}`);
            await page.locator("main h1").waitFor();
            await page.waitForLoadState("networkidle");
            await check(page, screen);
          }
          await page.context().close();

          // The signal owner's view, with its banks' hits.
          const curator = await signedIn(SAWAB, "demo-curator", { lang, width, axe: true });
          await curator.goto(`${w.base}/#/reports`);
          await curator.locator("[data-testid=hits-by-member]").waitFor();
          await check(curator, "reports-curator");
          await curator.context().close();
        });

    it("dashboard: the filters reach the measure APIs; the stance's scope is labelled as asked; figures that cannot be estimated say why", async () => {
      const page = await signedIn(SAWAB, "demo-admin");
      // NGO and government members see the same screen; here the Sawab Center's admin.
      const asked: string[] = [];
      page.on("request", (r) => {
        if (r.url().includes("/v1/measure/")) asked.push(r.url());
      });
      /** Waits until the app asked for a measure with these parameters (the request may go before we look). */
      const askedFor = async (re: RegExp) => {
        for (let i = 0; i < 600 && !asked.some((u) => re.test(u)); i++) await page.waitForTimeout(100);
        assert.ok(
          asked.some((u) => re.test(u)),
          `no request matched ${re}: ${asked.join("\n")}`,
        );
      };
      const filters = page.locator("form.filters");
      await page.goto(`${w.base}/#/dashboard`);
      await page.locator("#takedown .totals").waitFor();
      await page.locator("#ratio .uplot-box canvas, #ratio [data-testid=ratio-none]").first().waitFor();
      assert.match(await page.locator("#ratio-h").innerText(), /items Sawab Center submitted/);
      await filters.getByLabel("Whose items").selectOption("coalition");
      await page.locator("#ratio-h", { hasText: "all members' items" }).waitFor();
      await page.locator("#ratio [data-testid=stance-scope]").waitFor();
      assert.match(
        await page.locator("#ratio [data-testid=stance-scope]").innerText(),
        /every member's classified items/,
      );
      await askedFor(/\/v1\/measure\/stance\?.*scope=coalition/);
      await filters.getByLabel("Content language").selectOption("ar");
      await askedFor(/\/v1\/measure\/takedown\?.*lang=ar/);
      const bank = await filters.getByLabel("Bank").locator("option").nth(1).getAttribute("value");
      await filters.getByLabel("Bank").selectOption(bank!);
      await askedFor(new RegExp(`/v1/measure/takedown\\?.*bank=${bank}`));
      // A country with no items: every figure that cannot be estimated says why.
      await filters.getByLabel("Country").fill("ZZ");
      await askedFor(/\/v1\/measure\/reuploads\?.*country=ZZ/);
      await page.locator("#takedown [data-testid=cannot-estimate]").waitFor();
      assert.match(
        await page.locator("#takedown [data-testid=cannot-estimate]").innerText(),
        /no matched item in scope/,
      );
      await page.locator("#prevalence [data-testid=prevalence-none]").waitFor();
      assert.match(await page.locator("#prevalence").innerText(), /Cannot be estimated: 0 classified items/);
      await page.getByRole("button", { name: "Clear filters" }).click();
      await page.locator("#ratio-h", { hasText: "items Sawab Center submitted" }).waitFor();
      // One definition per figure, the same on the Reports screen.
      await page.locator("#definitions summary").click();
      const here = await page.locator("#definitions").innerText();
      await page.goto(`${w.base}/#/reports`);
      await page.locator("#definitions summary").click();
      assert.equal(await page.locator("#definitions").innerText(), here);
      await page.context().close();
    });

    it("charts: uPlot's values in the locale and the chosen digits", async () => {
      const page = await signedIn(PLATFORM, "demo-admin", { lang: "ar", digits: "arab" });
      await page.goto(`${w.base}/#/dashboard`);
      const box = page.locator("#activity .uplot-box");
      await box.locator("canvas").waitFor();
      // Hovered once laid out and stable (the chart may draw again when its data comes).
      await box.locator(".u-over").hover();
      const legend = await box.locator(".u-legend").innerText();
      assert.match(legend, /[٠-٩]/, `the legend's values in Arabic-Indic digits: ${legend}`);
      assert.doesNotMatch(legend, /[0-9]/, `no Western digits: ${legend}`);
      await page.context().close();
    });

    it("review wellness: counters, preferences saved on the server, a break prompt, the daily limit", async () => {
      const admin = w.keys[`${PLATFORM} admin`]!;
      assert.equal((await w.api(admin, "PUT", "/v1/reviews/daily-limit", { daily_limit: null })).status, 200);
      const page = await signedIn(PLATFORM, "demo-reviewer");
      await page.goto(`${w.base}/#/review`);
      await page.locator("[data-testid=claimed]").waitFor();
      await page.locator("[data-testid=seen-session]", { hasText: "1" }).waitFor();
      const today = Number(await page.locator("[data-testid=seen-today]").innerText());
      assert.ok(today >= 1, "opening an entry counts today");
      // Preferences: a weaker blur, saved to the account.
      await page.getByText("Viewing and break preferences").click();
      await page.getByLabel(/Blur before revealing/).fill("8");
      await page.getByLabel("Break prompt after items (0: never)").fill("2");
      await page.getByRole("button", { name: "Save preferences" }).click();
      await page.getByText("Saved.").waitFor();
      const saved = (await w.api(admin, "GET", "/v1/reviews/wellness")).body as { preferences: { blur: number } };
      assert.equal(saved.preferences.blur, 24, "the admin's own preferences are untouched");
      const media = page.locator(".media.concealed img, .media.concealed video");
      if ((await media.count()) > 0)
        assert.match(await media.first().evaluate((el) => getComputedStyle(el).filter), /blur\(8px\)/);
      // A second item: the break prompt (after 2 items) hides the item until the reviewer chooses.
      await page.keyboard.press("j");
      await page.locator("[data-testid=break-prompt]").waitFor();
      assert.equal(await page.locator(".item-detail").count(), 0, "no item behind the break prompt");
      await screenshot(page, "review-break");
      await page.getByRole("button", { name: "Carry on" }).click();
      await page.locator(".item-detail").waitFor();
      // The daily limit: at today's count, a new item is refused with the reason.
      const seen = Number(await page.locator("[data-testid=seen-today]").innerText());
      assert.equal((await w.api(admin, "PUT", "/v1/reviews/daily-limit", { daily_limit: seen })).status, 200);
      await page.reload();
      await page.locator("[data-testid=limit-reached]").waitFor();
      // The entries opened before are still the reviewer's; the next new one is refused.
      const refused = page.locator("[data-testid=claimed-elsewhere]", { hasText: "daily review limit" });
      for (let i = 0; i < 5 && (await refused.count()) === 0; i++) {
        await page.keyboard.press("j");
        await page.waitForTimeout(1500);
      }
      await refused.waitFor();
      await screenshot(page, "review-limit");
      assert.equal((await w.api(admin, "PUT", "/v1/reviews/daily-limit", { daily_limit: null })).status, 200);
      await page.context().close();
    });

    it("a session that ends mid-work asks to sign in again in place; the screen and the typed reasons stay", async () => {
      const page = await signedIn(PLATFORM, "demo-reviewer", { axe: true });
      await page.goto(`${w.base}/#/review`);
      await page.locator("[data-testid=claimed]").waitFor();
      const heading = await page.locator("#item-h").innerText();
      await page.getByLabel("Statement of reasons (required)").fill("Half-written when the session ended");
      const token = await page.evaluate(
        () =>
          (
            JSON.parse(
              (globalThis as unknown as { sessionStorage: { getItem(k: string): string } }).sessionStorage.getItem(
                "rasd.session",
              ),
            ) as { token: string }
          ).token,
      );
      assert.equal((await w.api(token, "DELETE", "/v1/session")).status, 204);
      // The next request is refused: a sign-in dialog over the same screen, which stays behind it.
      await page.getByText("Viewing and break preferences").click();
      await page.getByRole("button", { name: "Save preferences" }).click();
      const dialog = page.getByRole("dialog", { name: "Sign in" });
      await dialog.waitFor();
      assert.match(await dialog.locator("[data-testid=signin-notice]").innerText(), /Your session ended/);
      assert.equal(await page.locator("#item-h").innerText(), heading, "the screen stays behind the dialog");
      await check(page, "signin-again");
      await dialog.getByLabel("Organisation").fill(PLATFORM);
      await dialog.getByLabel("Person").fill("demo-reviewer");
      await dialog.getByLabel("Password").fill(w.password);
      await dialog.getByRole("button", { name: "Sign in" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.locator("[data-testid=draft-restored]").waitFor();
      assert.equal(await page.locator("#item-h").innerText(), heading);
      assert.equal(
        await page.getByLabel("Statement of reasons (required)").inputValue(),
        "Half-written when the session ended",
      );
      await page.context().close();
    });

    it("reports: the transparency report generated and downloaded; the curator's hits by member and decision", async () => {
      const page = await signedIn(PLATFORM, "demo-admin");
      await page.goto(`${w.base}/#/reports`);
      await page.getByRole("button", { name: "Generate" }).click();
      await page.locator("[data-testid=report-summary]").waitFor();
      assert.match(await page.locator("[data-testid=report-summary]").innerText(), /Example Platform/);
      const [csv] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download CSV" }).click(),
      ]);
      assert.match(csv.suggestedFilename(), /^transparency-report-org-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
      const text = readFileSync((await csv.path())!, "utf8");
      assert.match(text, /^figure,value/);
      const [html] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download the web page" }).click(),
      ]);
      assert.match(readFileSync((await html.path())!, "utf8"), /<html/);
      // Bad dates are refused in words, before asking the server.
      await page.getByLabel("From").fill("2030-01-01");
      await page.getByRole("button", { name: "Generate" }).click();
      await page.getByText("The start must be before the end.").waitFor();
      await page.context().close();

      const curator = await signedIn(SAWAB, "demo-curator");
      await curator.goto(`${w.base}/#/reports`);
      await curator.locator("[data-testid=hits-by-member]").waitFor();
      assert.ok(Number(await curator.locator("[data-testid=hits-items]").innerText()) > 0);
      assert.match(await curator.locator("[data-testid=hits-by-member]").innerText(), /Example Platform/);
      assert.equal(await curator.getByRole("button", { name: "Generate" }).count(), 1);
      await curator.context().close();
      assert.deepEqual(pageErrors, []);
    });
  },
);
