/**
 * The Exchanges screen in chromium (issue 17): the web app (test/support/web-app.ts, the demo
 * data) and a second rasd on loopback — the peer — with a GREEN bank. Example Platform's admin
 * creates a `rasd` exchange to the peer from the screen (its settings drawn from the API's
 * schema, its key typed into a password field and never shown back), fetches it now, sees the
 * status, sees a retraction at the peer arrive, edits a setting (and is told precisely what is
 * wrong with a bad one), enables and disables it, creates and fetches a `sample` exchange,
 * and deletes the two, keeping one bank and not the other. A reviewer (who may read banks,
 * not change them) sees the list and no control. In English and Arabic at 1280 and 390 px: no serious or critical axe violation,
 * right-to-left in Arabic, no sideways scrolling on a phone, a screenshot of each.
 *
 * The web app's service is told to fetch from private addresses (the peer is on loopback), as
 * RASD_EXCHANGE_ALLOW_PRIVATE=1 does for `rasd serve`.
 *
 * Without /usr/bin/chromium the test is skipped, saying so — unless RASD_REQUIRE_BROWSER=1.
 */

import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import type { ExchangeHttp } from "../../src/services/exchanges/http.js";
import { seriousViolations } from "../support/axe.js";
import { assertNoSidewaysScroll } from "../support/browser.js";
import { screenshot } from "../support/screenshots.js";
import { startTestService, type TestService } from "../support/service.js";
import { haveBrowser, startWebApp, type WebApp } from "../support/web-app.js";

declare const sessionStorage: { setItem(k: string, v: string): void };
declare const localStorage: { setItem(k: string, v: string): void };

const PLATFORM = "Example Platform";
const MD5_1 = "0123456789abcdef0123456789abcdef";
const URL_1 = "https://bad.example/exchanged-propaganda";

type ExchangeJson = {
  enabled: boolean;
  bank: string;
  tlp: string;
  api_json: Record<string, unknown>;
  has_credentials: boolean;
  status: { fetched_items: number; up_to_date: boolean; last_fetch_succeeded: boolean | null };
};

describe(
  "exchanges screen in chromium",
  { skip: haveBrowser ? false : "/usr/bin/chromium is not installed", timeout: 900_000 },
  () => {
    let w: WebApp;
    let peer: TestService;
    let peerUrl: string;
    let peerKey: string;
    let peerBank: number;
    let adminKey: string;
    const pageErrors: string[] = [];

    before(async () => {
      w = await startWebApp();
      adminKey = w.keys[`${PLATFORM} admin`]!;
      // The web app's service may fetch from loopback (RASD_EXCHANGE_ALLOW_PRIVATE=1).
      const x = w.s.exchanges as unknown as { http: ExchangeHttp };
      x.http = { ...x.http, allowPrivate: true };
      peer = await startTestService({ workers: false });
      await peer.app.listen({ host: "127.0.0.1", port: 0 });
      peerUrl = `http://127.0.0.1:${(peer.app.server.address() as AddressInfo).port}/`;
      peerBank = (await peer.s.banks.createBank({ orgId: peer.orgs.a.id, name: "shared", tlp: "GREEN" })).id;
      await peer.s.banks.addSignals(peerBank, [
        { line: 1, raw: { type: "md5", value: MD5_1, entity: "isis" } },
        { line: 2, raw: { type: "url", value: URL_1 } },
      ]);
      // The key of the peer's member that receives: it sees the GREEN bank.
      peerKey = peer.keys.b.reader;
    });

    after(async () => {
      await w?.close();
      await peer?.close();
    });

    const signedIn = async (person: string, lang: "en" | "ar", width: number): Promise<Page> => {
      const r = await fetch(`${w.base}/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ org: PLATFORM, person, password: w.password }),
      });
      assert.equal(r.status, 200, `sign-in as ${person}`);
      const session = await r.text();
      // axe is injected as a script, which the app's CSP refuses (rightly): these pages bypass it.
      const page = await w.newPage({ viewport: { width, height: width < 600 ? 844 : 900 }, bypassCSP: true });
      page.on("pageerror", (e) => pageErrors.push(`${person}: ${e.message}`));
      await page.addInitScript(
        ([s, l]) => {
          sessionStorage.setItem("rasd.session", s!);
          localStorage.setItem("rasd.locale", l!);
        },
        [session, lang],
      );
      await page.goto(`${w.base}/#/exchanges`);
      await page.locator("#exchange-list").waitFor();
      await page.locator("#exchange-list .muted", { hasText: /Loading|جار/ }).waitFor({ state: "detached" });
      return page;
    };

    const check = async (page: Page, what: string) => {
      await screenshot(page, "exchanges");
      const serious = await seriousViolations(page);
      assert.equal(serious, "", `${what}: axe finds serious or critical violations:\n${serious}`);
      await assertNoSidewaysScroll(page, what);
    };

    const exchange = async (name: string): Promise<ExchangeJson> => {
      const r = await w.api(adminKey, "GET", `/c/exchange/${name}`);
      assert.equal(r.status, 200, `GET /c/exchange/${name}: ${JSON.stringify(r.body)}`);
      return r.body as ExchangeJson;
    };

    const card = (page: Page, name: string) => page.locator("#exchange-list li.exchange", { hasText: name });

    it("creates a rasd exchange to a peer from the screen, fetches it now, shows its status; the key is never shown", async () => {
      const page = await signedIn("demo-admin", "en", 1280);
      await page.getByRole("heading", { name: "Exchanges", exact: true }).waitFor();
      assert.ok(await page.getByRole("link", { name: "Exchanges" }).isVisible(), "the navigation names the screen");
      await page.getByText("No exchanges yet.").waitFor();

      const form = page.getByRole("form", { name: "New exchange" });
      // The API list comes from the API; unsupported ones are listed and cannot be chosen.
      const apiSelect = form.getByRole("combobox", { name: "API", exact: true });
      assert.equal(await apiSelect.locator("option[value=ncmec]").isDisabled(), true);
      await form.getByRole("textbox", { name: "Name (also its bank's)" }).fill("peer_b");
      await apiSelect.selectOption("rasd");
      // The rasd API's settings and credentials, from its schema.
      await form.getByRole("textbox", { name: /Base URL/ }).fill(peerUrl);
      await form.getByRole("combobox", { name: /Long poll/ }).selectOption("false");
      await form.getByLabel(/API key/).fill(peerKey);
      assert.equal(await form.getByLabel(/API key/).getAttribute("type"), "password");
      await form.getByRole("combobox", { name: "Bank's marking" }).selectOption("GREEN");
      await form.getByRole("checkbox", { name: "Fetch in the background" }).uncheck();
      await form.getByRole("button", { name: "Create the exchange" }).click();
      await page.getByText("Exchange PEER_B created.").waitFor();

      const c = card(page, "PEER_B");
      await c.waitFor();
      assert.match(await c.innerText(), /Disabled: fetched only when asked/);
      assert.match(await c.innerText(), /Last fetch\s*never/);
      assert.match(await c.innerText(), /set \(never shown\)/);
      let x = await exchange("PEER_B");
      assert.deepEqual(x.api_json, { url: peerUrl, long_poll: false });
      assert.equal(x.tlp, "GREEN");
      assert.equal(x.enabled, false);
      assert.equal(x.has_credentials, true);

      await c.getByRole("button", { name: "Fetch now" }).click();
      await c.getByRole("status").filter({ hasText: "Fetched: 2 added, 0 retracted" }).waitFor();
      await c.locator("dd", { hasText: "succeeded" }).waitFor();
      const text = await c.innerText();
      assert.match(text, /Items fetched\s*2/);
      assert.match(text, /Up to date\s*yes/);
      x = await exchange("PEER_B");
      assert.equal(x.status.fetched_items, 2);
      assert.equal(x.status.last_fetch_succeeded, true);
      // The bank holds what the peer shares, and the key is nowhere on the page.
      const org = (await w.s.store.getOrgByName(PLATFORM))!;
      const bank = (await w.s.banks.store.getBankByName(org.id, "PEER_B"))!;
      assert.equal(bank.tlp, "GREEN");
      assert.ok(!(await page.content()).includes(peerKey), "the key is shown back");

      // A retraction at the peer arrives with the next fetch.
      await peer.s.banks.retractValue(peerBank, "md5", MD5_1);
      await c.getByRole("button", { name: "Fetch now" }).click();
      await c.getByRole("status").filter({ hasText: "0 added, 1 retracted" }).waitFor();
      await check(page, "exchanges (en, 1280 px)");
    });

    it("edits settings (a bad one refused with the field named), enables and disables", async () => {
      const page = await signedIn("demo-admin", "en", 1280);
      const c = card(page, "PEER_B");
      await c.getByRole("button", { name: "Edit settings" }).click();
      const form = c.getByRole("form", { name: "Settings of PEER_B" });
      // Stored values come back into the form; the key does not.
      assert.equal(await form.getByRole("textbox", { name: /Base URL/ }).inputValue(), peerUrl);
      assert.equal(await form.getByLabel(/API key/).inputValue(), "");
      await form.getByText("Credentials are set and are not shown.").waitFor();
      await form.getByRole("textbox", { name: /Seconds between fetches/ }).fill("zero");
      await form.getByRole("button", { name: "Save" }).click();
      await form
        .getByRole("alert")
        .filter({ hasText: "api_json.interval_seconds: must be a positive integer" })
        .waitFor();
      await form.getByRole("textbox", { name: /Seconds between fetches/ }).fill("120");
      await form.getByRole("button", { name: "Save" }).click();
      await c.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      assert.equal((await exchange("PEER_B")).api_json.interval_seconds, 120);
      // Emptying a setting clears it (back to its default).
      await c.getByRole("button", { name: "Edit settings" }).click();
      await c.getByRole("textbox", { name: /Seconds between fetches/ }).fill("");
      await c.getByRole("button", { name: "Save" }).click();
      await c.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      assert.deepEqual((await exchange("PEER_B")).api_json, { url: peerUrl, long_poll: false });
      assert.equal((await exchange("PEER_B")).has_credentials, true, "an empty key field keeps the key");

      await c.getByRole("button", { name: "Enable", exact: true }).click();
      await c.getByRole("status").filter({ hasText: "Enabled." }).waitFor();
      await c.getByText("Enabled: fetched in the background").waitFor();
      assert.equal((await exchange("PEER_B")).enabled, true);
      await c.getByRole("button", { name: "Disable", exact: true }).click();
      await c.getByRole("status").filter({ hasText: "Disabled." }).waitFor();
      assert.equal((await exchange("PEER_B")).enabled, false);
    });

    it("creates and fetches a sample exchange; deletes exchanges keeping a bank or not", async () => {
      const page = await signedIn("demo-admin", "en", 1280);
      const form = page.getByRole("form", { name: "New exchange" });
      await form.getByRole("textbox", { name: "Name (also its bank's)" }).fill("SAMPLE_X");
      await form.getByRole("combobox", { name: "API", exact: true }).selectOption("sample");
      await form.getByText("This API has no settings.").waitFor();
      assert.equal(await form.getByLabel(/API key/).count(), 0, "the sample takes no credentials");
      await form.getByRole("checkbox", { name: "Fetch in the background" }).uncheck();
      await form.getByRole("button", { name: "Create the exchange" }).click();
      const c = card(page, "SAMPLE_X");
      await c.waitFor();
      assert.match(await c.innerText(), /this API takes none/);
      await c.getByRole("button", { name: "Fetch now" }).click();
      await c.getByRole("status").filter({ hasText: "Fetched: 18 added" }).waitFor();
      // A name already taken is refused with the API's words.
      await form.getByRole("textbox", { name: "Name (also its bank's)" }).fill("SAMPLE_X");
      await form.getByRole("button", { name: "Create the exchange" }).click();
      await form.getByRole("alert").filter({ hasText: "already exists" }).waitFor();

      const org = (await w.s.store.getOrgByName(PLATFORM))!;
      await c.getByRole("button", { name: "Delete" }).click();
      const del = c.getByRole("form", { name: "Delete SAMPLE_X" });
      await del.getByRole("checkbox", { name: /Keep its bank SAMPLE_X/ }).uncheck();
      await del.getByRole("button", { name: "Delete the exchange" }).click();
      await page.getByRole("status").filter({ hasText: "Exchange SAMPLE_X deleted." }).waitFor();
      await c.waitFor({ state: "detached" });
      assert.equal(await w.s.banks.store.getBankByName(org.id, "SAMPLE_X"), undefined, "its bank is deleted");
      assert.equal((await w.api(adminKey, "GET", "/c/exchange/SAMPLE_X")).status, 404);
    });

    it("a reviewer (bank.read, not bank.write) sees the exchanges and their status, and no control", async () => {
      const page = await signedIn("demo-reviewer", "en", 1280);
      await card(page, "PEER_B").waitFor();
      assert.equal(await page.getByRole("button", { name: "Fetch now" }).count(), 0);
      assert.equal(await page.getByRole("form", { name: "New exchange" }).count(), 0);
    });

    for (const [lang, width] of [
      ["en", 390],
      ["ar", 1280],
      ["ar", 390],
    ] as const)
      it(`in ${lang} at ${width} px: right-to-left in Arabic, fetch now, no serious axe violation, no sideways scroll`, async () => {
        const page = await signedIn("demo-admin", lang, width);
        const ar = lang === "ar";
        await page.getByRole("heading", { name: ar ? "التبادلات" : "Exchanges", exact: true }).waitFor();
        assert.equal(await page.locator("html").getAttribute("dir"), ar ? "rtl" : "ltr");
        const c = card(page, "PEER_B");
        await c.getByRole("button", { name: ar ? "اجلب الآن" : "Fetch now" }).click();
        await c
          .getByRole("status")
          .filter({ hasText: ar ? "تم الجلب" : "Fetched:" })
          .waitFor();
        // The settings form, open, is checked too.
        await c.getByRole("button", { name: ar ? "عدّل الإعدادات" : "Edit settings" }).click();
        await c.getByRole("form").waitFor();
        await check(page, `exchanges (${lang}, ${width} px)`);
      });

    it("deletes the rasd exchange keeping its bank; no page error on the way", async () => {
      const page = await signedIn("demo-admin", "en", 1280);
      const c = card(page, "PEER_B");
      await c.getByRole("button", { name: "Delete" }).click();
      const del = c.getByRole("form", { name: "Delete PEER_B" });
      assert.equal(await del.getByRole("checkbox", { name: /Keep its bank PEER_B/ }).isChecked(), true);
      await del.getByRole("button", { name: "Delete the exchange" }).click();
      await page.getByText("No exchanges yet.").waitFor();
      const org = (await w.s.store.getOrgByName(PLATFORM))!;
      const bank = await w.s.banks.store.getBankByName(org.id, "PEER_B");
      assert.ok(bank, "the kept bank is still there");
      assert.deepEqual(pageErrors, []);
    });
  },
);
