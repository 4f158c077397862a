/**
 * The web app end to end, in Debian's chromium driven by playwright-core: a real service
 * (the routes, services and SQLite store `rasd serve` runs, with the --demo data) serving the
 * built bundle. Signs in with an account and with an API key, sees the dashboard's charts,
 * reviews an item (reveal, decide violating with labels and reasons, add it to a bank),
 * searches a bank in Arabic and by hash, checks that another organisation sees none of the
 * restricted data, that the screens reflow at 200% zoom without horizontal scrolling, and
 * that the Content-Security-Policy refuses nothing. A screenshot of each main screen is kept
 * in test-artifacts/web/.
 *
 * Without /usr/bin/chromium the test is skipped, saying so — unless RASD_REQUIRE_BROWSER=1.
 */

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { SCREENSHOTS_DIR } from "../support/screenshots.js";
import { CHROMIUM, haveBrowser, startWebApp, type WebApp } from "../support/web-app.js";

// Browser globals, for the callbacks that page.evaluate() runs in chromium (not in Node).
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number; getAttribute(name: string): string | null };
  activeElement: { textContent: string | null; id: string } | null;
  cookie: string;
};
declare const sessionStorage: { getItem(key: string): string | null };
declare function getComputedStyle(element: unknown): { filter: string };

// Screenshots go where CI keeps them, beside the sweep's (test/support/screenshots.ts).
const ARTIFACTS = join(SCREENSHOTS_DIR, "e2e");

describe(
  "web app in chromium",
  { skip: haveBrowser ? false : `${CHROMIUM} is not installed`, timeout: 900_000 },
  () => {
    let w: WebApp;
    let base: string;
    let keys: Record<string, string>;
    let password: string;
    const cspErrors: string[] = [];

    const api = async (token: string, method: string, path: string, body?: unknown) => {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, body: (await r.json().catch(() => undefined)) as Record<string, unknown> };
    };

    const newPage = async (width = 1280, height = 900, scale = 1): Promise<Page> => {
      const page = await w.newPage({ viewport: { width, height }, deviceScaleFactor: scale });
      page.on("console", (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
      });
      page.on("pageerror", (e) => cspErrors.push(`page error: ${e.message}`));
      return page;
    };

    const signInAccount = async (page: Page, org: string, person: string) => {
      await page.goto(`${base}/`);
      await page.getByLabel("Organisation").fill(org);
      await page.getByLabel("Person").fill(person);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page
        .getByRole("heading", { name: "Dashboard" })
        .waitFor()
        .catch(async (error: unknown) => {
          throw new Error(
            `sign-in as ${person} failed (${String(error)}); the page says: ${await page.locator("main").innerText()}`,
          );
        });
    };

    const noHorizontalScroll = async (page: Page, what: string) => {
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      assert.ok(scroll <= client + 1, `${what}: the page scrolls sideways (${scroll} > ${client})`);
    };

    before(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      w = await startWebApp();
      ({ base, keys, password } = w);
    });

    after(() => w?.close());

    it("serves the app with a strict CSP, nosniff and the right caching", async () => {
      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      const csp = page.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
      assert.equal(page.headers.get("x-content-type-options"), "nosniff");
      assert.equal(page.headers.get("cache-control"), "no-cache");
      const html = await page.text();
      assert.doesNotMatch(html, /<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>[^<]/, "no inline script");
      const js = /src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
      assert.ok(js, "the page names its script");
      const asset = await fetch(`${base}${js}`);
      assert.equal(asset.status, 200);
      assert.match(asset.headers.get("content-type") ?? "", /javascript/);
      assert.match(asset.headers.get("cache-control") ?? "", /immutable/);
      assert.equal((await fetch(`${base}/assets/..%2Fpackage.json`)).status, 404);
    });

    it("signs in with an account and shows the dashboard's charts", async () => {
      const page = await newPage();
      await signInAccount(page, "Example Platform", "demo-reviewer");
      await page.locator("#activity .uplot-box canvas").waitFor();
      await page.locator("#tta svg.percentile-svg").waitFor();
      assert.match(await page.locator("#by-bank").innerText(), /isis-propaganda/);
      assert.match(await page.locator("#by-label").innerText(), /recruitment/);
      // The demo's 90-day history: the anti:pro ratio with its confidence band, and the
      // takedown figures, from the real measurement API.
      await page.locator("#ratio .uplot-box canvas").waitFor();
      assert.match(await page.locator("#ratio").innerText(), /confidence interval/);
      assert.match(
        String(await page.locator("#ratio .uplot-box").getAttribute("aria-label")),
        /latest estimate (\d+\.\d|none)/,
      );
      assert.match(await page.locator("#takedown").innerText(), /Posts/);
      assert.match(await page.locator("#takedown").innerText(), /\d+%/);
      assert.match(await page.locator(".who").innerText(), /demo-reviewer · reviewer · Example Platform/);
      const full = page;
      await full.locator("#activity .uplot-box canvas").waitFor();
      await full.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
      await full.context().close();
    });

    it("reviews an item: blurred until revealed, one at a time; decides violating and adds it to a bank", async () => {
      const page = await newPage();
      await signInAccount(page, "Example Platform", "demo-reviewer");
      await page.getByRole("link", { name: "Review" }).click();
      await page.getByRole("heading", { name: "Review queue" }).waitFor();
      assert.match(await page.locator(".shortcuts").innerText(), /reveal/);
      const reviews = (await api(keys["Example Platform admin"]!, "GET", "/v1/reviews?limit=100")).body.reviews as {
        id: number;
        item_id: number;
      }[];
      const items = await Promise.all(
        reviews.map(async (r) => ({
          r,
          item: (await api(keys["Example Platform admin"]!, "GET", `/v1/content/${r.item_id}`)).body,
        })),
      );
      const image = items.find((x) => x.item.kind === "image")!;
      const text = items.find((x) => x.item.kind === "text" && /[\u0600-\u06FF]/.test(String(x.item.text)))!;
      assert.ok(image && text, "the demo queues an image and an Arabic text");

      // Arabic item text is right-to-left and marked as Arabic.
      await page.getByRole("button", { name: new RegExp(`Review #${text.r.id}\\b`) }).click();
      const itemText = page.locator(".item-text");
      assert.equal(await itemText.getAttribute("lang"), "ar");
      assert.equal(await itemText.getAttribute("dir"), "rtl");

      await page.getByRole("button", { name: new RegExp(`Review #${image.r.id}\\b`) }).click();
      const media = page.locator("[data-testid=media]");
      await media.locator("img").waitFor();
      const filter = () => media.locator("img").evaluate((el) => getComputedStyle(el).filter);
      assert.match(await filter(), /blur.*grayscale|grayscale.*blur/, "blurred and greyscale by default");
      await page.screenshot({ path: join(ARTIFACTS, "review.png"), fullPage: true });
      await page.keyboard.press("r");
      assert.equal(await filter(), "none", "revealed on request");
      // Another item, and back: hidden again.
      await page.keyboard.press("j");
      await page.keyboard.press("k");
      await page.getByRole("button", { name: new RegExp(`Review #${image.r.id}\\b`) }).click();
      await media.locator("img").waitFor();
      assert.match(await filter(), /blur/, "moving to another item hides the media again");
      await page.getByRole("button", { name: "Reveal media (r)" }).click();
      assert.equal(await filter(), "none");

      await page.keyboard.press("v");
      await page.getByRole("radio", { name: "Violating", exact: true }).waitFor();
      assert.ok(await page.getByRole("radio", { name: "Violating", exact: true }).isChecked());
      // Without labels and reasons the form says what is missing.
      await page.getByRole("button", { name: "Record decision" }).click();
      await page.getByText("needs at least one entity or behaviour").waitFor();
      await page.getByRole("checkbox", { name: "isis" }).check();
      await page.getByRole("checkbox", { name: "glorification" }).check();
      await page
        .getByLabel("Statement of reasons (required)")
        .fill("Glorifies the group's attacks; matches a known image.");
      await page.getByRole("checkbox", { name: "Add this item's hashes to a bank" }).check();
      await page.locator("select[name=bank]").selectOption({ label: "platform-confirmed (TLP:AMBER+STRICT)" });
      await page.screenshot({ path: join(ARTIFACTS, "review-decision.png"), fullPage: true });
      await page.getByRole("button", { name: "Record decision" }).click();
      await page.getByText(/Violating; 3 signal\(s\) added to platform-confirmed/).waitFor();

      const decided = (await api(keys["Example Platform admin"]!, "GET", `/v1/reviews/${image.r.id}`)).body
        .review as Record<string, unknown>;
      assert.equal(decided.decision, "violating");
      assert.match(String(decided.reasons), /Glorifies/);
      assert.deepEqual(decided.labels, { entity: ["isis"], behaviour: ["glorification"], language: [] });
      const banks = (await api(keys["Example Platform admin"]!, "GET", "/v1/banks")).body.banks as {
        id: number;
        name: string;
      }[];
      const confirmed = banks.find((b) => b.name === "platform-confirmed")!;
      const signals = (await api(keys["Example Platform admin"]!, "GET", `/v1/banks/${confirmed.id}/signals`)).body
        .signals as {
        type: string;
      }[];
      assert.deepEqual(signals.map((x) => x.type).sort(), ["md5", "pdq", "sha256"]);
      await page.context().close();
    });

    it("signs in with an API key, searches a bank in Arabic and by hash, gives an opinion", async () => {
      const page = await newPage();
      await page.goto(`${base}/`);
      await page.getByRole("tab", { name: "API key" }).click();
      await page.locator("input[name=apiKey]").fill(keys["Sawab Center curator"]!);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
      const stored = await page.evaluate(() => JSON.stringify(sessionStorage));
      assert.ok(!stored.includes(keys["Sawab Center curator"]!), "the browser keeps a session, not the API key");
      assert.equal(await page.evaluate(() => document.cookie), "", "no cookie");

      await page.getByRole("link", { name: "Banks" }).click();
      await page.getByRole("heading", { name: "Banks", exact: true }).waitFor();
      await page.getByLabel("Hash, URL or text").fill("الخلافة");
      await page.getByRole("button", { name: "Search" }).click();
      // Wait for the search's own result: until it answers, the screen lists every visible signal.
      const arabic = page.locator(".results .signal-value[lang=ar]", { hasText: "دولة الخلافة" }).first();
      await arabic.waitFor();
      assert.equal(await arabic.getAttribute("dir"), "rtl");
      assert.match(await arabic.innerText(), /دولة الخلافة/);
      await page.screenshot({ path: join(ARTIFACTS, "banks.png"), fullPage: true });

      const hash = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
      await page.getByLabel("Hash, URL or text").fill(hash);
      await page.getByRole("button", { name: "Search" }).click();
      const first = page.locator(".results li").first();
      await first.getByText(hash).waitFor();
      assert.match(await first.innerText(), /distance 0/);
      await first.locator("button.result").click();
      await page.getByRole("heading", { name: /Signal #\d+/ }).waitFor();
      await page.getByLabel("Your organisation's opinion").selectOption("confirm");
      await page.getByRole("button", { name: "Give opinion" }).click();
      await page.getByText("Opinion recorded.").waitFor();
      await page.locator(".opinions").getByText("Sawab Center").waitFor();
      await page.locator(".history").getByText("opinion: confirm").first().waitFor();
      await page.screenshot({ path: join(ARTIFACTS, "signal.png"), fullPage: true });

      // Sign out ends the session on the server too.
      const token = await page.evaluate(
        () => (JSON.parse(sessionStorage.getItem("rasd.session")!) as { token: string }).token,
      );
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: /Sign in/ }).waitFor();
      assert.equal((await api(token, "GET", "/v1/me")).status, 401);
      await page.context().close();
    });

    it("another organisation's person sees none of the restricted data", async () => {
      const page = await newPage();
      await signInAccount(page, "Counter-Narratives NGO", "demo-reader");
      await page.getByRole("link", { name: "Review" }).click();
      await page.getByText("Nothing is waiting for review.").waitFor();
      await page.getByRole("link", { name: "Banks" }).click();
      await page.locator("#bank-list li").first().waitFor();
      const list = await page.locator("#bank-list").innerText();
      assert.match(list, /isis-propaganda/, "GREEN banks are shared with every member");
      assert.doesNotMatch(list, /recruitment-links|platform-confirmed/, "AMBER and AMBER+STRICT banks are not");
      await page.getByLabel("Hash, URL or text").fill("justpaste");
      await page.getByRole("button", { name: "Search" }).click();
      await page.getByText("No signal matches.").waitFor();
      assert.equal(
        await page.getByRole("button", { name: "Give opinion" }).count(),
        0,
        "a reader cannot give opinions",
      );
      await page.context().close();
    });

    it("reflows at 200% zoom: no horizontal scrolling on the main screens; keyboard reaches the navigation", async () => {
      const page = await newPage(640, 450, 2);
      await signInAccount(page, "Example Platform", "demo-admin");
      await page.locator("#activity .uplot-box canvas").waitFor();
      await noHorizontalScroll(page, "dashboard");
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-200.png"), fullPage: true });
      await page.getByRole("link", { name: "Review" }).click();
      await page.getByRole("heading", { name: "Review queue" }).waitFor();
      await page.locator(".item-detail h3").first().waitFor();
      await noHorizontalScroll(page, "review");
      await page.screenshot({ path: join(ARTIFACTS, "review-200.png"), fullPage: true });
      await page.getByRole("link", { name: "Banks" }).click();
      await page.locator(".results li").first().waitFor();
      await noHorizontalScroll(page, "banks");
      await page.screenshot({ path: join(ARTIFACTS, "banks-200.png"), fullPage: true });
      // Keyboard: the first Tab reaches the skip link, the next ones the navigation.
      await page.reload();
      await page.locator(".results li").first().waitFor();
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Dashboard");
      await page.context().close();
    });

    it("in Arabic: right-to-left, no sideways scrolling at 390 px, the choice remembered after a reload", async () => {
      const page = await newPage(390, 844);
      await signInAccount(page, "Example Platform", "demo-admin");
      await page.getByRole("banner").getByLabel("Language").selectOption("ar");
      await page.getByRole("heading", { name: "لوحة المعلومات" }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.getAttribute("dir")), "rtl");
      assert.equal(await page.evaluate(() => document.documentElement.getAttribute("lang")), "ar");
      await page.locator("#activity .uplot-box canvas").waitFor();
      await noHorizontalScroll(page, "dashboard in Arabic");
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-ar-390.png"), fullPage: true });
      // Arabic-Indic digits by choice, everywhere the same.
      await page.getByLabel("الأرقام").selectOption("arab");
      assert.match(await page.locator(".totals").first().innerText(), /[٠-٩]/);
      assert.doesNotMatch(await page.locator(".totals").first().innerText(), /[0-9]/);
      await page.getByRole("link", { name: "المراجعة" }).click();
      await page.getByRole("heading", { name: "قائمة المراجعة" }).waitFor();
      await page.locator(".item-detail h3").first().waitFor();
      await noHorizontalScroll(page, "review in Arabic");
      await page.screenshot({ path: join(ARTIFACTS, "review-ar-390.png"), fullPage: true });
      await page.getByRole("link", { name: "البنوك" }).click();
      await page.locator(".results li").first().waitFor();
      await noHorizontalScroll(page, "banks in Arabic");
      await page.screenshot({ path: join(ARTIFACTS, "banks-ar-390.png"), fullPage: true });
      await page.reload();
      await page.getByRole("heading", { name: "البنوك", exact: true }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.getAttribute("dir")), "rtl");
      await page.getByRole("banner").getByLabel("اللغة").selectOption("en");
      await page.getByRole("heading", { name: "Banks", exact: true }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.getAttribute("dir")), "ltr");
      await page.context().close();
    });

    it("review says why an item is queued: each match with bank and distance, the rule and priority, the caption", async () => {
      const page = await newPage();
      await signInAccount(page, "Example Platform", "demo-reviewer");
      await page.getByRole("link", { name: "Review" }).click();
      await page.getByRole("heading", { name: "Review queue" }).waitFor();
      const why = page.locator("[data-testid=why]");
      await why.waitFor();
      assert.match(await why.innerText(), /Queued at priority \d\.\d\d/);
      const detail = page.locator(".item-detail");
      // The total, not one page: the heading counts what the API says is waiting.
      const listed = (await api(keys["Example Platform admin"]!, "GET", "/v1/reviews?status=open")).body;
      assert.match(await page.locator("[data-testid=queue-count]").innerText(), /^Waiting \(\d+( of \d+)?\)$/);
      assert.ok(typeof listed.total === "number");
      // An item with a match shows the bank, the signal and its distance or similarity.
      const entries = listed.reviews as { id: number; item_id: number }[];
      let shown = false;
      for (const r of entries) {
        const d = (await api(keys["Example Platform admin"]!, "GET", `/v1/reviews/${r.id}`)).body;
        const matched = d.matched_signals as { bank: { name: string } }[];
        const item = d.item as { kind: string; text?: string };
        if (matched.length === 0) continue;
        await page.getByRole("button", { name: new RegExp(`Review #${r.id}\\b`) }).click();
        await detail.getByRole("heading", { name: `Review #${r.id}` }).waitFor();
        const match = detail.locator(".matches li").first();
        await match.waitFor();
        assert.match(await match.innerText(), new RegExp(`in ${matched[0]!.bank.name}`));
        assert.match(await match.innerText(), /distance \d+|similarity \d+%/);
        assert.match(await match.locator(".badge.tlp").innerText(), /^TLP:/);
        if (item.kind === "image" || item.kind === "video") {
          const caption = detail.locator("[data-testid=caption]");
          await caption.waitFor();
          assert.match(await caption.innerText(), item.text ? new RegExp(item.text.slice(0, 20)) : /No caption/);
        }
        shown = true;
        break;
      }
      assert.ok(shown, "the demo queues an item with a visible match");
      await page.screenshot({ path: join(ARTIFACTS, "review-why.png"), fullPage: true });
      await page.context().close();
    });

    it("an item one reviewer has open is not offered to a second; escalation goes to the admins' queue and back", async () => {
      const reviewer = await newPage();
      await signInAccount(reviewer, "Example Platform", "demo-reviewer");
      await reviewer.getByRole("link", { name: "Review" }).click();
      await reviewer.locator("[data-testid=claimed]").waitFor();
      const id = Number(/#(\d+)/.exec(await reviewer.locator("#item-h").innerText())![1]);
      const admin = await newPage();
      await signInAccount(admin, "Example Platform", "demo-admin");
      await admin.getByRole("link", { name: "Review" }).click();
      await admin.locator("[data-testid=claimed]").waitFor();
      assert.equal(
        await admin.getByRole("button", { name: new RegExp(`Review #${id}\\b`) }).count(),
        0,
        "the claimed item is not in the second reviewer's queue",
      );
      // The reviewer escalates it with a statement of reasons.
      await reviewer.keyboard.press("e");
      await reviewer.getByLabel("Statement of reasons (required)").fill("Unsure: satire or glorification?");
      await reviewer.getByRole("button", { name: "Record decision" }).click();
      await reviewer.getByText(`Review #${id}: Escalate.`).waitFor();
      await reviewer.getByRole("button", { name: "Escalated" }).click();
      await reviewer.getByRole("button", { name: new RegExp(`Review #${id}\\b`) }).click();
      await reviewer.locator("[data-testid=escalated-note]").waitFor();
      assert.equal(await reviewer.getByRole("button", { name: "Record decision" }).count(), 0);
      // The admin (senior reviewer) decides it from the escalated queue; it is then a past decision.
      await admin.getByRole("button", { name: "Escalated" }).click();
      await admin.getByRole("button", { name: new RegExp(`Review #${id}\\b`) }).click();
      await admin.locator("[data-testid=claimed]").waitFor();
      await admin.getByRole("radio", { name: "Not violating" }).check();
      await admin.getByLabel("Statement of reasons (required)").fill("Satire: mocks the group.");
      await admin.getByRole("button", { name: "Record decision" }).click();
      await admin.getByText(`Review #${id}: Not violating.`).waitFor();
      await admin.getByRole("button", { name: "Past decisions" }).click();
      await admin.getByRole("button", { name: new RegExp(`Review #${id}\\b`) }).click();
      await admin.locator("[data-testid=decided]").getByText("Satire: mocks the group.").waitFor();
      const r = (await api(keys["Example Platform admin"]!, "GET", `/v1/reviews/${id}`)).body.review as Record<
        string,
        unknown
      >;
      assert.equal(r.status, "decided");
      assert.equal(r.decision, "not_violating");
      await reviewer.context().close();
      await admin.context().close();
    });

    it("an expired session keeps the statement of reasons and says why sign-in is asked for", async () => {
      const page = await newPage();
      await signInAccount(page, "Example Platform", "demo-reviewer");
      await page.getByRole("link", { name: "Review" }).click();
      await page.locator("[data-testid=claimed]").waitFor();
      const heading = await page.locator("#item-h").innerText();
      await page.getByLabel("Statement of reasons (required)").fill("Half-written: the flag and the caption together");
      // The session ends on the server (expiry, or sign-out elsewhere): the next request is refused.
      const token = await page.evaluate(
        () => (JSON.parse(sessionStorage.getItem("rasd.session")!) as { token: string }).token,
      );
      assert.equal((await api(token, "DELETE", "/v1/session")).status, 204);
      await page.reload();
      await page.locator("[data-testid=signin-notice]").getByText("Your session ended").waitFor();
      await page.getByLabel("Organisation").fill("Example Platform");
      await page.getByLabel("Person").fill("demo-reviewer");
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Review queue" }).waitFor();
      await page.locator("[data-testid=draft-restored]").waitFor();
      assert.equal(await page.locator("#item-h").innerText(), heading);
      assert.equal(
        await page.getByLabel("Statement of reasons (required)").inputValue(),
        "Half-written: the flag and the caption together",
      );
      await page.context().close();
    });

    it("the skip link moves focus to the main content", async () => {
      const page = await newPage();
      await signInAccount(page, "Example Platform", "demo-reviewer");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Enter");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "main");
      await page.context().close();
    });

    it("the Content-Security-Policy refused nothing and no page threw", () => {
      assert.deepEqual(cspErrors, []);
    });
  },
);
