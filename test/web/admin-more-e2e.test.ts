/**
 * Issue 18's remaining admin and review tasks in chromium (decision 0036), against the --demo
 * service: the platform's admin changes a person's role (the API then lets that person's key do
 * what the new role may), sets the organisation's default TLP (a new bank's form starts with
 * it, and the bank is marked with it) and filters the audit log by action on the server; the
 * coalition's operator adds a member organisation with its first admin, who then signs in; a
 * reviewer decides an item and undoes the decision, which puts it back in the queue. The new
 * panels are then opened in English and Arabic (dir=rtl) at 1280 and 390 px: no sideways
 * scrolling, no serious or critical axe-core violation, a screenshot each.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { assertNoSidewaysScroll, browserAvailable, seriousA11yViolations } from "../support/browser.js";
import { screenshot } from "../support/screenshots.js";
import { startWebApp, type WebApp } from "../support/web-app.js";

// Browser globals, for the callbacks page.evaluate() runs in chromium.
declare const document: { documentElement: { getAttribute(name: string): string | null } };

const haveBrowser = browserAvailable("test/web/admin-more-e2e.test.ts");
const PLATFORM = "Example Platform";
const GOV = "Sawab Center";
const OPERATOR = "coalition-operator";

describe(
  "admin: roles, organisations, sharing defaults, audit by action; review undo — in chromium",
  { skip: haveBrowser ? false : "chromium is not installed", timeout: 900_000 },
  () => {
    let w: WebApp;
    const pageErrors: string[] = [];

    const newPage = async (width = 1280): Promise<Page> => {
      // bypassCSP only so that axe-core can be injected; the CSP itself is tested in e2e.test.ts.
      const page = await w.newPage({ viewport: { width, height: 900 }, bypassCSP: true });
      page.on("pageerror", (e) => pageErrors.push(e.message));
      page.on("dialog", (d) => void d.accept());
      return page;
    };

    const signIn = async (page: Page, org: string, person: string, password = w.password) => {
      await page.goto(`${w.base}/`);
      await page.getByLabel("Organisation").fill(org);
      await page.getByLabel("Person").fill(person);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("button", { name: "Sign out" }).waitFor();
    };

    before(async () => {
      w = await startWebApp();
      // The coalition's operator: given only on the server (rasd key create --role operator).
      const gov = (await w.s.store.listOrgs()).find((o) => o.name === GOV)!;
      const op = await w.s.access.createKey(gov, "operator", OPERATOR);
      await w.s.accounts.setPassword(op.person.id, w.password);
    });
    after(async () => {
      await w?.close();
    });

    it("admin: changes a person's role, sets the default TLP, filters the audit log by action", async () => {
      const page = await newPage();
      await signIn(page, PLATFORM, "demo-admin");
      await page.goto(`${w.base}/#/admin/people`);
      await page.getByRole("button", { name: "Change role of demo-reviewer" }).click();
      await page.locator("#change-role").getByLabel("New role").selectOption("curator");
      await page.getByRole("button", { name: "Save role" }).click();
      await page.getByText("demo-reviewer is now curator.").waitFor();
      assert.match(await page.locator("tr", { hasText: "demo-reviewer" }).innerText(), /curator/);
      // The reviewer's key now acts as a curator: it may create a bank, and no longer decide.
      const key = w.keys[`${PLATFORM} reviewer`]!;
      assert.equal((await w.api(key, "POST", "/v1/banks", { name: "made-by-former-reviewer" })).status, 201);
      assert.equal((await w.api(key, "GET", "/v1/reviews")).status, 403);
      // Back, for the review test below.
      await page.getByRole("button", { name: "Change role of demo-reviewer" }).click();
      await page.locator("#change-role").getByLabel("New role").selectOption("reviewer");
      await page.getByRole("button", { name: "Save role" }).click();
      await page.getByText("demo-reviewer is now reviewer.").waitFor();
      assert.equal(await page.getByRole("button", { name: "Change role of demo-admin" }).count(), 0, "not oneself");

      // Sharing defaults: GREEN; a new bank's form starts with it and the bank is GREEN.
      await page.goto(`${w.base}/#/admin/banks`);
      await page.getByLabel("Default marking for new banks").selectOption("GREEN");
      await page.getByRole("button", { name: "Save default" }).click();
      await page.getByText("New banks are now marked TLP:GREEN unless another marking is chosen.").waitFor();
      await page.getByRole("button", { name: "New bank" }).click();
      assert.equal(await page.getByLabel("Marking (TLP)").inputValue(), "GREEN");
      await page.locator("#bank-form").getByLabel("Name").fill("default-marked");
      await page.getByRole("button", { name: "Create bank" }).click();
      await page.getByText("Bank default-marked was created.").waitFor();
      assert.match(await page.locator("tr", { hasText: "default-marked" }).innerText(), /TLP:GREEN/);
      // An integration that names no marking gets it too.
      const viaApi = await w.api(w.keys[`${PLATFORM} admin`]!, "POST", "/v1/banks", { name: "api-unmarked" });
      assert.equal((viaApi.body as { tlp: string }).tlp, "GREEN");

      // The audit log, filtered by action on the server: only person.role entries, all of them.
      await page.goto(`${w.base}/#/admin/audit`);
      await page.getByTestId("chain-ok").waitFor();
      await page.getByLabel("Action").fill("person.role");
      await page.getByLabel("Entries per page").selectOption("50");
      await page.getByRole("button", { name: "Show" }).click();
      await page.locator(".audit-table tbody tr").nth(1).waitFor();
      const actions = await page.locator(".audit-table tbody tr td:nth-child(3)").allInnerTexts();
      assert.deepEqual(actions, ["person.role", "person.role"]);
      await page.context().close();
    });

    it("operator: adds a member organisation with its first admin, who signs in", async () => {
      const page = await newPage();
      await signIn(page, GOV, OPERATOR);
      await page.getByRole("link", { name: "Admin", exact: true }).click();
      await page.getByRole("heading", { name: "Add a member organisation" }).waitFor();
      await page.locator("#create-org").getByLabel("Name").first().fill("Gulf Media Watch");
      await page.locator("#create-org").getByLabel("Kind").selectOption("ngo");
      await page.getByLabel("First admin's name (optional)").fill("gmw-admin");
      await page.getByLabel("Their password (10 characters or more)").fill("a long enough password");
      await page.getByRole("button", { name: "Add organisation" }).click();
      await page.getByText(/Gulf Media Watch joined the coalition; gmw-admin signs in/).waitFor();
      await page.getByRole("cell", { name: /Gulf Media Watch/ }).waitFor();
      await page.context().close();
      // An organisation's admin is not offered the form (and the API refuses them).
      const admin = await newPage();
      await signIn(admin, PLATFORM, "demo-admin");
      await admin.goto(`${w.base}/#/admin/orgs`);
      await admin.getByRole("cell", { name: /Gulf Media Watch/ }).waitFor();
      assert.equal(await admin.getByRole("button", { name: "Add organisation" }).count(), 0);
      const refused = await w.api(w.keys[`${PLATFORM} admin`]!, "POST", "/v1/orgs", { name: "X", kind: "ngo" });
      assert.equal(refused.status, 403);
      await admin.context().close();
      const first = await newPage();
      await signIn(first, "Gulf Media Watch", "gmw-admin", "a long enough password");
      await first.getByRole("link", { name: "Admin", exact: true }).click();
      await first.getByRole("heading", { name: "Administration" }).waitFor();
      await first.context().close();
    });

    it("reviewer: decides an item, undoes the decision, and finds it waiting again", async () => {
      const page = await newPage();
      await signIn(page, PLATFORM, "demo-reviewer");
      await page.getByRole("link", { name: "Review" }).click();
      await page.locator("[data-testid=claimed]").waitFor();
      const id = Number(/#(\d+)/.exec(await page.locator("#item-h").innerText())![1]);
      await page.getByRole("radio", { name: "Not violating" }).check();
      await page.getByLabel("Statement of reasons (required)").fill("News report, not propaganda.");
      await page.getByRole("button", { name: "Record decision" }).click();
      await page.getByText(`Review #${id}: Not violating.`).waitFor();
      const undo = page.getByRole("button", { name: `Undo decision on review #${id}` });
      await undo.waitFor();
      // Seen in the past decisions too, with the same button.
      await page.getByRole("button", { name: "Past decisions" }).click();
      await page.getByRole("button", { name: new RegExp(`Review #${id}\\b`) }).click();
      await page.locator("[data-testid=decided]").getByText("News report, not propaganda.").waitFor();
      await page
        .locator("[data-testid=decided]")
        .getByRole("button", { name: `Undo decision on review #${id}` })
        .click();
      await page.getByText(`The decision on review #${id} was undone`, { exact: false }).waitFor();
      // Back in the waiting queue, held by the reviewer, with the decision form.
      assert.equal(await page.getByRole("button", { name: "Waiting" }).getAttribute("aria-pressed"), "true");
      await page.locator("[data-testid=claimed]").waitFor();
      await page.getByRole("button", { name: "Record decision" }).waitFor();
      const detail = await w.api(w.keys[`${PLATFORM} reviewer`]!, "GET", `/v1/reviews/${id}`);
      assert.equal((detail.body as { review: { status: string } }).review.status, "open");
      await page.context().close();
    });

    it("the new panels in English and Arabic at 1280 and 390 px: no sideways scroll, no serious axe violation", async () => {
      const screens = [
        [PLATFORM, "demo-admin", "admin/people", "#people tbody tr", "Change role of demo-submitter"],
        [PLATFORM, "demo-admin", "admin/banks", "#sharing-defaults select", undefined],
        [PLATFORM, "demo-admin", "admin/audit", "#audit tbody tr", undefined],
        [GOV, OPERATOR, "admin/orgs", "#create-org input", undefined],
      ] as const;
      const problems: string[] = [];
      for (const width of [1280, 390]) {
        for (const who of [PLATFORM, GOV]) {
          const page = await newPage(width);
          await signIn(page, who, who === GOV ? OPERATOR : "demo-admin");
          for (const lang of ["en", "ar"] as const) {
            if (lang === "ar") {
              await page.getByRole("banner").getByLabel("Language", { exact: true }).selectOption("ar");
              assert.equal(await page.evaluate(() => document.documentElement.getAttribute("dir")), "rtl");
            }
            for (const [org, , hash, ready, open] of screens) {
              if (org !== who) continue;
              await page.goto(`${w.base}/#/${hash}`);
              await page
                .getByRole("heading", { level: 1, name: lang === "ar" ? "الإدارة" : "Administration" })
                .waitFor();
              await page.locator(ready).first().waitFor();
              // The role panel open, in English by its button, in Arabic by the same button's place.
              if (open) {
                await page
                  .locator("#people tbody tr", { hasText: "demo-submitter" })
                  .getByRole("button")
                  .nth(1)
                  .click();
                await page.locator("#change-role select").waitFor();
              }
              await assertNoSidewaysScroll(page, `${hash} ${lang} ${width}px`);
              const violations = await seriousA11yViolations(page);
              if (violations.length) problems.push(`${hash} ${lang} ${width}px: ${violations.join("; ")}`);
              await screenshot(page, `more-${hash.replace("/", "-")}`, lang, width);
            }
          }
          await page.context().close();
        }
      }
      // The review screen with an undo offered, both languages.
      for (const width of [1280, 390]) {
        const page = await newPage(width);
        await signIn(page, PLATFORM, "demo-reviewer");
        for (const lang of ["en", "ar"] as const) {
          if (lang === "ar") await page.getByRole("banner").getByLabel("Language", { exact: true }).selectOption("ar");
          await page.goto(`${w.base}/#/review`);
          await page.locator("[data-testid=claimed]").waitFor();
          await page.locator("input[type=radio][value=not_violating]").check();
          await page.locator("textarea").first().fill(`Checked in ${lang} at ${width}px.`);
          await page.locator("form.decision button[type=submit]").click();
          await page.getByTestId("undo-last").waitFor();
          await assertNoSidewaysScroll(page, `review undo ${lang} ${width}px`);
          const violations = await seriousA11yViolations(page);
          if (violations.length) problems.push(`review undo ${lang} ${width}px: ${violations.join("; ")}`);
          await screenshot(page, "more-review-undo", lang, width);
          await page.getByTestId("undo-last").getByRole("button").click();
          await page.locator("[data-testid=claimed]").waitFor();
        }
        await page.context().close();
      }
      assert.deepEqual(problems, [], "axe-core: serious or critical violations");
      assert.deepEqual(pageErrors, [], "errors in the page");
    });
  },
);
