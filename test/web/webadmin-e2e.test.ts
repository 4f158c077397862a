/**
 * The admin and platform-engineer screens end to end in chromium (issue 18), against a real
 * service with the --demo data: the platform's admin creates an API key and sees its secret
 * once, revokes it (the API then refuses it), adds and disables a person, creates a bank,
 * browses the audit log with its chain check; creates a webhook (secret once), rotates its
 * secret, submits content that matches so the webhook (answering 500) is dead-lettered, and
 * redelivers it from the deliveries screen; the platform's submitter matches an uploaded
 * generated image against the banks. A reviewer sees neither screen and the API refuses them.
 * Every screen in English and Arabic (dir=rtl, translated headings), at 1280 and 390 px wide
 * without sideways scrolling and without serious or critical axe-core violations; screenshots
 * go to RASD_SCREENSHOTS_DIR (test/support/screenshots.ts).
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { loadConfig } from "../../src/config/config.js";
import { buildApp } from "../../src/http/app.js";
import { allRoutes } from "../../src/http/routes/index.js";
import { demoImage, loadDemo } from "../../src/server/demo.js";
import { closeServices, openServices, startWorkers, type Services } from "../../src/server/services.js";
import {
  assertNoSidewaysScroll,
  browserAvailable,
  ensureWebBundle,
  launchChromium,
  seriousA11yViolations,
} from "../support/browser.js";
import { startReceiver, type Receiver } from "../support/receiver.js";
import { screenshot } from "../support/screenshots.js";

// Browser globals, for the callbacks page.evaluate() runs in chromium.
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number; getAttribute(name: string): string | null };
};

const haveBrowser = browserAvailable("test/web/webadmin-e2e.test.ts");
const PLATFORM = "Example Platform";
/** A text of the demo's shared bank: it matches, so the platform's rules act on it. */
const MATCHING_TEXT = "Join the ranks of the caliphate now, migration is an obligation for every believer";

describe(
  "admin and platform screens in chromium",
  { skip: haveBrowser ? false : "chromium is not installed", timeout: 900_000 },
  () => {
    let s: Services;
    let app: FastifyInstance;
    let base: string;
    let browser: Browser;
    let dir: string;
    let keys: Record<string, string>;
    let password: string;
    let hook: Receiver;
    const pageErrors: string[] = [];

    const api = async (token: string, method: string, path: string) => {
      const r = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, body: (await r.json().catch(() => undefined)) as Record<string, unknown> };
    };

    const newPage = async (width = 1280): Promise<Page> => {
      // bypassCSP only so that axe-core can be injected; the CSP itself is tested in e2e.test.ts.
      const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
      context.setDefaultTimeout(90_000);
      const page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(e.message));
      // Confirmations (revoke, disable, rotate) are accepted.
      page.on("dialog", (d) => void d.accept());
      return page;
    };

    const signIn = async (page: Page, person: string) => {
      await page.goto(`${base}/`);
      await page.getByLabel("Organisation").fill(PLATFORM);
      await page.getByLabel("Person").fill(person);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    };

    before(async () => {
      ensureWebBundle();
      dir = mkdtempSync(join(tmpdir(), "rasd-webadmin-e2e-"));
      const config = loadConfig(
        { data: dir, db: `sqlite:${join(dir, "rasd.db")}` },
        { RASD_SQLITE_SYNC: "OFF", RASD_WEBHOOK_ALLOW_PRIVATE: "1" },
      );
      // Retries 20 ms apart, doubling: a failing webhook is dead-lettered within seconds.
      s = await openServices(config, { defaultMetrics: false, backoffBaseMs: 20 });
      keys = (await loadDemo(s))!;
      password = keys["password of every demo-<role>"]!;
      app = await buildApp({ access: s.access, routes: allRoutes(s), rateLimit: 1_000_000 });
      base = await app.listen({ host: "127.0.0.1", port: 0 });
      await startWorkers(s);
      hook = await startReceiver(500);
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      await app?.close();
      await hook?.close();
      if (s) await closeServices(s);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("admin: creates an API key shown once, revokes it; adds and disables a person; creates a bank; audit log", async () => {
      const page = await newPage();
      await signIn(page, "demo-admin");
      await page.getByRole("link", { name: "Admin", exact: true }).click();
      await page.getByRole("heading", { name: "Administration" }).waitFor();
      await page.getByRole("cell", { name: /Sawab Center/ }).waitFor();

      // An API key: the secret shown once, usable, gone when dismissed.
      await page.getByRole("link", { name: "API keys" }).click();
      await page.getByLabel("Person").fill("ci-ingest");
      await page.getByLabel("Role").selectOption("submitter");
      await page.getByLabel("Label").fill("ci key");
      await page.getByRole("button", { name: "Create key" }).click();
      const secret = await page.getByTestId("secret").inputValue();
      assert.match(secret, /^rasd_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
      assert.equal((await api(secret, "GET", "/v1/session")).status, 200, "the new key works");
      await page.getByRole("button", { name: "I have stored it" }).click();
      assert.equal(await page.getByTestId("secret").count(), 0);
      await page.reload();
      await page.getByRole("heading", { name: "API keys of your organisation" }).waitFor();
      await page.getByRole("button", { name: "Revoke ci key" }).waitFor();
      assert.ok(!(await page.content()).includes(secret.slice(18)), "the secret is never shown again");
      // Last use is shown (the key was used above).
      const row = page.locator("tr", { has: page.getByRole("button", { name: "Revoke ci key" }) });
      assert.doesNotMatch(await row.innerText(), /never/);
      await page.getByRole("button", { name: "Revoke ci key" }).click();
      await page.getByText("ci key was revoked.").waitFor();
      assert.equal((await api(secret, "GET", "/v1/session")).status, 401, "a revoked key is refused");
      assert.match(await page.locator("tr", { hasText: "ci key" }).innerText(), /revoked/);

      // People: add one who can sign in, then disable them.
      await page.getByRole("link", { name: "People" }).click();
      await page.getByLabel("Name").fill("ci-analyst");
      await page.getByLabel("Role").selectOption("reader");
      await page.getByLabel("Password (10 characters or more)").fill("a long enough password");
      await page.getByRole("button", { name: "Add person" }).click();
      await page.getByText(/ci-analyst was added/).waitFor();
      const signedIn = await fetch(`${base}/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ org: PLATFORM, person: "ci-analyst", password: "a long enough password" }),
      });
      assert.equal(signedIn.status, 200, "the new person signs in");
      await page.getByRole("button", { name: "Disable ci-analyst" }).click();
      await page.getByText(/ci-analyst is disabled/).waitFor();
      assert.match(await page.locator("tr", { hasText: "ci-analyst" }).innerText(), /disabled/);
      // The admin cannot disable themself: no button.
      assert.equal(await page.getByRole("button", { name: "Disable demo-admin" }).count(), 0);

      // A bank: the default marking is AMBER+STRICT; created GREEN and shared with the NGO.
      await page.getByRole("link", { name: "Banks and sharing" }).click();
      await page.getByRole("button", { name: "New bank" }).click();
      assert.equal(await page.getByLabel("Marking (TLP)").inputValue(), "AMBER+STRICT");
      await page.locator("#bank-form").getByLabel("Name").fill("ci-bank");
      await page.getByLabel("Marking (TLP)").selectOption("AMBER");
      await page.getByRole("checkbox", { name: "Counter-Narratives NGO" }).check();
      await page.getByRole("button", { name: "Create bank" }).click();
      await page.getByText("Bank ci-bank was created.").waitFor();
      const bankRow = page.locator("tr", { hasText: "ci-bank" });
      assert.match(await bankRow.innerText(), /TLP:AMBER[\s\S]*Counter-Narratives NGO/);

      // The audit log: the chain checks, the key's whole history by target.
      await page.getByRole("link", { name: "Audit log" }).click();
      await page.getByTestId("chain-ok").waitFor();
      await page.getByRole("cell", { name: "key.revoke" }).first().waitFor();
      const keyId = (await api(keys["Example Platform admin"]!, "GET", "/v1/keys")).body.keys as {
        id: number;
        name: string | null;
      }[];
      const ci = keyId.find((k) => k.name === "ci key")!;
      await page.getByLabel("Target").fill(`key:${ci.id}`);
      await page.getByRole("button", { name: "Show" }).click();
      await page.getByRole("cell", { name: "key.create" }).waitFor();
      const actions = await page.locator(".audit-table tbody tr td:nth-child(3)").allInnerTexts();
      assert.deepEqual(actions, ["key.create", "key.revoke"]);
      await page.context().close();
    });

    it("engineer: creates a webhook (secret once), rotates it, redelivers a dead letter; rules", async () => {
      const page = await newPage();
      await signIn(page, "demo-admin");
      await page.getByRole("link", { name: "Platform", exact: true }).click();
      await page.getByRole("heading", { level: 1, name: "Platform" }).waitFor();
      assert.equal(await page.getByRole("link", { name: "API reference (/docs)" }).getAttribute("href"), "/docs");
      await page.getByRole("cell", { name: "review-every-match", exact: true }).waitFor();

      // A rule: created, disabled, deleted.
      await page.getByRole("button", { name: "New rule" }).click();
      await page.locator("#rule-form").getByLabel("Name").fill("ci-rule");
      await page.getByRole("checkbox", { name: "pro", exact: true }).check();
      await page.getByLabel("Stance score at least").fill("0.9");
      await page.getByRole("button", { name: "Create rule" }).click();
      await page.getByText("Rule ci-rule was created.").waitFor();
      assert.match(await page.locator("tr", { hasText: "ci-rule" }).innerText(), /stance pro · stance score ≥ 0.9/);
      await page.getByRole("button", { name: "Disable ci-rule" }).click();
      await page.getByText("ci-rule is disabled.").waitFor();
      await page.getByRole("button", { name: "Delete ci-rule" }).click();
      await page.getByText("Rule ci-rule was deleted.").waitFor();
      assert.equal(await page.locator("tr", { hasText: "ci-rule" }).count(), 0);

      // A webhook: the secret shown once, then rotated.
      await page.getByRole("link", { name: "Webhooks" }).click();
      await page.getByLabel("Rule name").fill("ci-hook");
      await page.getByLabel("URL").fill(hook.url);
      await page.getByRole("button", { name: "Create webhook" }).click();
      const first = await page.getByTestId("secret").inputValue();
      assert.match(first, /^whsec_/);
      await page.getByRole("button", { name: "I have stored it" }).click();
      await page.getByRole("button", { name: "Rotate the secret of ci-hook" }).click();
      const second = await page.getByTestId("secret").inputValue();
      assert.match(second, /^whsec_/);
      assert.notEqual(second, first);
      await page.getByRole("button", { name: "I have stored it" }).click();
      await page.locator("tr", { hasText: "ci-hook" }).getByRole("time").waitFor(); // old secret valid until

      // Content that matches: the webhook answers 500 until it is dead-lettered.
      await page.getByRole("link", { name: "Submit content" }).click();
      await page.getByRole("textbox", { name: "Text", exact: true }).fill(MATCHING_TEXT);
      await page.getByLabel("Your content id").fill("ci-dead-1");
      await page.getByRole("button", { name: "Submit", exact: true }).click();
      const receivedText = await page
        .getByText(/Item \d+ was received\./)
        .innerText()
        .catch(async (error: unknown) => {
          throw new Error(
            `submitting failed (${String(error)}); the page says: ${await page.locator("main").innerText()}`,
          );
        });
      const itemId = Number(/Item (\d+)/.exec(receivedText)![1]);
      const admin = keys["Example Platform admin"]!;
      type Action = { id: number; type: string; item_id: number; delivery_id: string };
      let dead: Action | undefined;
      for (let i = 0; i < 600 && !dead; i++) {
        dead = ((await api(admin, "GET", "/v1/actions?status=dead")).body.actions as Action[]).find(
          (a) => a.type === "webhook" && a.item_id === itemId,
        );
        if (!dead) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(dead, "the failing webhook was dead-lettered");
      const deadId = dead.id;

      await page.getByRole("link", { name: "Deliveries" }).click();
      await page.getByLabel("Status").selectOption("dead");
      const deadRow = page.locator(`tr[data-action-id="${deadId}"]`);
      await deadRow.waitFor();
      assert.match(await deadRow.innerText(), /dead letters[\s\S]*8/);
      hook.fallback = 204;
      const received = hook.received.length;
      await page.getByRole("button", { name: `Redeliver ${deadId}` }).click();
      await page.getByText(`Delivery ${deadId} is queued again.`).waitFor();
      await hook.waitFor(received + 1, 60_000);
      for (let i = 0; i < 300; i++) {
        const a = (await api(admin, "GET", "/v1/actions?status=delivered")).body.actions as { id: number }[];
        if (a.some((x) => x.id === deadId)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await page.getByLabel("Status").selectOption("delivered");
      await page.locator(`tr[data-action-id="${deadId}"][data-status="delivered"]`).waitFor();
      assert.ok(
        hook.received.slice(received).some((r) => r.headers["webhook-id"] === dead.delivery_id),
        "redelivered with the same delivery id",
      );
      await page.context().close();
    });

    it("engineer: the submitter matches an uploaded generated image against the banks", async () => {
      const page = await newPage();
      await signIn(page, "demo-submitter");
      assert.equal(await page.getByRole("link", { name: "Admin", exact: true }).count(), 0);
      await page.getByRole("link", { name: "Platform", exact: true }).click();
      // A submitter has no rules: the screen opens on matching.
      await page.getByRole("heading", { name: "Match content" }).waitFor();
      assert.equal(await page.getByRole("link", { name: "Action rules" }).count(), 0);
      const file = join(dir, "generated.png");
      writeFileSync(file, await demoImage());
      await page.getByLabel("Image or video file").setInputFiles(file);
      await page.getByRole("button", { name: "Hash and match the file" }).click();
      await page.getByRole("heading", { name: /^Result: [1-9]\d* match/ }).waitFor();
      const result = await page.locator("#match-result").innerText();
      assert.match(result, /pdq hash/);
      assert.match(result, /isis-propaganda, signal #\d+ · distance \d+/);
      assert.match(result, /sha256 hash[\s\S]*No match\./);
      // A text and a URL too.
      await page.getByLabel("Text").fill(MATCHING_TEXT);
      await page.getByRole("button", { name: "Match the text" }).click();
      await page.getByText(/isis-propaganda, signal #\d+ · similarity 100%/).waitFor();
      await page.context().close();
    });

    it("a reviewer sees no admin or platform screen, and the API refuses them", async () => {
      const page = await newPage();
      await signIn(page, "demo-reviewer");
      assert.equal(await page.getByRole("link", { name: "Admin", exact: true }).count(), 0);
      assert.equal(await page.getByRole("link", { name: "Platform", exact: true }).count(), 0);
      await page.goto(`${base}/#/admin/keys`);
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
      assert.equal(await page.getByRole("heading", { name: "Administration" }).count(), 0);
      const reviewer = keys["Example Platform reviewer"]!;
      for (const path of ["/v1/keys", "/v1/people", "/v1/audit"])
        assert.equal((await api(reviewer, "GET", path)).status, 403, path);
      await page.context().close();
    });

    it("every admin and platform screen in English and Arabic, desktop and phone: RTL, no sideways scroll, axe", async () => {
      // Who, which screen, its heading in English and Arabic, and what shows it has loaded.
      const screens = [
        ["demo-admin", "admin/orgs", "Administration", "الإدارة", "#orgs tbody tr"],
        ["demo-admin", "admin/people", "Administration", "الإدارة", "#people tbody tr"],
        ["demo-admin", "admin/keys", "Administration", "الإدارة", "#keys tbody tr"],
        ["demo-admin", "admin/banks", "Administration", "الإدارة", "#admin-banks tbody tr"],
        ["demo-admin", "admin/audit", "Administration", "الإدارة", "#audit tbody tr"],
        ["demo-admin", "engineer/rules", "Platform", "المنصة", "#rules tbody tr"],
        ["demo-admin", "engineer/webhooks", "Platform", "المنصة", "#webhooks tbody tr"],
        ["demo-admin", "engineer/deliveries", "Platform", "المنصة", "#deliveries tbody tr"],
        ["demo-submitter", "engineer/match", "Platform", "المنصة", "#match input[type=file]"],
        ["demo-submitter", "engineer/submit", "Platform", "المنصة", "#submit textarea"],
      ] as const;
      const problems: string[] = [];
      for (const width of [1280, 390]) {
        for (const person of ["demo-admin", "demo-submitter"]) {
          const page = await newPage(width);
          await signIn(page, person);
          for (const lang of ["en", "ar"] as const) {
            if (lang === "ar") {
              await page.getByRole("banner").getByLabel("Language", { exact: true }).selectOption("ar");
              assert.equal(await page.evaluate(() => document.documentElement.getAttribute("dir")), "rtl");
              assert.equal(await page.evaluate(() => document.documentElement.getAttribute("lang")), "ar");
            }
            for (const [who, hash, en, ar, ready] of screens) {
              if (who !== person) continue;
              await page.goto(`${base}/#/${hash}`);
              await page.getByRole("heading", { level: 1, name: lang === "ar" ? ar : en }).waitFor();
              await page.locator(ready).first().waitFor();
              await assertNoSidewaysScroll(page, `${hash} ${lang} ${width}px`);
              const violations = await seriousA11yViolations(page);
              if (violations.length) problems.push(`${hash} ${lang} ${width}px: ${violations.join("; ")}`);
              await screenshot(page, hash.replace("/", "-"), lang, width);
            }
          }
          await page.context().close();
        }
      }
      assert.deepEqual(problems, [], "axe-core: serious or critical violations");
      assert.deepEqual(pageErrors, [], "errors in the page");
    });
  },
);
