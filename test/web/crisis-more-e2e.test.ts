/**
 * The crisis protocol's declare form with files, in chromium (issue 20; docs/crisis.md,
 * decision 0035): Sawab Center's admin declares a drill with an image chosen in the form; the
 * server hashes it as submissions are (its PDQ and MD5 are in the incident bank), the live page
 * opens with the Exercise badge; in Arabic the form's file field is translated, right to left.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { pdqHashImageBytes } from "../../src/signals/pdq/hash-image.js";
import { detailedPng } from "../support/images.js";
import { haveBrowser, startWebApp, type WebApp } from "../support/web-app.js";

declare const document: { documentElement: { getAttribute(name: string): string | null } };

describe(
  "incidents: declaring with files in chromium",
  { skip: haveBrowser ? false : "chromium is not installed", timeout: 600_000 },
  () => {
    let web: WebApp;

    const signIn = async (page: Page, org: string, person: string) => {
      await page.goto(`${web.base}/`);
      await page.getByLabel("Organisation").fill(org);
      await page.getByLabel("Person").fill(person);
      await page.getByLabel("Password").fill(web.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    };

    before(async () => {
      web = await startWebApp();
    });
    after(async () => {
      await web?.close();
    });

    it("declares a drill with an image file: hashed by the server into the incident bank", async () => {
      const image = await sharp(await detailedPng(77, 400))
        .jpeg({ quality: 88 })
        .toBuffer();
      const page = await web.newPage();
      await signIn(page, "Sawab Center", "demo-admin");
      await page.goto(`${web.base}/#/incidents`);
      await page.getByRole("heading", { name: "Incidents", exact: true }).waitFor();
      const declare = page.getByRole("button", { name: "Declare and alert every member" });
      await declare.waitFor();
      await page.getByLabel("Title").fill("Drill: claim still");
      await page.getByLabel("Tier").selectOption("2");
      await page.getByLabel(/First known artefacts as files/).setInputFiles({
        name: "still.jpg",
        mimeType: "image/jpeg",
        buffer: image,
      });
      await page.getByLabel(/First known artefacts, one per line/).fill("url:https://example.org/claim/7");
      await page.getByLabel(/Drill/).check();
      await declare.click();
      await page.getByRole("heading", { name: /Drill: claim still/ }).waitFor();
      const id = Number(/#\/incidents\/(\d+)/.exec(page.url())?.[1]);
      assert.ok(id > 0, page.url());
      assert.match(await page.locator("main").innerText(), /Exercise/);

      const incident = await web.s.incidents.get(id);
      assert.equal(incident.drill, true);
      assert.equal(incident.tier, 2);
      const signals = await web.s.store.listSignals(incident.bankId, { limit: 100 });
      const of = (type: string) => signals.filter((x) => x.type === type).map((x) => x.value);
      assert.deepEqual(of("pdq"), [(await pdqHashImageBytes(image)).hash]);
      assert.deepEqual(of("md5"), [createHash("md5").update(image).digest("hex")]);
      assert.deepEqual(of("url").length, 1);

      // In Arabic: the file field is translated, the page right to left.
      await page.goto(`${web.base}/#/incidents`);
      await page.getByRole("banner").getByLabel("Language", { exact: true }).selectOption("ar");
      await page.getByText(/أول المواد المعروفة كملفات/).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.getAttribute("dir")), "rtl");
      await page.context().close();
    });

    it("counter-messaging: edits a narrative's keyword set (shown Arabic-normalised) and a draft, en and ar", async () => {
      const page = await web.newPage();
      await signIn(page, "Sawab Center", "demo-admin");
      await page.goto(`${web.base}/#/counter`);
      await page.getByRole("heading", { name: "Keyword sets of each narrative" }).waitFor();
      const form = page.getByRole("form", { name: "Add phrases to a narrative" });
      await form.getByLabel("Narrative").selectOption("caliphate-utopia");
      await form.getByLabel(/Phrases, one a line/).fill("دولةُ الخِلافة\nhijra NOW");
      await form.getByRole("button", { name: "Add phrases" }).click();
      const row = page.locator('[data-testid="counter-keywords"] tr[data-narrative="caliphate-utopia"]');
      await row.getByText("دولةُ الخِلافة", { exact: true }).waitFor();
      const normalized = await row.locator('[data-testid="normalized"]').allInnerTexts();
      assert.ok(normalized.includes("دوله الخلافه"), JSON.stringify(normalized));
      assert.ok(normalized.includes("hijra now"), JSON.stringify(normalized));
      // What the screen shows is what the API matches: a redirect query finds the narrative.
      const kw = (await web.s.counter.library.keywords()).filter((k) => k.narrative === "caliphate-utopia");
      assert.ok(kw.some((k) => k.phrase === "دولةُ الخِلافة"));
      // Removing one of the organisation's phrases.
      await row.getByRole("button", { name: "Remove the phrase “hijra NOW”" }).click();
      await row.getByText("hijra NOW", { exact: true }).waitFor({ state: "detached" });
      assert.ok(!(await web.s.counter.library.keywords()).some((k) => k.phrase === "hijra NOW"));

      // A draft, then edited.
      const draftForm = page.getByRole("form", { name: "Draft an item" });
      await draftForm.getByLabel("Title").fill("Draft before edit");
      await draftForm.getByLabel("Text or caption").fill("نص المسودة");
      await draftForm.getByLabel("Victimhood").check();
      await draftForm.getByRole("button", { name: "Save draft" }).click();
      const items = page.locator('[data-testid="counter-items"]');
      await items.getByText("Draft before edit").waitFor();
      await items.getByRole("button", { name: "Edit the draft “Draft before edit”" }).click();
      const editForm = page.getByRole("form", { name: /Edit draft/ });
      assert.equal(await editForm.getByLabel("Title").inputValue(), "Draft before edit");
      await editForm.getByLabel("Title").fill("Draft after edit");
      await editForm.getByLabel("Belonging").check();
      await editForm.getByRole("button", { name: "Save changes" }).click();
      await items.getByText("Draft after edit").waitFor();
      const stored = (
        await web.s.counter.library.list({
          orgId: (await web.s.store.getOrgByName("Sawab Center"))!.id,
          personId: 0,
          role: "admin",
        })
      ).find((i) => i.title === "Draft after edit")!;
      assert.deepEqual([...stored.narratives].sort(), ["belonging", "victimhood"]);
      assert.equal(stored.status, "draft");

      // In Arabic, right to left.
      await page.getByRole("banner").getByLabel("Language", { exact: true }).selectOption("ar");
      await page.getByRole("heading", { name: "مجموعات الكلمات المفتاحية لكل سردية" }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.getAttribute("dir")), "rtl");
      await page.getByRole("button", { name: "تعديل المسودة «Draft after edit»" }).waitFor();
      await page.context().close();
    });
  },
);
