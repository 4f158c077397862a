/**
 * The web app for browser tests: a real service (the routes, services and SQLite store `rasd
 * serve` runs, with the --demo data, its items matched and queued) serving the built bundle,
 * and Debian's chromium driven by playwright-core. Without /usr/bin/chromium, `haveBrowser`
 * is false (RASD_REQUIRE_BROWSER=1 makes that an error).
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { loadConfig } from "../../src/config/config.js";
import { buildApp } from "../../src/http/app.js";
import { allRoutes } from "../../src/http/routes/index.js";
import { loadDemo } from "../../src/server/demo.js";
import {
  closeServices,
  openServices,
  startWorkers,
  type ServiceOptions,
  type Services,
} from "../../src/server/services.js";
import { CHROMIUM, browserAvailable, ensureWebBundle, launchChromium } from "./browser.js";

export { CHROMIUM };
export const haveBrowser = browserAvailable("the web app's browser tests");
export const ensureBundle = ensureWebBundle;

export interface WebAppOptions {
  /** Environment for the service's configuration beyond the defaults (e.g. RASD_LINK_ALLOW_PRIVATE). */
  readonly env?: Readonly<Record<string, string>>;
  /** Options for openServices (e.g. a loopback resolver for link hosts). */
  readonly services?: ServiceOptions;
  /** startWorkers' second argument: false runs the in-process listeners without the job workers. */
  readonly workers?: boolean;
}

// Browser globals, for the script addInitScript runs in the page (not in Node).
declare const sessionStorage: { setItem(k: string, v: string): void };
declare const localStorage: { setItem(k: string, v: string): void };

export interface SessionPageOptions {
  readonly lang?: "en" | "ar";
  readonly width?: number;
  readonly digits?: "latn" | "arab";
  readonly axe?: boolean;
  readonly errors?: string[];
}

export interface WebApp {
  readonly s: Services;
  readonly base: string;
  readonly browser: Browser;
  /** The demo's API keys ("<org> <role>") and "password of every demo-<role>". */
  readonly keys: Record<string, string>;
  readonly password: string;
  /** A JSON call to the API with a bearer token. */
  api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** Signs `person` of `org` in with the demo password; waits for the navigation. */
  signIn(page: Page, person: string, org?: string): Promise<void>;
  /**
   * A page already signed in as `person` of `org` (a session from the API, kept as the app keeps
   * it), in `lang` with `digits`; `axe` bypasses the CSP so axe-core can be injected. Page errors
   * go to `errors` when given.
   */
  sessionPage(org: string, person: string, options?: SessionPageOptions): Promise<Page>;
  /** A page in a new context; the machine may be busy, so waits are generous. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

export async function startWebApp(options: WebAppOptions = {}): Promise<WebApp> {
  ensureWebBundle();
  const dir = mkdtempSync(join(tmpdir(), "rasd-web-"));
  const config = loadConfig(
    { data: dir, db: `sqlite:${join(dir, "rasd.db")}` },
    { RASD_SQLITE_SYNC: "OFF", ...options.env },
  );
  const s = await openServices(config, { defaultMetrics: false, ...options.services });
  const keys = (await loadDemo(s))!;
  const app: FastifyInstance = await buildApp({ access: s.access, routes: allRoutes(s), rateLimit: 1_000_000 });
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  const workers = options.workers ?? true;
  await startWorkers(s, workers);
  // The demo's items matched and queued for review before the first page (only when workers run).
  for (let i = 0; workers && i < 600; i++) {
    const counts = await s.jobs.counts();
    if (!Object.entries(counts).some(([k, n]) => k.startsWith("content.") && !k.endsWith(".dead") && n > 0)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const browser = await launchChromium();
  return {
    s,
    base,
    browser,
    keys,
    password: keys["password of every demo-<role>"]!,
    api: async (token, method, path, body) => {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, body: (await r.json().catch(() => undefined)) as unknown };
    },
    signIn: async (page, person, org = "Example Platform") => {
      await page.goto(`${base}/`);
      await page.getByLabel("Organisation").fill(org);
      await page.getByLabel("Person").fill(person);
      await page.getByLabel("Password").fill(keys["password of every demo-<role>"]!);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.locator("nav").waitFor();
    },
    sessionPage: async (org, person, o = {}) => {
      const r = await fetch(`${base}/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ org, person, password: keys["password of every demo-<role>"] }),
      });
      assert.equal(r.status, 200, `sign-in as ${person}`);
      const session = await r.text();
      const width = o.width ?? 1280;
      const context = await browser.newContext({
        viewport: { width, height: width < 600 ? 844 : 900 },
        // axe is injected as a script, which the app's CSP refuses (rightly): those pages bypass it.
        ...(o.axe ? { bypassCSP: true } : {}),
      });
      context.setDefaultTimeout(90_000);
      const page = await context.newPage();
      if (o.errors) page.on("pageerror", (e) => o.errors!.push(`${person}: ${e.message}`));
      await page.addInitScript(
        ([s, lang, digits]) => {
          sessionStorage.setItem("rasd.session", s!);
          localStorage.setItem("rasd.locale", lang!);
          localStorage.setItem("rasd.digits", digits!);
        },
        [session, o.lang ?? "en", o.digits ?? "latn"],
      );
      return page;
    },
    newPage: async (options = {}) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
      context.setDefaultTimeout(90_000);
      return context.newPage();
    },
    close: async () => {
      await browser.close();
      await app.close();
      await closeServices(s);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
